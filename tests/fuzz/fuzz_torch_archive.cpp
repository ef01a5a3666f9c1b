// libFuzzer target: the audit of a torch archive (zip directory, record sizes and CRCs, every pickle inside) reads
// untrusted bytes before LibTorch does; it must answer with a problem or a clean bill, never read out of bounds,
// crash, or allocate more than the input justifies (the runner caps allocations at 1 GiB).
#include "core/io/torch_archive.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    (void)tau::core::auditTorchArchive(std::vector<uint8_t>(data, data + size));
    return 0;
}
