#include "core/config/yaml_text_edit.h"

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

std::string joinLines(const std::vector<std::string>& lines)
{
    std::string text;
    for (const std::string& line : lines) {
        text += line + "\n";
    }
    return text;
}

} // namespace

bool setYamlValue(std::string& text, const std::string& keyPath, const std::string& value)
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
            return false; // flow style: not edited line by line
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

} // namespace tau::core
