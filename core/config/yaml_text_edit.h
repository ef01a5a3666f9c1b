#pragma once

#include <string>

namespace tau::core {

/**
 * Sets `key.path: value` in block-style YAML text, changing only that value: the rest of the text, its
 * comments (also one after the value) and its order stay as the user wrote them. A missing key is added at
 * the end of its section, a missing section at the end of the text. Paths have one or two parts.
 * @return false (and leaves @p text alone) when the section is written in flow style ({...}).
 */
bool setYamlValue(std::string& text, const std::string& keyPath, const std::string& value);

} // namespace tau::core
