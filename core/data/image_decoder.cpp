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

/** 134 megapixels (11,585 pixels square, 400 MB decoded): above any camera's photographs and any dataset's images. */
constexpr int64_t kMaxImagePixels = int64_t(1) << 27;

struct StbFree
{
    void operator()(unsigned char* pixels) const { stbi_image_free(pixels); }
};

/**
 * Resamples interleaved pixels with stb's default filters (Mitchell when shrinking, Catmull-Rom when enlarging);
 * PIL's BILINEAR differs by about a grey level on photographs. (stb's triangle filter trips its own assertion on
 * some shrink factors.)
 */
std::vector<uint8_t> resample(const unsigned char* pixels, int width, int height, int toWidth, int toHeight,
                              int channels, const std::string& source)
{
    std::vector<uint8_t> resized(size_t(toWidth) * size_t(toHeight) * size_t(channels));
    if (!stbir_resize_uint8_generic(pixels, width, height, 0, resized.data(), toWidth, toHeight, 0, channels,
                                    STBIR_ALPHA_CHANNEL_NONE, 0, STBIR_EDGE_CLAMP, STBIR_FILTER_DEFAULT,
                                    STBIR_COLORSPACE_LINEAR, nullptr)) {
        throw DataError(source + ": could not resize the image");
    }
    return resized;
}

/** torchvision's Resize(resize) + CenterCrop(size) of interleaved pixels, with its rounding. */
std::vector<uint8_t> resizeAndCentreCrop(const unsigned char* pixels, int width, int height, int resize, int size,
                                         int channels, const std::string& source)
{
    // The shorter side becomes `resize`, the longer int(resize * long / short), truncated as torchvision does;
    // an image whose shorter side already has that length is left as it is.
    int outWidth = width, outHeight = height;
    std::vector<uint8_t> resized;
    if (std::min(width, height) != resize) {
        const int shorter = std::min(width, height), longer = std::max(width, height);
        const int newLonger = int(int64_t(resize) * longer / shorter);
        outWidth = width <= height ? resize : newLonger;
        outHeight = width <= height ? newLonger : resize;
        resized = resample(pixels, width, height, outWidth, outHeight, channels, source);
    } else {
        resized.assign(pixels, pixels + size_t(width) * size_t(height) * size_t(channels));
    }
    // CenterCrop: offsets round((side - size) / 2), Python's round (halves to even).
    const auto top = int(std::nearbyint((outHeight - size) / 2.0)), left = int(std::nearbyint((outWidth - size) / 2.0));
    std::vector<uint8_t> cropped(size_t(size) * size_t(size) * size_t(channels));
    for (int row = 0; row < size; ++row) {
        const uint8_t* from = resized.data() + (size_t(top + row) * size_t(outWidth) + size_t(left)) * size_t(channels);
        std::copy(from, from + size * channels, cropped.data() + size_t(row) * size_t(size) * size_t(channels));
    }
    return cropped;
}

} // namespace

std::string imageSizeProblem(int64_t width, int64_t height)
{
    if (width * height <= kMaxImagePixels) {
        return {};
    }
    return "declares " + std::to_string(width) + " x " + std::to_string(height) + " pixels, more than the " +
           std::to_string(kMaxImagePixels / 1'000'000) + " megapixels an image may have here (damaged, crafted, or "
           "not a photograph)";
}

int evaluationResize(int cropSize)
{
    return cropSize >= 224 ? int(std::lround(cropSize * 256.0 / 224.0)) : cropSize;
}

RawImages decodeImage(const std::vector<uint8_t>& bytes, int channels, const DecodeShape& shape,
                      const std::string& source, ImageExtent* extent)
{
    if (bytes.empty() || bytes.size() > size_t(INT_MAX)) {
        throw DataError(source + ": empty or too large to be an image");
    }
    int width = 0, height = 0, original = 0;
    if (stbi_info_from_memory(bytes.data(), int(bytes.size()), &width, &height, &original)) {
        if (const std::string problem = imageSizeProblem(width, height); !problem.empty()) {
            throw DataError(source + ": " + problem);
        }
    }
    std::unique_ptr<unsigned char, StbFree> decoded(
        stbi_load_from_memory(bytes.data(), int(bytes.size()), &width, &height, &original, channels));
    if (!decoded) {
        throw DataError(source + ": not a decodable image (" + stbi_failure_reason() + ")");
    }
    if (extent != nullptr) {
        *extent = {height, width};
    }
    const int size = shape.size;
    std::vector<uint8_t> interleaved;
    if (size <= 0) {
        interleaved.assign(decoded.get(), decoded.get() + size_t(width) * size_t(height) * size_t(channels));
    } else if (shape.whole) {
        interleaved = resample(decoded.get(), width, height, size, size, channels, source);
    } else {
        interleaved = resizeAndCentreCrop(decoded.get(), width, height, std::max(size, shape.resize), size, channels, source);
    }
    const int outWidth = size > 0 ? size : width, outHeight = size > 0 ? size : height;
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
