#pragma once

#include "core/schema/experiment_config.h"

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace tau::core {

/** Options for loading a config: command-line overrides and where warnings go. */
struct ConfigLoadOptions
{
    /** "key.path=value" strings applied on top of the file, the value parsed as YAML. */
    std::vector<std::string> overrides;
    /**
     * Receives one line per duplicate key and one listing the original layout's keys that have no effect here.
     * (An unknown key is an error, naming the nearest known key.) Default: ignored.
     */
    std::function<void(const std::string&)> warn;
};

/**
 * Reads and validates a YAML (or JSON) experiment config.
 * @throws ConfigError naming file, line, key path and what was expected, for any invalid value, and for an
 * unknown key (in the file or in an override) with the nearest known key ("did you mean num_epochs?").
 */
ExperimentConfig loadConfigFile(const std::string& path, const ConfigLoadOptions& options = {});

/** The same, from text in memory; @p sourceName is used in messages (e.g. the editor's file name). */
ExperimentConfig loadConfigText(const std::string& text, const std::string& sourceName,
                                const ConfigLoadOptions& options = {});

/** The values a choice key accepts (system, dataset.name, model.encoder, optimizer.name, ...); empty otherwise. */
std::vector<std::string> configChoices(const std::string& keyPath);

/** One config key as the README's key reference documents it. */
struct ConfigKeyReference
{
    std::string path;                 ///< "optimizer.batch_size"
    std::string defaultValue;         ///< as config.yaml writes it
    std::string help;                 ///< one line
    std::vector<std::string> choices; ///< where the key accepts a fixed set
};

/** Every config key, in config.yaml's order, from the one table that reads, checks and writes them. */
std::vector<ConfigKeyReference> configKeyReference();

/** The config as YAML with every key written out, so a run directory records exactly what ran. */
std::string toYaml(const ExperimentConfig& config);

/**
 * What @p config says beyond its seed and names (seed, exp_name, runs_dir cleared): runs whose keys are equal are
 * seeds of one experiment (the experiment table's groups, the results table's methods).
 */
std::string seedlessConfigKey(ExperimentConfig config);

/** Every key of @p config as a dotted path ("optimizer.learning_rate") with its value as toYaml writes it. */
std::vector<std::pair<std::string, std::string>> flattenConfig(const ExperimentConfig& config);

/**
 * The keys whose values differ between @p configs (in toYaml's order), each with every config's value; empty
 * values where a key is missing. seed-only differences show as seed alone.
 */
std::vector<std::pair<std::string, std::vector<std::string>>> differingConfigKeys(const std::vector<ExperimentConfig>& configs);

} // namespace tau::core
