#pragma once

#include "core/data/raw_images.h"

namespace tau::core {

/**
 * Reads SVHN's cropped digits (train_32x32.mat, test_32x32.mat): variable X, uint8 32x32x3xN (MATLAB
 * column-major), and y, N labels 1..10 where 10 means the digit 0.
 * @throws DataError naming the file for a missing file, a missing or mis-shaped variable, or a bad label.
 */
RawImages readSvhnMat(const std::string& path);

} // namespace tau::core
