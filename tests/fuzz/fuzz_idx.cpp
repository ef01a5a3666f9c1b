// libFuzzer target: the IDX decoder must reject any bytes with a DataError, never crash.
#include "core/common/error.h"
#include "core/data/idx_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
        tau::core::decodeIdx(std::vector<uint8_t>(data, data + size), "fuzz");
    } catch (const tau::core::DataError&) {
    }
    return 0;
}
