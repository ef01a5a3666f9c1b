#include "core/evaluation/loaded_run.h"

#include "core/common/error.h"
#include "core/config/config_loader.h"
#include "core/training/checkpoint.h"

#include <filesystem>
#include <sstream>
#include <tuple>

namespace tau::core {

namespace fs = std::filesystem;

std::string checkpointFileOf(const std::string& location)
{
    return fs::is_directory(location) ? (fs::path(location) / "checkpoints" / "last.pt").string() : location;
}

LoadedRun loadRun(const std::string& checkpoint, const std::string& datasetOverride, long long limit, Split split,
                  const torch::Device& device)
{
    LoadedRun run;
    run.checkpointFile = checkpointFileOf(checkpoint);
    if (!fs::exists(run.checkpointFile)) {
        throw DataError(run.checkpointFile + ": checkpoint not found");
    }
    run.runDirectory = fs::path(run.checkpointFile).parent_path().parent_path().string();
    run.config = loadConfigFile(run.runDirectory + "/config.yaml");
    run.data = run.config.dataset;
    run.data.trainSubset = 0;
    if (!datasetOverride.empty() && datasetOverride != run.config.dataset.name) {
        run.data.name = datasetOverride;
        run.data.root.clear(); // the run's root belongs to its own dataset
    }
    run.data.limit = limit;
    run.images = loadDataset(run.data, split, run.config.data);

    const bool classifier = run.config.system == "supervised";
    const ModelInput input{run.images.channels(), run.images.imageSize(),
                           classifier ? int64_t(run.images.classNames.size()) : 0};
    run.objective = makeObjective(run.config, input, device);
    loadCheckpoint(run.checkpointFile, run.objective->model());
    run.objective->setTraining(false);

    AugmentationOptions transform;
    transform.cropSize = run.images.imageSize();
    transform.mean = run.images.mean;
    transform.std = run.images.std;
    run.transform = std::make_unique<ViewAugmenter>(transform);
    return run;
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

torch::Tensor matchChannels(const torch::Tensor& images, int64_t channels)
{
    if (images.size(1) == channels) {
        return images;
    }
    if (channels == 1) {
        const torch::Tensor f = images.to(torch::kFloat);
        return (0.299 * f.select(1, 0) + 0.587 * f.select(1, 1) + 0.114 * f.select(1, 2)).round().unsqueeze(1).to(torch::kUInt8);
    }
    return images.expand({images.size(0), channels, images.size(2), images.size(3)});
}

} // namespace tau::core
