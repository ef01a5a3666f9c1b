#include "core/common/error.h"

namespace tau::core {

namespace {
std::string formatLocation(const std::string& source, int line)
{
    if (line > 0) {
        return source + ":" + std::to_string(line);
    }
    return source;
}
} // namespace

ConfigError::ConfigError(std::string source, int line, std::string keyPath, const std::string& problem)
    : TauError(formatLocation(source, line) + ": " + (keyPath.empty() ? std::string() : keyPath + ": ") +
               problem)
    , m_source(std::move(source))
    , m_line(line)
    , m_keyPath(std::move(keyPath))
{
}

} // namespace tau::core
