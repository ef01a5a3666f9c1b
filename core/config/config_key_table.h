#pragma once

// One row per config key: its dotted path, what it means, the values it accepts, how it is read and checked and
// how it is written. Reading (loadConfigText), writing (toYaml), configChoices and the README's key reference
// (a test compares them) all follow this table, so a new hyperparameter is one row and one field of
// ExperimentConfig. Internal to core/config: the rest of the program sees config_loader.h.

#include "core/schema/experiment_config.h"

#include <functional>
#include <string>
#include <vector>

namespace YAML {
class Emitter;
}

namespace tau::core {

class ConfigReader;

struct ConfigKey
{
    std::string path; ///< "optimizer.batch_size": a top-level key or section.key, in the written file's order
    std::string help; ///< one line: what the value means
    /** The values it accepts where they are a fixed set (configChoices, the editor's combo boxes); else null. */
    std::function<std::vector<std::string>()> choices;
    /** Reads the key into the config (keeping the default when absent) and checks it on its own. */
    std::function<void(ConfigReader& reader, ExperimentConfig& config)> read;
    /** Emits the key's value (a scalar, a flow sequence or a mapping) as config.yaml records it. */
    std::function<void(YAML::Emitter& out, const ExperimentConfig& config)> write;
};

/** Every key, in the order config.yaml lists them (top-level keys, then dataset, data, model, loss, ...). */
const std::vector<ConfigKey>& configKeyTable();

} // namespace tau::core
