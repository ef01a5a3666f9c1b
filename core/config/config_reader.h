#pragma once

// The config reader behind loadConfigText: typed reads of dotted keys out of a YAML tree, --set overrides, the
// rejection of unknown keys with the nearest known one, and errors that name file, line and key. Internal to
// core/config (the key table's rows read through it).

#include "core/common/error.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

namespace tau::core {

inline std::vector<std::string> splitPath(const std::string& path)
{
    std::vector<std::string> parts;
    std::stringstream stream(path);
    std::string part;
    while (std::getline(stream, part, '.')) {
        parts.push_back(part);
    }
    return parts;
}

inline std::string joinChoices(const std::vector<std::string>& choices)
{
    std::string joined;
    for (const auto& choice : choices) {
        joined += (joined.empty() ? "" : ", ") + choice;
    }
    return joined;
}

/** Levenshtein's distance: the fewest insertions, deletions and substitutions turning @p a into @p b. */
inline size_t editDistance(const std::string& a, const std::string& b)
{
    std::vector<size_t> previous(b.size() + 1), current(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) {
        previous[j] = j;
    }
    for (size_t i = 1; i <= a.size(); ++i) {
        current[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
        }
        std::swap(previous, current);
    }
    return previous[b.size()];
}

/**
 * How far @p typed is from @p known as a typo: the edit distance to the known key, or to the known key cut after
 * one of its words in the last part ("optimizer.bach" is one edit from "optimizer.batch", of batch_size), plus one.
 */
inline size_t typoDistance(const std::string& typed, const std::string& known)
{
    size_t best = editDistance(typed, known);
    const size_t lastPart = known.rfind('.') == std::string::npos ? 0 : known.rfind('.') + 1;
    for (size_t cut = known.find('_', lastPart); cut != std::string::npos; cut = known.find('_', cut + 1)) {
        best = std::min(best, editDistance(typed, known.substr(0, cut)) + 1);
    }
    return best;
}

/** Reads typed values out of a YAML tree, remembering which keys it used, and names key and line on error. */
class ConfigReader
{
public:
    ConfigReader(YAML::Node root, std::string source) : m_root(std::move(root)), m_source(std::move(source)) {}

    void applyOverride(const std::string& assignment)
    {
        const auto equals = assignment.find('=');
        if (equals == std::string::npos || equals == 0) {
            throw ConfigError("--set " + assignment, 0, "", "expected key.path=value");
        }
        const std::string path = assignment.substr(0, equals);
        YAML::Node value;
        try {
            value = YAML::Load(assignment.substr(equals + 1));
        } catch (const YAML::Exception& error) {
            throw ConfigError("--set " + assignment, 0, path, "the value is not valid YAML: " + error.msg);
        }
        // yaml-cpp nodes are handles: rebinding one in a loop would rewrite the map, so recurse instead.
        setAt(m_root, splitPath(path), 0, value, assignment);
        m_overrides[path] = assignment;
    }

    template <typename T>
    void read(const std::string& path, T& target)
    {
        m_known.insert(path);
        const YAML::Node node = find(path);
        if (!node) {
            return; // keep the default
        }
        if (node.IsNull()) {
            // `key:` or `key: null`: an empty string is a natural reading; anything else needs a value.
            if constexpr (std::is_same_v<T, std::string>) {
                target.clear();
                return;
            }
            fail(path, node, std::string("expected ") + typeName<T>() + ", got null");
        }
        try {
            target = node.as<T>();
        } catch (const YAML::Exception&) {
            fail(path, node, std::string("expected ") + typeName<T>() + ", got " + describe(node));
        }
    }

    void readChoice(const std::string& path, std::string& target, const std::vector<std::string>& choices)
    {
        read(path, target);
        for (const auto& choice : choices) {
            if (target == choice) {
                return;
            }
        }
        fail(path, find(path), "expected one of " + joinChoices(choices) + ", got '" + target + "'");
    }

    template <typename T>
    void readAtLeast(const std::string& path, T& target, T minimum, const char* expectation)
    {
        read(path, target);
        if (target < minimum) {
            fail(path, find(path), std::string("expected ") + expectation + ", got " + describe(find(path)));
        }
    }

    void readRange(const std::string& path, double& target, double low, double high, const char* expectation)
    {
        read(path, target);
        if (!(target >= low && target <= high)) {
            fail(path, find(path), std::string("expected ") + expectation + ", got " + describe(find(path)));
        }
    }

    /**
     * A key no read asked for is a typo that would silently leave its value at the default and run another
     * experiment: an error naming the nearest known key. Duplicate keys only warn (YAML keeps the last).
     */
    void rejectUnknownKeys(const std::function<void(const std::string&)>& warn) const
    {
        std::vector<std::pair<std::string, int>> unknown;
        collectUnknown(m_root, "", warn, unknown);
        if (unknown.empty()) {
            return;
        }
        const auto& [key, line] = unknown.front();
        std::string problem = "unknown key";
        if (const std::string nearest = nearestKnownKey(key); !nearest.empty()) {
            problem += " (did you mean " + nearest + "?)";
        }
        if (unknown.size() > 1) {
            problem += "; also unknown:";
            for (size_t i = 1; i < unknown.size(); ++i) {
                problem += " " + unknown[i].first + (i + 1 < unknown.size() ? "," : "");
            }
        }
        const auto overridden = m_overrides.find(key);
        if (overridden != m_overrides.end()) {
            throw ConfigError("--set " + overridden->second, 0, key, problem);
        }
        throw ConfigError(m_source, line, key, problem);
    }

    [[noreturn]] void fail(const std::string& path, const YAML::Node& node, const std::string& problem) const
    {
        const auto overridden = m_overrides.find(path);
        if (overridden != m_overrides.end()) {
            throw ConfigError("--set " + overridden->second, 0, path, problem);
        }
        // Callers checking a value after reading it pass an empty node: locate the key ourselves.
        const bool located = node && !node.Mark().is_null();
        throw ConfigError(m_source, lineOf(located ? node : find(path)), path, problem);
    }

private:
    static int lineOf(const YAML::Node& node)
    {
        return (node && !node.Mark().is_null()) ? node.Mark().line + 1 : 0;
    }

    static std::string describe(const YAML::Node& node)
    {
        if (!node) {
            return "nothing";
        }
        if (node.IsScalar()) {
            return "'" + node.Scalar() + "'";
        }
        return node.IsSequence() ? "a list" : "a mapping";
    }

    template <typename T>
    static const char* typeName()
    {
        if constexpr (std::is_same_v<T, bool>) {
            return "true or false";
        } else if constexpr (std::is_same_v<T, std::vector<int>>) {
            return "a list of integers";
        } else if constexpr (std::is_same_v<T, std::map<std::string, std::string>>) {
            return "a mapping of dataset names to folders";
        } else if constexpr (std::is_integral_v<T>) {
            return "an integer";
        } else if constexpr (std::is_floating_point_v<T>) {
            return "a number";
        } else {
            return "a string";
        }
    }

    YAML::Node find(const std::string& path) const
    {
        // Descend with fresh handles; Node::operator= on a bound handle would overwrite the map entry.
        return findIn(m_root, splitPath(path), 0);
    }

    YAML::Node findIn(const YAML::Node& node, const std::vector<std::string>& parts, size_t index) const
    {
        if (index == parts.size()) {
            return node;
        }
        if (node.IsNull()) {
            return YAML::Node(YAML::NodeType::Undefined); // `loss:` with nothing under it: every default
        }
        if (!node.IsMap()) {
            std::string section = parts[0];
            for (size_t part = 1; part < index; ++part) {
                section += "." + parts[part];
            }
            throw ConfigError(m_source, lineOf(node), section, "expected a mapping of keys, got " + describe(node));
        }
        const YAML::Node child = node[parts[index]];
        if (!child) {
            return YAML::Node(YAML::NodeType::Undefined);
        }
        return findIn(child, parts, index + 1);
    }

    static void setAt(YAML::Node node, const std::vector<std::string>& parts, size_t index,
                      const YAML::Node& value, const std::string& assignment)
    {
        if (index + 1 == parts.size()) {
            node[parts[index]] = value;
            return;
        }
        YAML::Node child = node[parts[index]];
        if (child && !child.IsMap()) {
            throw ConfigError("--set " + assignment, 0, parts[index], "is not a section, cannot set a key inside it");
        }
        if (!child) {
            node[parts[index]] = YAML::Node(YAML::NodeType::Map);
            child = node[parts[index]];
        }
        setAt(child, parts, index + 1, value, assignment);
    }

    void collectUnknown(const YAML::Node& node, const std::string& prefix,
                        const std::function<void(const std::string&)>& warn,
                        std::vector<std::pair<std::string, int>>& unknown) const
    {
        std::map<std::string, int> firstLine; // YAML keeps only one of two equal keys: say which
        for (const auto& entry : node) {
            if (!entry.first.IsScalar()) { // `? [a, b]: 1` is YAML, but not a config key (found by fuzzing)
                throw ConfigError(m_source, lineOf(entry.first), prefix.empty() ? "" : prefix.substr(0, prefix.size() - 1),
                                  "expected a key name, got " + describe(entry.first));
            }
            const std::string key = prefix + entry.first.Scalar();
            const int keyLine = lineOf(entry.first);
            const auto [seen, isNew] = firstLine.emplace(key, keyLine);
            if (!isNew) {
                if (warn) {
                    warn(m_source + ":" + std::to_string(keyLine) + ": duplicate key '" + key +
                         "'; the value at line " + std::to_string(seen->second) + " is the one used");
                }
                continue;
            }
            if (m_known.count(key)) {
                continue;
            }
            if (entry.second.IsMap() && isSectionPrefix(key)) {
                collectUnknown(entry.second, key + ".", warn, unknown);
                continue;
            }
            unknown.emplace_back(key, keyLine);
        }
    }

    /** The known key (or section) nearest to @p key in edits, or empty when none is near enough to be meant. */
    std::string nearestKnownKey(const std::string& key) const
    {
        std::set<std::string> candidates;
        for (const std::string& known : m_known) {
            for (size_t dot = known.find('.'); dot != std::string::npos; dot = known.find('.', dot + 1)) {
                candidates.insert(known.substr(0, dot)); // its sections: a misspelt section is a typo too
            }
            candidates.insert(known);
        }
        std::string best;
        size_t bestDistance = std::max<size_t>(2, key.size() / 3) + 1; // further than this is not a typo
        for (const std::string& candidate : candidates) {
            const size_t distance = typoDistance(key, candidate);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best;
    }

    bool isSectionPrefix(const std::string& key) const
    {
        const std::string prefix = key + ".";
        for (const auto& known : m_known) {
            if (known.compare(0, prefix.size(), prefix) == 0) {
                return true;
            }
        }
        return false;
    }

    YAML::Node m_root;
    std::string m_source;
    std::set<std::string> m_known;
    std::map<std::string, std::string> m_overrides;
};

} // namespace tau::core
