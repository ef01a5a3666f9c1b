// libFuzzer target: the checkpoint integrity check reads a zip directory from untrusted bytes; it must answer
// with a message or "whole", never read out of bounds or crash.
#include "core/io/zip_integrity.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    (void)tau::core::zipIntegrityProblem(std::vector<uint8_t>(data, data + size));
    return 0;
}
