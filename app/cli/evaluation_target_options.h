#pragma once

// The one option group of every evaluation command (tau ood, knn, linear-eval, embed, rank, export features):
// --checkpoint, --dataset, --limit, --name, --device, --batch-size, --threads and --seed, bound to the fields of
// core::EvaluationTarget, spelled and explained alike, their defaults (shown by --help) the struct's own.

#include "core/evaluation/evaluation_target.h"

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace tau::app::cli {

/** Which of the target's options a command takes. */
enum TargetOption : unsigned
{
    kCheckpointOption = 1,
    kDatasetOption = 2,
    kLimitOption = 4,
    kNameOption = 8,
    kDeviceOption = 16,
    kBatchSizeOption = 32,
    kThreadsOption = 64,
    kSeedOption = 128,
    kEveryTargetOption = 255
};

/** What a command says differently: extra spellings, and what its --dataset and --limit mean. */
struct TargetWording
{
    std::string datasetNames = "--dataset";
    std::string datasetHelp = "the set evaluated (default: the run's training set, test split)";
    std::string limitNames = "--limit";
    std::string limitHelp = "at most N images per set, a seeded choice (0: all)";
    std::string seedHelp = "chooses the limited images and draws the synthetic sets (noise, blobs)";
    bool checkpointRequired = true; ///< false where a config file may name it instead (tau ood)
};

/** The options added, each with how its field is copied, to apply those given over another source (a config). */
struct TargetOptions
{
    using Copy = std::function<void(const core::EvaluationTarget& from, core::EvaluationTarget& to)>;
    std::vector<std::pair<CLI::Option*, Copy>> added;
};

/** Adds the options of @p which to @p command, bound to @p target's fields. */
TargetOptions addEvaluationTarget(CLI::App& command, core::EvaluationTarget& target, unsigned which,
                                  const TargetWording& wording = {});

/** Copies into @p to the fields whose options were given on the command line (tau ood: over its config file). */
void applyGivenTargetOptions(const TargetOptions& options, const core::EvaluationTarget& given,
                             core::EvaluationTarget& to);

} // namespace tau::app::cli
