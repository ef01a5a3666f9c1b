#include "core/data/image_dataset.h"

#include "core/common/error.h"
#include "core/data/idx_reader.h"

#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <iterator>

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

const std::vector<std::string> kCifar10Classes = {"airplane", "automobile", "bird", "cat", "deer",
                                                   "dog",      "frog",       "horse", "ship", "truck"};
constexpr int64_t kCifarSide = 32;
constexpr int64_t kCifarRecord = 1 + 3 * kCifarSide * kCifarSide; // label byte, then R, G and B planes

/** The CIFAR-10 binary version: data_batch_1..5.bin (train) or test_batch.bin, 10,000 records each. */
ImageDataset loadCifar10(const std::string& root, Split split)
{
    std::vector<std::string> files;
    if (split == Split::Train) {
        for (int i = 1; i <= 5; ++i) {
            files.push_back(root + "/data_batch_" + std::to_string(i) + ".bin");
        }
    } else {
        files.push_back(root + "/test_batch.bin");
    }
    std::vector<uint8_t> pixels;
    std::vector<int64_t> labels;
    for (const std::string& file : files) {
        std::ifstream stream(file, std::ios::binary);
        if (!stream) {
            throw DataError(file + ": file not found (expected the CIFAR-10 binary version, cifar-10-batches-bin, "
                                   "in dataset.root)");
        }
        const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(stream)), std::istreambuf_iterator<char>());
        if (bytes.empty() || bytes.size() % kCifarRecord != 0) {
            throw DataError(file + ": expected a whole number of " + std::to_string(kCifarRecord) +
                            "-byte CIFAR-10 records, got " + std::to_string(bytes.size()) + " bytes (truncated?)");
        }
        for (size_t offset = 0; offset < bytes.size(); offset += kCifarRecord) {
            if (bytes[offset] > 9) {
                throw DataError(file + ": label " + std::to_string(bytes[offset]) + " at byte " +
                                std::to_string(offset) + " is outside 0..9: not a CIFAR-10 file");
            }
            labels.push_back(bytes[offset]);
            pixels.insert(pixels.end(), bytes.begin() + long(offset) + 1, bytes.begin() + long(offset + kCifarRecord));
        }
    }
    ImageDataset dataset;
    dataset.name = "cifar10";
    const auto n = int64_t(labels.size());
    dataset.images = torch::from_blob(pixels.data(), {n, 3, kCifarSide, kCifarSide}, torch::kUInt8).clone();
    dataset.labels = torch::tensor(labels, torch::kLong);
    dataset.classNames = kCifar10Classes;
    // The original normalises every set with ImageNet's statistics.
    dataset.mean = {0.485, 0.456, 0.406};
    dataset.std = {0.229, 0.224, 0.225};
    return dataset;
}

} // namespace

std::string defaultDatasetRoot(const std::string& name)
{
    if (name == "fashion_mnist") {
        return "/usr/share/datasets/fashion-mnist";
    }
    if (name == "cifar10") {
        return "data/cifar-10-batches-bin";
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
    if (config.name == "cifar10") {
        return loadCifar10(root, split);
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
