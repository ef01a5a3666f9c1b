#pragma once

#include "core/config/experiment_config.h"
#include "core/data/raw_images.h"

#include <torch/types.h>

#include <memory>
#include <string>
#include <vector>

namespace tau::core {

enum class Split
{
    Train,
    Test
};

class LazyImageFiles;

/**
 * A labelled image set. Small sets are held in memory as uint8 [N, C, H, W]; folders of image files are
 * decoded on demand (LazyImageFiles). Views and normalisation are made per batch.
 */
struct ImageDataset
{
    std::string name;
    torch::Tensor images;                  ///< uint8 [N, C, H, W]; undefined when the set is lazy
    std::shared_ptr<LazyImageFiles> files; ///< the image files of a lazy set
    torch::Tensor labels;                  ///< int64 [N]; -1 for unlabelled images
    std::vector<std::string> classNames;
    std::vector<double> mean; ///< per channel, in [0, 1]: what Normalize subtracts (the ID set's for OOD sets)
    std::vector<double> std;
    int64_t skippedFiles = 0; ///< undecodable files of a folder, left out

    int64_t size() const;
    int64_t channels() const;
    int64_t imageSize() const;

    /** uint8 [B, C, H, W] images at @p indices (decoding lazily stored ones). */
    torch::Tensor gather(const torch::Tensor& indices) const;
};

/** Wraps decoded images (and their labels) as a dataset. */
ImageDataset fromRawImages(const RawImages& raw, const std::string& name);

/** The first @p count images of a shuffle seeded by @p seed (the whole set when count is 0 or too large). */
ImageDataset seededSubset(const ImageDataset& dataset, int64_t count, uint64_t seed);

/** Only the images whose label is in @p classes (labels keep their values). */
ImageDataset selectClasses(const ImageDataset& dataset, const std::vector<int>& classes);

/** Images at @p indices, in that order. */
ImageDataset selectIndices(const ImageDataset& dataset, const torch::Tensor& indices);

} // namespace tau::core
