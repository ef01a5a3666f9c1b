#include "core/data/image_dataset.h"

#include "core/common/error.h"
#include "core/data/idx_reader.h"

#include <torch/torch.h>

#include <filesystem>

namespace tau::core {

namespace {

const std::vector<std::string> kFashionMnistClasses = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                       "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

/** Finds FILE or FILE.gz under root, so both Debian's gzipped files and unpacked copies work. */
std::string locateIdx(const std::string& root, const std::string& stem)
{
    for (const std::string& candidate : {root + "/" + stem + ".gz", root + "/" + stem}) {
        if (std::filesystem::exists(candidate)) {
            return candidate;
        }
    }
    throw DataError(root + "/" + stem + ".gz: file not found (expected the IDX files of Fashion-MNIST there; "
                                        "install the Debian package dataset-fashion-mnist or set dataset.root)");
}

ImageDataset loadIdxPair(const std::string& name, const std::string& root, const std::string& prefix)
{
    const std::string imagesPath = locateIdx(root, prefix + "-images-idx3-ubyte");
    const std::string labelsPath = locateIdx(root, prefix + "-labels-idx1-ubyte");
    IdxArray images = readIdxFile(imagesPath);
    IdxArray labels = readIdxFile(labelsPath);
    if (images.shape.size() != 3) {
        throw DataError(imagesPath + ": expected a 3-D IDX array of images (N, H, W), got rank " +
                        std::to_string(images.shape.size()));
    }
    if (labels.shape.size() != 1 || labels.count() != images.count()) {
        throw DataError(labelsPath + ": expected " + std::to_string(images.count()) +
                        " labels to match the images file, got " + std::to_string(labels.count()));
    }
    ImageDataset dataset;
    dataset.name = name;
    const int64_t n = images.shape[0];
    dataset.images = torch::from_blob(images.data.data(), {n, 1, images.shape[1], images.shape[2]}, torch::kUInt8)
                         .clone();
    dataset.labels = torch::from_blob(labels.data.data(), {n}, torch::kUInt8).to(torch::kInt64);
    return dataset;
}

} // namespace

std::string defaultDatasetRoot(const std::string& name)
{
    if (name == "fashion_mnist") {
        return "/usr/share/datasets/fashion-mnist";
    }
    return {};
}

ImageDataset loadDataset(const DataConfig& config, Split split)
{
    const std::string root = config.root.empty() ? defaultDatasetRoot(config.name) : config.root;
    if (config.name == "fashion_mnist") {
        ImageDataset dataset = loadIdxPair(config.name, root, split == Split::Train ? "train" : "t10k");
        dataset.classNames = kFashionMnistClasses;
        // Statistics of the Fashion-MNIST training split; the test split and OOD sets reuse them.
        dataset.mean = {0.2860};
        dataset.std = {0.3530};
        return dataset;
    }
    throw DataError("dataset.name: unknown dataset '" + config.name + "'");
}

ImageDataset seededSubset(const ImageDataset& dataset, int64_t count, uint64_t seed)
{
    if (count <= 0 || count >= dataset.size()) {
        return dataset;
    }
    auto generator = at::detail::createCPUGenerator(seed);
    const torch::Tensor order = torch::randperm(dataset.size(), generator, torch::kLong).slice(0, 0, count);
    ImageDataset subset = dataset;
    subset.images = dataset.images.index_select(0, order);
    subset.labels = dataset.labels.index_select(0, order);
    return subset;
}

} // namespace tau::core
