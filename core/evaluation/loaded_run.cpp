#include "core/evaluation/loaded_run.h"

#include "core/common/error.h"
#include "core/config/config_loader.h"
#include "core/methods/system_catalog.h"
#include "core/training/checkpoint.h"

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <tuple>

namespace tau::core {

namespace fs = std::filesystem;

namespace {

/** The run's config and checkpoint file, checked to exist. */
RunLocation openRun(const std::string& checkpoint, ExperimentConfig& config)
{
    const RunLocation location = locateRun(checkpoint);
    if (!fs::exists(location.checkpoint)) {
        throw DataError(location.checkpoint + ": checkpoint not found");
    }
    config = loadConfigFile(location.paths.config());
    return location;
}

/** The training images' shape, known from the registry without reading them (for evaluating another set). */
ModelInput trainedInput(const ExperimentConfig& config)
{
    const DatasetInfo& info = datasetInfo(config.dataset.name);
    return {info.channels, config.dataset.imageSize > 0 ? config.dataset.imageSize : info.imageSize, 0};
}

std::unique_ptr<TrainingObjective> restoredObjective(const ExperimentConfig& config, const ModelInput& input,
                                                     const std::string& checkpointFile, const torch::Device& device)
{
    std::unique_ptr<TrainingObjective> objective = makeObjective(config, input, device);
    loadCheckpoint(checkpointFile, objective->model());
    objective->setTraining(false);
    return objective;
}

/** Per-channel statistics for @p channels: averaged to one for grayscale, repeated for RGB. */
std::vector<double> statisticsFor(const std::vector<double>& values, int64_t channels)
{
    if (int64_t(values.size()) == channels || values.empty()) {
        return values;
    }
    if (channels == 1) {
        double sum = 0;
        for (const double value : values) {
            sum += value;
        }
        return {sum / double(values.size())};
    }
    return std::vector<double>(size_t(channels), values.front());
}

} // namespace

EvaluatedModel LoadedRun::model() const
{
    EvaluatedModel evaluated;
    evaluated.objective = objective.get();
    evaluated.transform = transform.get();
    evaluated.channels = input.channels;
    evaluated.device = device;
    return evaluated;
}

LoadedRun loadRun(const RunLoadOptions& options, const torch::Device& device)
{
    LoadedRun run;
    const RunLocation location = openRun(options.checkpoint, run.config);
    run.paths = location.paths;
    run.runDirectory = location.paths.root;
    run.checkpointFile = location.checkpoint;
    run.device = device;
    if (options.beforeData) {
        options.beforeData(run.config);
    }
    DataSettings settings = run.config.data;
    for (const auto& [name, root] : options.dataRoots) {
        settings.roots[name] = root;
    }
    run.config.data = settings;
    run.data = run.config.dataset;
    run.data.trainSubset = 0;
    const bool overridden = !options.datasetOverride.empty() && options.datasetOverride != run.config.dataset.name;
    if (overridden) {
        run.input = trainedInput(run.config);
        run.data.name = options.datasetOverride;
        run.data.root.clear(); // the run's root belongs to its own dataset
        run.data.imageSize = int(run.input.imageSize); // folders decode straight to the model's size
    }
    run.data.limit = options.limit;
    run.images = loadDataset(run.data, options.split, settings);
    if (!overridden) {
        run.input = {run.images.channels(), run.images.inputSize(), 0};
    }
    if (systemOf(run.config).classifier) {
        // The classifier's head has one output per training class.
        run.input.numClasses = int64_t(overridden ? loadDataset(run.config.dataset, Split::Test, settings).classNames.size()
                                                  : run.images.classNames.size());
    }
    run.objective = restoredObjective(run.config, run.input, run.checkpointFile, device);

    AugmentationOptions transform;
    transform.cropSize = run.images.inputSize();
    // A set of another channel count is converted to the model's, and so are its statistics.
    transform.mean = statisticsFor(run.images.mean, run.input.channels);
    transform.std = statisticsFor(run.images.std, run.input.channels);
    run.transform = std::make_unique<ViewAugmenter>(transform);
    return run;
}

LoadedRun loadRun(const std::string& checkpoint, const std::string& datasetOverride, long long limit, Split split,
                  const torch::Device& device)
{
    RunLoadOptions options;
    options.checkpoint = checkpoint;
    options.datasetOverride = datasetOverride;
    options.limit = limit;
    options.split = split;
    return loadRun(options, device);
}

std::unique_ptr<TrainingObjective> loadTrainedModel(const std::string& checkpoint, ExperimentConfig& config,
                                                    const torch::Device& device)
{
    const RunLocation location = openRun(checkpoint, config);
    if (systemOf(config).classifier) {
        LoadedRun run = loadRun(checkpoint, "", 1, Split::Test, device);
        return std::move(run.objective);
    }
    return restoredObjective(config, trainedInput(config), location.checkpoint, device);
}

std::unique_ptr<TrainingObjective> loadModelOf(const RunLoadOptions& options, const LoadedRun& like,
                                               const torch::Device& device)
{
    ExperimentConfig config;
    const RunLocation location = openRun(options.checkpoint, config);
    ModelInput input = like.input;
    if (!systemOf(config).classifier) {
        input.numClasses = 0;
    }
    return restoredObjective(config, input, location.checkpoint, device);
}

namespace {

/** "fashion_mnist@8+9": the set's name and the classes kept (empty: all). */
std::pair<std::string, std::vector<int>> splitClassSelection(const std::string& name)
{
    const size_t at = name.find('@');
    if (at == std::string::npos) {
        return {name, {}};
    }
    std::vector<int> classes;
    std::istringstream list(name.substr(at + 1));
    std::string item;
    while (std::getline(list, item, '+')) {
        try {
            size_t used = 0;
            classes.push_back(std::stoi(item, &used));
            if (used != item.size()) {
                throw std::invalid_argument(item);
            }
        } catch (const std::exception&) {
            throw DataError("OOD set '" + name + "': expected NAME@CLASS+CLASS..., e.g. fashion_mnist@8+9, got class '" +
                            item + "'");
        }
    }
    return {name.substr(0, at), classes};
}

} // namespace

ImageDataset loadOodSet(const std::string& name, const ImageDataset& inTest, const DataSettings& settings,
                        long long limit, uint64_t seed)
{
    if (datasetInfo(splitClassSelection(name).first).synthetic) {
        return seededSubset(makeSyntheticDataset(name, inTest, seed), limit, seed);
    }
    DataConfig config;
    std::tie(config.name, config.classes) = splitClassSelection(name);
    config.limit = limit;
    config.imageSize = int(inTest.imageSize()); // folders decode straight to the ID size
    ImageDataset set = loadDataset(config, Split::Test, settings);
    // Every OOD set goes through the in-distribution set's evaluation transform.
    set.mean = inTest.mean;
    set.std = inTest.std;
    return set;
}

std::string heldOutClassesSet(const std::string& dataset, const std::vector<int>& trained, int classCount)
{
    std::string others;
    for (int label = 0; label < classCount && !trained.empty(); ++label) {
        if (std::find(trained.begin(), trained.end(), label) == trained.end()) {
            others += (others.empty() ? "" : "+") + std::to_string(label);
        }
    }
    return others.empty() ? others : dataset + "@" + others;
}

} // namespace tau::core
