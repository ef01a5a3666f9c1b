#pragma once

#include "core/data/augmentation.h"
#include "core/data/dataset_registry.h"
#include "core/evaluation/model_pass.h"
#include "core/io/run_directory.h"
#include "core/schema/experiment_config.h"
#include "core/training/objective.h"

#include <functional>
#include <map>
#include <memory>
#include <string>

namespace tau::core {

/** Which run to open for evaluation, and which of its images. */
struct RunLoadOptions
{
    std::string checkpoint;      ///< a checkpoint (.pt) of a run, or the run directory (its last.pt)
    std::string datasetOverride; ///< another set to evaluate than the run's own; empty: the run's
    long long limit = 0;         ///< at most N images (a seeded choice); 0: all
    Split split = Split::Test;
    std::map<std::string, std::string> dataRoots; ///< added to the run's data.roots
    /** Called with the run's config before any dataset is read, to refuse early what cannot be done. */
    std::function<void(const ExperimentConfig&)> beforeData;
};

/** A trained run ready for evaluation: its config, its model in eval mode, a dataset and its transform. */
struct LoadedRun
{
    RunPaths paths;
    std::string runDirectory;
    std::string checkpointFile;
    ExperimentConfig config;
    DataConfig data; ///< the evaluated dataset (the run's own unless overridden), without the training subset
    ImageDataset images;
    ModelInput input; ///< what the model was built for: the training set's channels and size
    std::unique_ptr<TrainingObjective> objective;
    std::unique_ptr<ViewAugmenter> transform; ///< the evaluation transform with the dataset's statistics
    torch::Device device = torch::kCPU;

    /** The model as forEachBatch runs it (images of other channel counts are converted to input.channels). */
    EvaluatedModel model() const;
};

/**
 * Loads the run of options.checkpoint, the chosen split of its dataset (or of options.datasetOverride), and its
 * model in eval mode on @p device. The model is built for the run's training images, whatever set is evaluated.
 * @throws DataError / TauError naming what is missing.
 */
LoadedRun loadRun(const RunLoadOptions& options, const torch::Device& device);

/** loadRun with the common options. */
LoadedRun loadRun(const std::string& checkpoint, const std::string& datasetOverride, long long limit, Split split,
                  const torch::Device& device);

/**
 * Only the model of the run at @p checkpoint, in eval mode, with its config in @p config: no dataset is read,
 * except for a classifier, whose class count comes from its training set.
 */
std::unique_ptr<TrainingObjective> loadTrainedModel(const std::string& checkpoint, ExperimentConfig& config,
                                                    const torch::Device& device);

/** The model of another run (an ensemble member) for the same images as @p like, in eval mode. */
std::unique_ptr<TrainingObjective> loadModelOf(const RunLoadOptions& options, const LoadedRun& like,
                                               const torch::Device& device);

/**
 * An OOD set ready for a model trained on @p inTest: synthetic sets are made from it (seeded), real sets are
 * decoded at its image size, and every set keeps the in-distribution normalisation. At most @p limit images.
 * "NAME@8+9" keeps only classes 8 and 9 of NAME's test split: held-out classes of the training set, say.
 */
ImageDataset loadOodSet(const std::string& name, const ImageDataset& inTest, const DataSettings& settings,
                        long long limit, uint64_t seed);

/** "fashion_mnist@8+9" for a run trained on classes 0-7 of 10 (loadOodSet reads it); empty when it had them all. */
std::string heldOutClassesSet(const std::string& dataset, const std::vector<int>& trained, int classCount);

} // namespace tau::core
