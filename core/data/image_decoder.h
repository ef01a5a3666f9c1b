#pragma once

#include "core/data/raw_images.h"

namespace tau::core {

/**
 * Decodes one PNG, JPEG or BMP image (stb) into a single-image RawImages of @p channels (1 or 3) channels,
 * resized so its shorter side is @p size and centre-cropped to size x size (METHOD.md §5's evaluation
 * transform, done once at load time). @p size 0 keeps the image as it is.
 * @throws DataError naming @p source when the bytes are not a decodable image.
 */
RawImages decodeImage(const std::vector<uint8_t>& bytes, int channels, int size, const std::string& source);

} // namespace tau::core
