// libFuzzer target: SVHN .mat files. matio reads from a path, so each input goes through a temporary file.
#include "core/common/error.h"
#include "core/data/svhn_mat_reader.h"

#include <cstdio>
#include <string>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    static const std::string path = "/tmp/tau_fuzz_svhn_" + std::to_string(getpid()) + ".mat";
    FILE* file = std::fopen(path.c_str(), "wb");
    if (file == nullptr) {
        return 0;
    }
    std::fwrite(data, 1, size, file);
    std::fclose(file);
    try {
        tau::core::readSvhnMat(path);
    } catch (const tau::core::DataError&) {
    }
    return 0;
}
