#pragma once

// Torch-free on purpose: config validation, the CLI's help and the GUI know the dataset names through this header;
// the loaders that decode them are in dataset_registry.h.

#include "core/schema/experiment_config.h"

#include <cstdint>
#include <string>
#include <vector>

namespace tau::core {

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
};

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
