// libFuzzer target: RFC 4180 fields. Any bytes read as records; writing the fields back with csvField and
// reading them again gives the same fields.
#include "core/io/csv.h"

#include <cstdlib>
#include <sstream>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    std::istringstream input(std::string(reinterpret_cast<const char*>(data), size));
    std::vector<std::string> fields;
    while (tau::core::readCsvRecord(input, fields)) {
        std::string line;
        for (size_t i = 0; i < fields.size(); ++i) {
            line += (i > 0 ? "," : "") + tau::core::csvField(fields[i]);
        }
        std::istringstream again(line + "\n");
        std::vector<std::string> back;
        if (!tau::core::readCsvRecord(again, back) || back != fields) {
            std::abort();
        }
    }
    return 0;
}
