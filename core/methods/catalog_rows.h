#pragma once

#include "core/common/error.h"

#include <string>
#include <vector>

namespace tau::core {

/** The row called @p name of a catalogue. @throws TauError naming the @p kind and listing the known names. */
template <typename Row>
const Row& rowNamed(const std::vector<Row>& rows, const std::string& name, const char* kind)
{
    std::string known;
    for (const Row& row : rows) {
        if (row.name == name) {
            return row;
        }
        known += (known.empty() ? "" : ", ") + row.name;
    }
    throw TauError("unknown " + std::string(kind) + " '" + name + "' (known: " + known + ")");
}

/** The names of a catalogue's rows, in order. */
template <typename Row>
std::vector<std::string> namesOf(const std::vector<Row>& rows)
{
    std::vector<std::string> names;
    for (const Row& row : rows) {
        names.push_back(row.name);
    }
    return names;
}

} // namespace tau::core
