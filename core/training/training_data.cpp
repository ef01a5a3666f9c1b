#include "core/training/training_data.h"

#include "core/common/error.h"
#include "core/data/dataset_registry.h"
#include "core/distributed/communicator.h"
#include "core/schema/experiment_config.h"

namespace tau::core {

ImageDataset loadTrainingSet(const ExperimentConfig& config, int worldSize,
                             const std::function<void(const std::string&)>& say)
{
    const ImageDataset full = loadDataset(config.dataset, Split::Train, config.data, ImageUse::Views);
    if (full.skippedFiles > 0) {
        say(std::to_string(full.skippedFiles) + " undecodable image files were skipped (set data.strict: true to "
            "stop on them instead)");
    }
    ImageDataset dataset = seededSubset(full, config.dataset.trainSubset, uint64_t(config.seed));
    const int batchSize = config.optimizer.batchSize;
    if (batchSize % worldSize != 0) {
        throw ConfigError(config.sourcePath, 0, "optimizer.batch_size",
                          "expected a multiple of the number of processes (" + std::to_string(worldSize) +
                              "): the global batch is split evenly, got " + std::to_string(batchSize));
    }
    if (dataset.size() < batchSize) {
        throw ConfigError(config.sourcePath, 0, "optimizer.batch_size",
                          "expected at most the training set size (" + std::to_string(dataset.size()) +
                              " images), got " + std::to_string(batchSize));
    }
    return dataset;
}

TrainingBatches makeTrainingBatches(const ImageDataset& dataset, const ExperimentConfig& config, int views,
                                    torch::Device device, bool channelsLast, const Communicator& communicator)
{
    AugmentationOptions augmentation;
    augmentation.cropSize = dataset.inputSize();
    augmentation.mean = dataset.mean;
    augmentation.std = dataset.std;
    TrainingBatches batches;
    batches.augmenter = std::make_unique<ViewAugmenter>(augmentation);

    BatchLoaderOptions options;
    options.batchSize = config.optimizer.batchSize;
    options.seed = uint64_t(config.seed);
    options.views = views;
    options.device = device;
    options.viewType = config.precision == "float64" ? torch::kDouble : torch::kFloat;
    options.channelsLast = channelsLast;
    options.rank = communicator.rank();
    options.worldSize = communicator.worldSize();
    batches.loader = std::make_unique<BatchLoader>(dataset, *batches.augmenter, options);
    return batches;
}

} // namespace tau::core
