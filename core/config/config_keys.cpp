// Configs as sets of keys: the dotted paths and values toYaml writes, what two configs disagree on, and what a
// run's config says beyond its seed (declared in config_loader.h).

#include "core/config/config_loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <functional>
#include <map>

namespace tau::core {

namespace {

void flattenNode(const YAML::Node& node, const std::string& prefix, std::vector<std::pair<std::string, std::string>>& out)
{
    if (node.IsMap()) {
        for (const auto& item : node) {
            const std::string key = item.first.as<std::string>();
            flattenNode(item.second, prefix.empty() ? key : prefix + "." + key, out);
        }
    } else if (node.IsSequence()) {
        YAML::Emitter flow;
        flow << YAML::Flow << node;
        out.emplace_back(prefix, flow.c_str());
    } else {
        out.emplace_back(prefix, node.IsNull() ? std::string() : node.as<std::string>());
    }
}

} // namespace

std::string seedlessConfigKey(ExperimentConfig config)
{
    config.seed = 0;
    config.expName.clear();
    config.runsDir.clear();
    config.sourcePath.clear();
    return toYaml(config);
}

std::vector<std::pair<std::string, std::string>> flattenConfig(const ExperimentConfig& config)
{
    std::vector<std::pair<std::string, std::string>> keys;
    flattenNode(YAML::Load(toYaml(config)), "", keys);
    return keys;
}

std::vector<std::pair<std::string, std::vector<std::string>>> differingConfigKeys(const std::vector<ExperimentConfig>& configs)
{
    std::vector<std::string> order;
    std::vector<std::map<std::string, std::string>> values;
    for (const ExperimentConfig& config : configs) {
        std::map<std::string, std::string> byKey;
        for (const auto& [key, value] : flattenConfig(config)) {
            if (std::find(order.begin(), order.end(), key) == order.end()) {
                order.push_back(key);
            }
            byKey[key] = value;
        }
        values.push_back(std::move(byKey));
    }
    std::vector<std::pair<std::string, std::vector<std::string>>> differing;
    for (const std::string& key : order) {
        std::vector<std::string> column;
        for (const auto& byKey : values) {
            const auto found = byKey.find(key);
            column.push_back(found == byKey.end() ? std::string() : found->second);
        }
        if (std::adjacent_find(column.begin(), column.end(), std::not_equal_to<>()) != column.end()) {
            differing.emplace_back(key, std::move(column));
        }
    }
    return differing;
}

} // namespace tau::core
