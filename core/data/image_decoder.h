#pragma once

#include "core/data/raw_images.h"

namespace tau::core {

/** How a decoded image becomes the stored size x size square. */
struct DecodeShape
{
    int size = 0; ///< the stored square's side; 0: the image as it is
    /** The evaluation transform (the README's "Configs"), as torchvision's Resize(resize) + CenterCrop(size): the shorter
     *  side scaled to resize (0: to size), then the centre size x size square. */
    int resize = 0;
    /** Instead, the whole image stretched to size x size: training views are cut from it as from the original,
     *  a crop box drawn on the image's own extent and mapped onto the square (ImageDataset::gather gives it). */
    bool whole = false;
};

/**
 * The evaluation Resize before a CenterCrop of @p cropSize (the README's "Configs"): ImageNet's 256 for 224, the same central
 * 87.5% for larger crops, and the whole image (cropSize itself) for the small sets of 28, 32 and 64 pixels.
 */
int evaluationResize(int cropSize);

/**
 * Why an image whose header declares @p width x @p height pixels is refused before it is decoded: a few hundred bytes
 * of PNG can declare gigapixels. Empty when it is accepted (up to 134 megapixels, above any camera's photographs).
 */
std::string imageSizeProblem(int64_t width, int64_t height);

/**
 * Decodes one PNG, JPEG or BMP image (stb) into a single-image RawImages of @p channels (1 or 3) channels, shaped
 * as @p shape says. @p extent, when given, receives the image's size in the file.
 * @throws DataError naming @p source when the bytes are not a decodable image.
 */
RawImages decodeImage(const std::vector<uint8_t>& bytes, int channels, const DecodeShape& shape,
                      const std::string& source, ImageExtent* extent = nullptr);

} // namespace tau::core
