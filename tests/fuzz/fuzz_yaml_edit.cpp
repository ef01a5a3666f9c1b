// libFuzzer target: the config form's text edit. Whatever the text, key and value, an edit that reports success
// leaves text that parses again (the rule for every text the tool writes); otherwise the text is untouched.
#include "core/config/yaml_text_edit.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    // Input: KEY '\n' VALUE '\n' TEXT
    const std::string input(reinterpret_cast<const char*>(data), size);
    const size_t first = input.find('\n');
    const size_t second = first == std::string::npos ? std::string::npos : input.find('\n', first + 1);
    if (second == std::string::npos || first == 0 || first > 40) {
        return 0;
    }
    const std::string key = input.substr(0, first);
    const std::string value = input.substr(first + 1, second - first - 1);
    const std::string original = input.substr(second + 1);
    std::string text = original;
    const bool edited = tau::core::setConfigValue(text, key, value);
    if (!edited && text != original) {
        std::abort(); // a refused edit changed the text
    }
    if (edited) {
        try {
            YAML::Load(text);
        } catch (const YAML::Exception&) {
            std::abort(); // reported success, wrote text that does not parse
        }
    }
    return 0;
}
