#pragma once

// The images a run trains on and the batches cut from them: the part of a run's set-up that reads the data.

#include "core/data/augmentation.h"
#include "core/data/batch_loader.h"
#include "core/data/image_dataset.h"

#include <functional>
#include <memory>
#include <string>

namespace tau::core {

class Communicator;
struct ExperimentConfig;

/** The training set's batches for this rank: the augmenter the loader cuts views with, then the loader. */
struct TrainingBatches
{
    std::unique_ptr<ViewAugmenter> augmenter;
    std::unique_ptr<BatchLoader> loader; ///< reads the dataset and the augmenter above: both outlive it
};

/**
 * config's train split, subset by dataset.train_subset and the seed; undecodable files skipped are reported
 * through @p say.
 * @throws ConfigError where optimizer.batch_size does not divide among @p worldSize processes or exceeds the set.
 */
ImageDataset loadTrainingSet(const ExperimentConfig& config, int worldSize,
                             const std::function<void(const std::string&)>& say);

/** Views per image of @p views, on @p device in the run's precision, this rank's share of every global batch. */
TrainingBatches makeTrainingBatches(const ImageDataset& dataset, const ExperimentConfig& config, int views,
                                    torch::Device device, bool channelsLast, const Communicator& communicator);

} // namespace tau::core
