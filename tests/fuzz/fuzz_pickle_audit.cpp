// libFuzzer target: the walk over a pickle's opcodes on raw bytes, with every storage record 4 KiB long. It must
// give a verdict without reading out of bounds or allocating beyond a multiple of the input's size.
#include "core/io/pickle_audit.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    (void)tau::core::auditPickle(data, size, [](const std::string&) { return std::optional<uint64_t>(4096); });
    return 0;
}
