#include "core/config/config_loader.h"

#include "core/common/error.h"
#include "core/config/config_key_table.h"
#include "core/config/config_reader.h"
#include "core/config/original_layout.h"
#include "core/methods/system_catalog.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>
#include <vector>

namespace tau::core {

namespace {

/** Rules that tie keys together; each failure names the key to change. */
void checkConsistency(ConfigReader& reader, const ExperimentConfig& config)
{
    const SystemInfo& system = systemOf(config); // readChoice has checked the name
    if (system.needsPosteriorHead && !config.model.posteriorHead) {
        reader.fail("model.posterior_head", YAML::Node(),
                    "expected true for system " + config.system + " (the extra head output r is its uncertainty)");
    }
    if (system.usesQueue && config.loss.queueSize % config.optimizer.batchSize != 0) {
        reader.fail("loss.k", YAML::Node(),
                    "expected a multiple of optimizer.batch_size (" + std::to_string(config.optimizer.batchSize) +
                        ") so that batches of keys tile the queue, got " + std::to_string(config.loss.queueSize));
    }
    if (system.needsFrozenEncoder &&
        config.model.encoderCheckpoint.empty() == config.model.encoderTorchscript.empty()) {
        reader.fail("model.encoder_checkpoint", YAML::Node(),
                    "expected exactly one of model.encoder_checkpoint (a run directory or .pt of ours) and "
                    "model.encoder_torchscript for system posthoc_tau");
    }
}

/** Every key of the table, read and checked on its own, then the rules between keys. */
ExperimentConfig readExperiment(ConfigReader& reader)
{
    ExperimentConfig config;
    for (const ConfigKey& key : configKeyTable()) {
        key.read(reader, config);
    }
    checkConsistency(reader, config);
    return config;
}

ExperimentConfig loadFromNode(YAML::Node root, const std::string& source, const ConfigLoadOptions& options)
{
    if (root.IsNull()) {
        root = YAML::Node(YAML::NodeType::Map);
    }
    if (!root.IsMap()) {
        throw ConfigError(source, 1, "", "expected a mapping of keys to values at the top level");
    }
    if (isOriginalLayout(root)) {
        try {
            translateOriginalLayout(root, source, options.warn);
        } catch (const YAML::Exception& error) {
            // A value of the wrong shape where the original's layout has a mapping or a scalar (found by fuzzing).
            throw ConfigError(source, error.mark.is_null() ? 0 : error.mark.line + 1, "",
                              "not a config in the original repository's layout: " + error.msg);
        }
    }
    ConfigReader reader(root, source);
    for (const auto& assignment : options.overrides) {
        reader.applyOverride(assignment);
    }
    ExperimentConfig config = readExperiment(reader);
    reader.rejectUnknownKeys(options.warn);
    config.sourcePath = source;
    return config;
}

} // namespace

std::vector<std::string> configChoices(const std::string& keyPath)
{
    for (const ConfigKey& key : configKeyTable()) {
        if (key.path == keyPath) {
            return key.choices ? key.choices() : std::vector<std::string>();
        }
    }
    return {};
}

std::vector<ConfigKeyReference> configKeyReference()
{
    std::vector<ConfigKeyReference> keys;
    const ExperimentConfig defaults;
    for (const ConfigKey& key : configKeyTable()) {
        YAML::Emitter value;
        value.SetDoublePrecision(15);
        key.write(value, defaults);
        keys.push_back({key.path, value.c_str(), key.help, key.choices ? key.choices() : std::vector<std::string>()});
    }
    return keys;
}

ExperimentConfig loadConfigText(const std::string& text, const std::string& sourceName,
                                const ConfigLoadOptions& options)
{
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::ParserException& error) {
        throw ConfigError(sourceName, error.mark.is_null() ? 0 : error.mark.line + 1, "",
                          "not valid YAML: " + error.msg);
    }
    return loadFromNode(root, sourceName, options);
}

ExperimentConfig loadConfigFile(const std::string& path, const ConfigLoadOptions& options)
{
    std::ifstream file(path);
    if (!file) {
        throw ConfigError(path, 0, "", "cannot open the config file (does it exist and is it readable?)");
    }
    std::stringstream text;
    text << file.rdbuf();
    return loadConfigText(text.str(), path, options);
}

} // namespace tau::core
