#pragma once

#include "core/data/dataset_catalog.h"
#include "core/data/image_dataset.h"
#include "core/schema/experiment_config.h"

#include <string>
#include <vector>

namespace tau::core {

/**
 * Loads a split of a real dataset, then applies dataset.classes and dataset.limit. Folders of images are decoded
 * for @p use: the evaluation transform, or for training views the whole image (then viewSize says the crop).
 * @throws DataError naming the missing or corrupt file and what was expected there.
 */
ImageDataset loadDataset(const DataConfig& config, Split split, const DataSettings& settings = {},
                         ImageUse use = ImageUse::Evaluation);

/**
 * A synthetic or derived OOD set shaped like @p reference (the in-distribution test set): gaussian_noise,
 * uniform_noise, blobs (as many images as the reference, deterministic from @p seed), or inverted and vflip
 * (the reference's images turned into their negatives or upside down).
 */
ImageDataset makeSyntheticDataset(const std::string& name, const ImageDataset& reference, uint64_t seed);

} // namespace tau::core
