// libFuzzer target: both CIFAR record layouts.
#include "core/common/error.h"
#include "core/data/cifar_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::vector<uint8_t> bytes(data, data + size);
    for (const auto variant : {tau::core::CifarVariant::Cifar10, tau::core::CifarVariant::Cifar100}) {
        try {
            tau::core::decodeCifar(bytes, variant, "fuzz");
        } catch (const tau::core::DataError&) {
        }
    }
    return 0;
}
