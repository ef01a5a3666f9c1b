#pragma once

#include "core/config/experiment_config.h"

#include <torch/types.h>

#include <string>
#include <vector>

namespace tau::core {

enum class Split
{
    Train,
    Test
};

/** A labelled image set held in memory as bytes; views and normalisation are made per batch. */
struct ImageDataset
{
    std::string name;
    torch::Tensor images; ///< uint8 [N, C, H, W]
    torch::Tensor labels; ///< int64 [N]
    std::vector<std::string> classNames;
    std::vector<double> mean; ///< per channel, of the training split in [0, 1] (for Normalize)
    std::vector<double> std;

    int64_t size() const { return images.defined() ? images.size(0) : 0; }
    int64_t channels() const { return images.size(1); }
    int64_t imageSize() const { return images.size(2); }
};

/** Where a dataset lives when the config leaves dataset.root empty. */
std::string defaultDatasetRoot(const std::string& name);

/**
 * Loads a split of the named dataset.
 * @throws DataError naming the missing or corrupt file and the expected layout.
 */
ImageDataset loadDataset(const DataConfig& config, Split split);

/** The first @p count images of a shuffle seeded by @p seed (the whole set when count is 0 or too large). */
ImageDataset seededSubset(const ImageDataset& dataset, int64_t count, uint64_t seed);

} // namespace tau::core
