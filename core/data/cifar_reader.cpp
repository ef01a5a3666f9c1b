#include "core/data/cifar_reader.h"

#include "core/common/error.h"

namespace tau::core {

namespace {
constexpr int64_t kSide = 32;
constexpr int64_t kPixels = 3 * kSide * kSide;
} // namespace

RawImages decodeCifar(const std::vector<uint8_t>& bytes, CifarVariant variant, const std::string& source)
{
    const bool hundred = variant == CifarVariant::Cifar100;
    const int64_t labelBytes = hundred ? 2 : 1;
    const int64_t record = labelBytes + kPixels;
    if (bytes.empty() || int64_t(bytes.size()) % record != 0) {
        throw DataError(source + ": expected a whole number of " + std::to_string(record) + "-byte " +
                        (hundred ? "CIFAR-100" : "CIFAR-10") + " records, got " + std::to_string(bytes.size()) +
                        " bytes (truncated, or the other CIFAR?)");
    }
    RawImages images;
    images.count = int64_t(bytes.size()) / record;
    images.channels = 3;
    images.height = images.width = kSide;
    images.pixels.reserve(size_t(images.count * kPixels));
    const int64_t classes = hundred ? 100 : 10;
    for (int64_t i = 0; i < images.count; ++i) {
        const uint8_t* start = bytes.data() + i * record;
        const int64_t label = start[labelBytes - 1];
        if (label >= classes || (hundred && start[0] >= 20)) {
            throw DataError(source + ": record " + std::to_string(i) + " has label " + std::to_string(label) +
                            ", outside 0.." + std::to_string(classes - 1) + ": not a " +
                            (hundred ? "CIFAR-100" : "CIFAR-10") + " file");
        }
        images.labels.push_back(label);
        if (hundred) {
            images.coarseLabels.push_back(start[0]);
        }
        images.pixels.insert(images.pixels.end(), start + labelBytes, start + record);
    }
    return images;
}

} // namespace tau::core
