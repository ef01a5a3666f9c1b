#pragma once

#include "core/config/experiment_config.h"
#include "core/data/image_dataset.h"

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
};

/** Every dataset name the program knows, in a stable order. */
const std::vector<DatasetInfo>& datasetRegistry();

/** @throws ConfigError-like DataError listing the known names. */
const DatasetInfo& datasetInfo(const std::string& name);

/**
 * Where @p name's files are: @p explicitRoot (dataset.root) when given, else data.roots.<name>, else
 * $TAU_DATA_ROOT/<folder> when that folder exists, else the registry's default.
 */
std::string resolveDatasetRoot(const std::string& name, const std::string& explicitRoot, const DataSettings& settings);

/** Whether the files of @p name are where resolveDatasetRoot says (a quick look, nothing is decoded). */
bool datasetAvailable(const std::string& name, const std::string& root);

/**
 * Loads a split of a real dataset, then applies dataset.classes and dataset.limit.
 * @throws DataError naming the missing or corrupt file and what was expected there.
 */
ImageDataset loadDataset(const DataConfig& config, Split split, const DataSettings& settings = {});

/**
 * A synthetic or derived OOD set shaped like @p reference (the in-distribution test set): gaussian_noise,
 * uniform_noise, blobs (as many images as the reference, deterministic from @p seed), or inverted and vflip
 * (the reference's images turned into their negatives or upside down).
 */
ImageDataset makeSyntheticDataset(const std::string& name, const ImageDataset& reference, uint64_t seed);

/** The folder this user's cache lives in: $TAU_CACHE_DIR, else $XDG_CACHE_HOME/tau-explorer, else ~/.cache/... */
std::string userCacheDirectory();

} // namespace tau::core
