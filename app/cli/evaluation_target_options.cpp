#include "app/cli/evaluation_target_options.h"

namespace tau::app::cli {

namespace {

/** One option bound to one field of the target, its default shown by --help. */
template <typename T>
CLI::Option* addField(CLI::App& command, core::EvaluationTarget& target, T core::EvaluationTarget::*field,
                      const std::string& names, const std::string& help, TargetOptions& options)
{
    CLI::Option* option = command.add_option(names, target.*field, help)->capture_default_str();
    options.added.emplace_back(option, [field](const core::EvaluationTarget& from, core::EvaluationTarget& to) {
        to.*field = from.*field;
    });
    return option;
}

} // namespace

TargetOptions addEvaluationTarget(CLI::App& command, core::EvaluationTarget& target, unsigned which,
                                  const TargetWording& wording)
{
    using core::EvaluationTarget;
    TargetOptions options;
    if (which & kCheckpointOption) {
        CLI::Option* checkpoint = addField(command, target, &EvaluationTarget::checkpoint, "--checkpoint",
                                           "RUN_DIR/checkpoints/last.pt (or the run directory)", options);
        if (wording.checkpointRequired) {
            checkpoint->required();
        }
    }
    if (which & kDatasetOption) {
        addField(command, target, &EvaluationTarget::dataset, wording.datasetNames, wording.datasetHelp, options);
    }
    if (which & kLimitOption) {
        addField(command, target, &EvaluationTarget::limit, wording.limitNames, wording.limitHelp, options);
    }
    if (which & kNameOption) {
        addField(command, target, &EvaluationTarget::name, "--name", "results go to RUN_DIR/eval/NAME", options);
    }
    if (which & kDeviceOption) {
        addField(command, target, &EvaluationTarget::device, "--device", "auto, cpu, cuda or cuda:N", options);
    }
    if (which & kBatchSizeOption) {
        addField(command, target, &EvaluationTarget::batchSize, "--batch-size", "images per forward pass", options);
    }
    if (which & kThreadsOption) {
        addField(command, target, &EvaluationTarget::threads, "--threads", "CPU threads (0: one per core)", options);
    }
    if (which & kSeedOption) {
        addField(command, target, &EvaluationTarget::seed, "--seed", wording.seedHelp, options);
    }
    return options;
}

void applyGivenTargetOptions(const TargetOptions& options, const core::EvaluationTarget& given,
                             core::EvaluationTarget& to)
{
    for (const auto& [option, copy] : options.added) {
        if (option->count() > 0) {
            copy(given, to);
        }
    }
}

} // namespace tau::app::cli
