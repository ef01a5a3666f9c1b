// The config loader reads the system catalogue, whose rows point at each objective's factory. The fuzz target
// validates configs only and never builds an objective, so it links these in place of the torch objectives.
#include "core/common/error.h"
#include "core/methods/system_catalog.h"

namespace tau::core {

namespace {
[[noreturn]] void notLinked()
{
    throw TauError("the fuzz target has no objectives linked");
}
} // namespace

std::unique_ptr<TrainingObjective> makeSimclrObjective(const ExperimentConfig&, const ModelInput&, const c10::Device&)
{
    notLinked();
}
std::unique_ptr<TrainingObjective> makeMocoObjective(const ExperimentConfig&, const ModelInput&, const c10::Device&)
{
    notLinked();
}
std::unique_ptr<TrainingObjective> makeOutlierExposureObjective(const ExperimentConfig&, const ModelInput&,
                                                                const c10::Device&)
{
    notLinked();
}
std::unique_ptr<TrainingObjective> makeHibObjective(const ExperimentConfig&, const ModelInput&, const c10::Device&)
{
    notLinked();
}
std::unique_ptr<TrainingObjective> makeSupervisedObjective(const ExperimentConfig&, const ModelInput&,
                                                           const c10::Device&)
{
    notLinked();
}
std::unique_ptr<TrainingObjective> makePosthocTauObjective(const ExperimentConfig&, const ModelInput&,
                                                           const c10::Device&)
{
    notLinked();
}

} // namespace tau::core
