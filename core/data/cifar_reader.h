#pragma once

#include "core/data/raw_images.h"

namespace tau::core {

enum class CifarVariant
{
    Cifar10,  ///< records: 1 label byte, 3072 pixel bytes
    Cifar100, ///< records: coarse label byte, fine label byte, 3072 pixel bytes
};

/**
 * Decodes the records of a CIFAR binary file (32x32 RGB, channel planes). For CIFAR-100 the labels are the
 * fine ones (100 classes) and coarseLabels the 20 superclasses.
 * @throws DataError naming @p source when the size is not a whole number of records or a label is out of range.
 */
RawImages decodeCifar(const std::vector<uint8_t>& bytes, CifarVariant variant, const std::string& source);

} // namespace tau::core
