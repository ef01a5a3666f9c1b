#include "core/io/path_names.h"

#include <algorithm>
#include <cstdio>

namespace tau::core {

namespace {

bool isControl(char c)
{
    const auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7f;
}

/** @p text with each byte for which @p escape holds written as @p format (a printf format of one byte). */
template <typename Predicate>
std::string escapedBytes(const std::string& text, Predicate escape, const char* format)
{
    std::string result;
    for (const char c : text) {
        if (escape(c)) {
            char code[8];
            std::snprintf(code, sizeof code, format, unsigned(static_cast<unsigned char>(c)));
            result += code;
        } else {
            result += c;
        }
    }
    return result;
}

/** Control characters shown as \xNN, so a message never carries a line break or an escape sequence. */
std::string printable(const std::string& text)
{
    return escapedBytes(text, isControl, "\\x%02X");
}

} // namespace

std::string pathComponentProblem(const std::string& name)
{
    if (name.empty() || name == "." || name == ".." || name.find_first_of("/\\") != std::string::npos) {
        return "expected a non-empty name without '/' or '\\' that is not '.' or '..', got '" + printable(name) + "'";
    }
    if (std::any_of(name.begin(), name.end(), isControl)) {
        return "expected a name without control characters (line breaks, tabs, NUL), got '" + printable(name) + "'";
    }
    return {};
}

std::string fileNamePart(const std::string& text)
{
    return escapedBytes(text, [](char c) { return c == '/' || c == '\\' || c == '%' || isControl(c); }, "%%%02X");
}

} // namespace tau::core
