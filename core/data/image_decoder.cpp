#include "core/data/image_decoder.h"

#include "core/common/error.h"

#include <stb_image.h>
#include <stb_image_resize.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <memory>

namespace tau::core {

namespace {

struct StbFree
{
    void operator()(unsigned char* pixels) const { stbi_image_free(pixels); }
};

} // namespace

RawImages decodeImage(const std::vector<uint8_t>& bytes, int channels, int size, const std::string& source)
{
    if (bytes.empty() || bytes.size() > size_t(INT_MAX)) {
        throw DataError(source + ": empty or too large to be an image");
    }
    int width = 0, height = 0, original = 0;
    std::unique_ptr<unsigned char, StbFree> decoded(
        stbi_load_from_memory(bytes.data(), int(bytes.size()), &width, &height, &original, channels));
    if (!decoded) {
        throw DataError(source + ": not a decodable image (" + stbi_failure_reason() + ")");
    }
    int outWidth = width, outHeight = height;
    std::vector<uint8_t> interleaved;
    if (size > 0) {
        // Shorter side to `size`, then the centre size x size square.
        const double scale = double(size) / double(std::min(width, height));
        outWidth = std::max(size, int(std::lround(width * scale)));
        outHeight = std::max(size, int(std::lround(height * scale)));
        std::vector<uint8_t> resized(size_t(outWidth) * size_t(outHeight) * size_t(channels));
        if (!stbir_resize_uint8(decoded.get(), width, height, 0, resized.data(), outWidth, outHeight, 0, channels)) {
            throw DataError(source + ": could not resize the image");
        }
        const int left = (outWidth - size) / 2, top = (outHeight - size) / 2;
        interleaved.resize(size_t(size) * size_t(size) * size_t(channels));
        for (int row = 0; row < size; ++row) {
            const uint8_t* from = resized.data() + (size_t(top + row) * size_t(outWidth) + size_t(left)) * size_t(channels);
            std::copy(from, from + size * channels, interleaved.data() + size_t(row) * size_t(size) * size_t(channels));
        }
        outWidth = outHeight = size;
    } else {
        interleaved.assign(decoded.get(), decoded.get() + size_t(width) * size_t(height) * size_t(channels));
    }
    RawImages image;
    image.count = 1;
    image.channels = channels;
    image.height = outHeight;
    image.width = outWidth;
    image.pixels.resize(interleaved.size());
    // Interleaved HWC to channel planes CHW.
    const size_t plane = size_t(outWidth) * size_t(outHeight);
    for (size_t p = 0; p < plane; ++p) {
        for (int c = 0; c < channels; ++c) {
            image.pixels[size_t(c) * plane + p] = interleaved[p * size_t(channels) + size_t(c)];
        }
    }
    return image;
}

} // namespace tau::core
