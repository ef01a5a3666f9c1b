#include "core/training/objective.h"

#include "core/common/error.h"
#include "core/methods/system_catalog.h"

namespace tau::core {

// Each factory is defined in its objective's own file under core/training/objectives/.
std::unique_ptr<TrainingObjective> makeSimclrObjective(const ExperimentConfig&, const ModelInput&, const c10::Device&);
std::unique_ptr<TrainingObjective> makeOutlierExposureObjective(const ExperimentConfig&, const ModelInput&,
                                                                const c10::Device&);
std::unique_ptr<TrainingObjective> makeMocoObjective(const ExperimentConfig&, const ModelInput&, const c10::Device&);
std::unique_ptr<TrainingObjective> makeHibObjective(const ExperimentConfig&, const ModelInput&, const c10::Device&);
std::unique_ptr<TrainingObjective> makeSupervisedObjective(const ExperimentConfig&, const ModelInput&,
                                                           const c10::Device&);
std::unique_ptr<TrainingObjective> makePosthocTauObjective(const ExperimentConfig&, const ModelInput&,
                                                           const c10::Device&);

const std::map<std::string, ObjectiveFactory>& objectiveFactories()
{
    static const std::map<std::string, ObjectiveFactory> factories{
        {"tau_simclr", &makeSimclrObjective},   {"tau_simclr_oe", &makeOutlierExposureObjective},
        {"simclr", &makeSimclrObjective},       {"tau_mocov2", &makeMocoObjective},
        {"mocov2", &makeMocoObjective},         {"hib", &makeHibObjective},
        {"supervised", &makeSupervisedObjective}, {"posthoc_tau", &makePosthocTauObjective},
    };
    return factories;
}

std::unique_ptr<TrainingObjective> makeObjective(const ExperimentConfig& config, const ModelInput& input,
                                                 const torch::Device& device)
{
    const SystemInfo* system = nullptr;
    try {
        system = &systemOf(config);
    } catch (const TauError& error) {
        throw ConfigError(config.sourcePath, 0, "system", error.what());
    }
    if (!system->notTrainable.empty()) {
        throw TauError(system->notTrainable);
    }
    const auto factory = objectiveFactories().find(system->name);
    if (factory == objectiveFactories().end()) {
        throw TauError("system " + system->name + " has a catalogue row but no objective in objectiveFactories()");
    }
    return factory->second(config, input, device);
}

} // namespace tau::core
