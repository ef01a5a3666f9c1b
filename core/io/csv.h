#pragma once

// Torch-free RFC 4180 CSV: what the tool writes (class names from folder names, set names from paths) reads back.

#include <istream>
#include <string>
#include <vector>

namespace tau::core {

/** @p text as one CSV field: quoted (with quotes doubled) when it holds a comma, a quote or a line break. */
std::string csvField(const std::string& text);

/**
 * Reads the next record from @p stream into @p fields: quoted fields may hold commas, doubled quotes and line
 * breaks; a CR before the LF is dropped. @return false at the end of the stream.
 */
bool readCsvRecord(std::istream& stream, std::vector<std::string>& fields);

} // namespace tau::core
