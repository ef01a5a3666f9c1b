// The resolved config as YAML (config.yaml of every run): every key of the key table with its value, in the
// layout of configs/default.yaml, so that loadConfigText reads it back to the same experiment.

#include "core/config/config_key_table.h"
#include "core/config/config_loader.h"

#include <yaml-cpp/yaml.h>

namespace tau::core {

std::string toYaml(const ExperimentConfig& config)
{
    YAML::Emitter out;
    out.SetDoublePrecision(15); // 0.0003, not 0.00029999999999999997
    out << YAML::BeginMap;
    std::string openSection; // the rows of one section are contiguous in the table
    for (const ConfigKey& key : configKeyTable()) {
        const size_t dot = key.path.find('.');
        const std::string section = dot == std::string::npos ? std::string() : key.path.substr(0, dot);
        if (section != openSection) {
            if (!openSection.empty()) {
                out << YAML::EndMap;
            }
            if (!section.empty()) {
                out << YAML::Key << section << YAML::Value << YAML::BeginMap;
            }
            openSection = section;
        }
        out << YAML::Key << key.path.substr(dot == std::string::npos ? 0 : dot + 1) << YAML::Value;
        key.write(out, config);
    }
    if (!openSection.empty()) {
        out << YAML::EndMap;
    }
    out << YAML::EndMap;
    return std::string(out.c_str()) + "\n";
}

} // namespace tau::core
