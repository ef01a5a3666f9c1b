#pragma once

#include "core/io/run_directory.h"
#include "core/io/run_lock.h"

#include <memory>
#include <string>

namespace tau::core {

struct ExperimentConfig;

/** A new run's folder with its writer lock held and its config.yaml written. */
struct ClaimedRunFolder
{
    RunPaths paths;
    std::unique_ptr<RunWriterLock> lock; ///< held until the run ends
};

/**
 * Creates the next folder of config's runs_dir/exp_name, locks it for @p program and writes the config into it.
 * createRunDirectory passes over folders that have a writer; one whose writer appears in between is passed too.
 */
ClaimedRunFolder claimNewRunFolder(const ExperimentConfig& config, const std::string& program);

} // namespace tau::core
