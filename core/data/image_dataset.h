#pragma once

#include "core/data/raw_images.h"
#include "core/schema/experiment_config.h"

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

/** What a set's images are decoded for (folders of large images keep more of the image for training views). */
enum class ImageUse
{
    Evaluation, ///< the evaluation transform, done once: Resize + CenterCrop (the README's "Configs")
    Views       ///< random training views: the whole image, the crop drawn on it per view
};

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
    /** int64 [N]: each image's position in its split as read, before any subset; undefined: 0 .. N-1. */
    torch::Tensor sourceIndices;
    std::vector<std::string> classNames;
    std::vector<double> mean; ///< per channel, in [0, 1]: what Normalize subtracts (the ID set's for OOD sets)
    std::vector<double> std;
    int64_t skippedFiles = 0; ///< undecodable files of a folder, left out
    /** The side of the views and model inputs made from the images; 0: imageSize(). Larger stored images (the
     *  whole image of an ImageNet-sized set, kept for training views) are cropped down to it. */
    int64_t viewSize = 0;

    int64_t size() const;
    int64_t channels() const;
    int64_t imageSize() const; ///< the side of the stored images
    int64_t inputSize() const { return viewSize > 0 ? viewSize : imageSize(); }
    /** sourceIndices, or 0 .. N-1 for a set as read. */
    torch::Tensor positionsInSource() const;

    /**
     * uint8 [B, C, H, W] images at @p indices (decoding lazily stored ones). @p extents, when given, receives the
     * size of each image as its file holds it (what a training view's crop box is drawn on): the stored size
     * for sets held in memory.
     */
    torch::Tensor gather(const torch::Tensor& indices, std::vector<ImageExtent>* extents = nullptr) const;
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
