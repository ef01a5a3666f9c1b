#pragma once

#include <stdexcept>
#include <string>

namespace tau::core {

/** Base of every error the core reports to a user: the message is meant to be shown as it is. */
class TauError : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

/**
 * A configuration value that is missing, of the wrong type or out of range.
 * The message reads "FILE:LINE: key.path: expected ..., got ...", so a user can jump to the value.
 */
class ConfigError : public TauError
{
public:
    ConfigError(std::string source, int line, std::string keyPath, const std::string& problem);

    const std::string& source() const { return m_source; }
    int line() const { return m_line; }
    const std::string& keyPath() const { return m_keyPath; }

private:
    std::string m_source;
    int m_line;
    std::string m_keyPath;
};

/** A data file that is missing, truncated or not in the expected format. */
class DataError : public TauError
{
public:
    using TauError::TauError;
};

} // namespace tau::core
