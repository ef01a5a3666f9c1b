#pragma once

#include <string>

namespace tau::core {

/**
 * Sets `key.path: value` in block-style YAML text, changing only that value: the rest of the text, its
 * comments (also one after the value) and its order stay as the user wrote them. A missing key is added at
 * the end of its section, a missing section at the end of the text. Paths have one or two parts.
 * A JSON document (the original repository's configs) is edited as JSON, keeping its key order; a section in YAML
 * flow style ({...}) is edited through the parsed document (comments in that document are then lost).
 * The result always parses again. @return false (and leaves @p text alone) when @p text does not parse as YAML.
 */
bool setYamlValue(std::string& text, const std::string& keyPath, const std::string& value);

/**
 * What the config form calls: setYamlValue with our key paths, translated first into the original's keys when
 * @p text is a config of the original repository's layout (see originalLayoutEdits), so the file keeps its layout.
 */
bool setConfigValue(std::string& text, const std::string& keyPath, const std::string& value);

} // namespace tau::core
