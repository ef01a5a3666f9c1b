#include "core/training/objective.h"

#include "core/common/error.h"
#include "core/methods/system_catalog.h"

namespace tau::core {

std::unique_ptr<TrainingObjective> makeObjective(const ExperimentConfig& config, const ModelInput& input,
                                                 const torch::Device& device)
{
    const SystemInfo* system = nullptr;
    try {
        system = &systemOf(config);
    } catch (const TauError& error) {
        throw ConfigError(config.sourcePath, 0, "system", error.what());
    }
    if (system->make == nullptr) {
        throw TauError(system->notTrainable);
    }
    return system->make(config, input, device);
}

} // namespace tau::core
