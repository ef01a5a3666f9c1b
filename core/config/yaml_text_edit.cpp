#include "core/config/yaml_text_edit.h"

#include "core/config/original_layout.h"

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include <sstream>
#include <vector>

namespace tau::core {

namespace {

std::vector<std::string> splitLines(const std::string& text)
{
    std::vector<std::string> lines;
    std::stringstream stream(text);
    for (std::string line; std::getline(stream, line);) {
        lines.push_back(line);
    }
    return lines;
}

size_t indentOf(const std::string& line)
{
    const size_t first = line.find_first_not_of(' ');
    return first == std::string::npos ? line.size() : first;
}

bool isContent(const std::string& line)
{
    const size_t first = line.find_first_not_of(' ');
    return first != std::string::npos && line[first] != '#';
}

/** Whether @p line (after its indentation) starts with `key:`. */
bool definesKey(const std::string& line, const std::string& key)
{
    const size_t start = indentOf(line);
    return line.compare(start, key.size(), key) == 0 && line.size() > start + key.size() &&
           line[start + key.size()] == ':';
}

/** The line with its value replaced, keeping the key, its indentation and a trailing comment. */
std::string withValue(const std::string& line, const std::string& key, const std::string& value)
{
    const size_t valueStart = indentOf(line) + key.size() + 1;
    std::string comment;
    const size_t hash = line.find(" #", valueStart);
    if (hash != std::string::npos) {
        // Keep the comment's '#' in its column, at least one space after the new value.
        const size_t valueEnd = valueStart + 1 + value.size();
        const size_t spaces = hash + 1 > valueEnd ? hash + 1 - valueEnd : 1;
        comment = std::string(spaces, ' ') + line.substr(hash + 1);
    }
    return line.substr(0, valueStart) + " " + value + comment;
}

bool isJsonDocument(const std::string& text)
{
    const size_t first = text.find_first_not_of(" \t\r\n");
    return first != std::string::npos && text[first] == '{';
}

/** The JSON document with the value set, key order kept; false when @p text is not JSON. */
bool setJsonValue(std::string& text, const std::string& keyPath, const std::string& value)
{
    nlohmann::ordered_json root = nlohmann::ordered_json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (root.is_discarded() || !root.is_object()) {
        return false;
    }
    nlohmann::ordered_json parsed = nlohmann::ordered_json::parse(value, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded() || parsed.is_object() || parsed.is_array()) {
        parsed = value; // a bare word (tau_simclr, cpu) is a string
    }
    nlohmann::ordered_json* node = &root;
    std::stringstream parts(keyPath);
    std::vector<std::string> keys;
    for (std::string key; std::getline(parts, key, '.');) {
        keys.push_back(key);
    }
    for (size_t i = 0; i + 1 < keys.size(); ++i) {
        nlohmann::ordered_json& child = (*node)[keys[i]];
        if (!child.is_object()) {
            child = nlohmann::ordered_json::object();
        }
        node = &child;
    }
    (*node)[keys.back()] = parsed;
    // Bytes that are not UTF-8 (a value typed in another encoding) become U+FFFD instead of an exception.
    text = root.dump(4, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
    return true;
}

/** A YAML document with a flow-style section: set through the parsed document and written out again. */
bool setParsedYamlValue(std::string& text, const std::string& section, const std::string& key, const std::string& value)
{
    try {
        YAML::Node root = YAML::Load(text);
        YAML::Node parsed = YAML::Load(value);
        if (!parsed.IsScalar()) {
            parsed = YAML::Node(value);
        }
        if (section.empty()) {
            root[key] = parsed;
        } else {
            root[section][key] = parsed;
        }
        YAML::Emitter out;
        out << root;
        text = std::string(out.c_str()) + "\n";
        return true;
    } catch (const YAML::Exception&) {
        return false;
    }
}

bool parsesAsYaml(const std::string& text)
{
    try {
        YAML::Load(text);
        return true;
    } catch (const YAML::Exception&) {
        return false;
    }
}

std::string joinLines(const std::vector<std::string>& lines)
{
    std::string text;
    for (const std::string& line : lines) {
        text += line + "\n";
    }
    return text;
}

bool setBlockYamlValue(std::string& text, const std::string& keyPath, const std::string& value);

} // namespace

bool setYamlValue(std::string& text, const std::string& keyPath, const std::string& value)
{
    std::string edited = text;
    try {
        const bool done = (isJsonDocument(edited) && setJsonValue(edited, keyPath, value)) ||
                          (!isJsonDocument(edited) && setBlockYamlValue(edited, keyPath, value));
        if (!done || !parsesAsYaml(edited)) {
            return false; // text the tool writes must parse again
        }
    } catch (const std::exception&) {
        return false; // whatever a library throws on odd input, the text stays as it was
    }
    text = edited;
    return true;
}

bool setConfigValue(std::string& text, const std::string& keyPath, const std::string& value)
{
    bool original = false;
    try {
        original = isOriginalLayout(YAML::Load(text));
    } catch (const YAML::Exception&) {
        return false;
    }
    if (!original) {
        return setYamlValue(text, keyPath, value);
    }
    std::string edited = text;
    for (const auto& [key, translated] : originalLayoutEdits(keyPath, value)) {
        if (!setYamlValue(edited, key, translated)) {
            return false;
        }
    }
    text = edited;
    return true;
}

namespace {

bool setBlockYamlValue(std::string& text, const std::string& keyPath, const std::string& value)
{
    std::vector<std::string> lines = splitLines(text);
    const size_t dot = keyPath.find('.');
    if (dot == std::string::npos) {
        for (std::string& line : lines) {
            if (indentOf(line) == 0 && definesKey(line, keyPath)) {
                line = withValue(line, keyPath, value);
                text = joinLines(lines);
                return true;
            }
        }
        lines.push_back(keyPath + ": " + value);
        text = joinLines(lines);
        return true;
    }
    const std::string section = keyPath.substr(0, dot);
    const std::string key = keyPath.substr(dot + 1);
    for (size_t i = 0; i < lines.size(); ++i) {
        if (indentOf(lines[i]) != 0 || !definesKey(lines[i], section)) {
            continue;
        }
        const std::string rest = lines[i].substr(section.size() + 1);
        if (rest.find('{') != std::string::npos) {
            return setParsedYamlValue(text, section, key, value); // flow style: not edited line by line
        }
        size_t end = i + 1;
        size_t childIndent = 2;
        size_t lastChild = i;
        for (; end < lines.size(); ++end) {
            if (!isContent(lines[end])) {
                continue;
            }
            if (indentOf(lines[end]) == 0) {
                break;
            }
            if (lastChild == i) {
                childIndent = indentOf(lines[end]);
            }
            lastChild = end;
            if (indentOf(lines[end]) == childIndent && definesKey(lines[end], key)) {
                lines[end] = withValue(lines[end], key, value);
                text = joinLines(lines);
                return true;
            }
        }
        lines.insert(lines.begin() + long(lastChild + 1), std::string(childIndent, ' ') + key + ": " + value);
        text = joinLines(lines);
        return true;
    }
    lines.push_back(section + ":");
    lines.push_back("  " + key + ": " + value);
    text = joinLines(lines);
    return true;
}

} // namespace

} // namespace tau::core
