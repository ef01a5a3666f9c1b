#include "core/data/raw_images.h"

#include "core/common/error.h"

#include <fstream>
#include <iterator>

namespace tau::core {

void RawImages::append(const RawImages& other)
{
    if (count == 0) {
        *this = other;
        return;
    }
    if (other.channels != channels || other.height != height || other.width != width) {
        throw DataError("cannot join image sets of different shapes");
    }
    count += other.count;
    pixels.insert(pixels.end(), other.pixels.begin(), other.pixels.end());
    labels.insert(labels.end(), other.labels.begin(), other.labels.end());
    coarseLabels.insert(coarseLabels.end(), other.coarseLabels.begin(), other.coarseLabels.end());
}

std::vector<uint8_t> readWholeFile(const std::string& path)
{
    std::ifstream stream(path, std::ios::binary);
    if (!stream) {
        throw DataError(path + ": file not found or not readable");
    }
    return {std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>()};
}

} // namespace tau::core
