#pragma once

#include "core/config/experiment_config.h"
#include "core/data/augmentation.h"
#include "core/data/dataset_registry.h"
#include "core/training/objective.h"

#include <memory>
#include <string>

namespace tau::core {

/** A trained run ready for evaluation: its config, its model in eval mode, a dataset and its transform. */
struct LoadedRun
{
    std::string runDirectory;
    std::string checkpointFile;
    ExperimentConfig config;
    DataConfig data; ///< the evaluated dataset (the run's own unless overridden), without the training subset
    ImageDataset images;
    std::unique_ptr<TrainingObjective> objective;
    std::unique_ptr<ViewAugmenter> transform; ///< the evaluation transform with the dataset's statistics
};

/** A checkpoint file, or RUN_DIR/checkpoints/last.pt for a run directory. */
std::string checkpointFileOf(const std::string& location);

/**
 * Loads the run of @p checkpoint (a .pt or a run directory), the @p split of its dataset (or of
 * @p datasetOverride), at most @p limit images of it (0: all), and its model in eval mode on @p device.
 * @throws DataError / TauError naming what is missing.
 */
LoadedRun loadRun(const std::string& checkpoint, const std::string& datasetOverride, long long limit, Split split,
                  const torch::Device& device);

/**
 * An OOD set ready for a model trained on @p inTest: synthetic sets are made from it (seeded), real sets are
 * decoded at its image size, and every set keeps the in-distribution normalisation. At most @p limit images.
 * "NAME@8+9" keeps only classes 8 and 9 of NAME's test split: held-out classes of the training set, say.
 */
ImageDataset loadOodSet(const std::string& name, const ImageDataset& inTest, const DataSettings& settings,
                        long long limit, uint64_t seed);

/** Converts between grayscale and RGB so images fit a model's input channels. */
torch::Tensor matchChannels(const torch::Tensor& images, int64_t channels);

} // namespace tau::core
