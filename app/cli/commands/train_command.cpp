// tau train CONFIG and tau resume RUN_DIR: the same core call as the GUI's Train button.

#include "app/cli/cli_support.h"
#include "app/cli/commands/commands.h"
#include "app/cli/progress_printer.h"
#include "core/common/error.h"
#include "core/config/config_loader.h"
#include "core/distributed/distributed_environment.h"
#include "core/evaluation/training_callbacks.h"
#include "core/io/run_directory.h"
#include "core/io/run_lock.h"
#include "core/training/trainer.h"

#include <cstdio>
#include <unistd.h>

namespace tau::app::cli {

namespace {

struct TrainArguments
{
    std::string config;
    std::vector<std::string> overrides;
    std::string dataset;
    std::string runsDir;
    std::string resume;
    std::string device;
    int processes = 1;
};

/** Ranks other than 0 train silently: rank 0 prints, and writes the run directory. */
class QuietObserver : public core::TrainingObserver
{
};

core::ExperimentConfig loadTrainConfig(const TrainArguments& args)
{
    core::ConfigLoadOptions options;
    options.overrides = withDataset(args.overrides, args.dataset);
    if (!args.device.empty()) {
        options.overrides.push_back("device=" + args.device); // the original's --gpu-device N is --device cuda:N
    }
    options.warn = printWarning;
    std::string path = configFileOrPreset(args.config);
    if (!args.resume.empty()) {
        // A resumed run goes on with exactly the config it recorded.
        path = core::RunPaths{args.resume}.config();
        if (!args.overrides.empty() || !args.dataset.empty()) {
            throw core::TauError("--set cannot change a run being resumed; start a new run instead");
        }
    }
    if (path.empty()) {
        throw core::TauError("train: give a CONFIG file, or --resume RUN_DIR");
    }
    core::ExperimentConfig config = core::loadConfigFile(path, options);
    if (!args.runsDir.empty()) {
        config.runsDir = args.runsDir;
    }
    return config;
}

int train(const TrainArguments& args)
{
    const core::ExperimentConfig config = loadTrainConfig(args);
    if (args.processes > 1 && config.optimizer.batchSize % args.processes != 0) {
        throw core::ConfigError(config.sourcePath, 0, "optimizer.batch_size",
                                "expected a multiple of --nproc " + std::to_string(args.processes) +
                                    " (the global batch is split evenly), got " +
                                    std::to_string(config.optimizer.batchSize));
    }
    if (!args.resume.empty()) {
        core::refuseIfBeingWritten(args.resume); // before processes are launched for it
    }
    JobRole role;
    if (const std::optional<int> launched = launchOrJoin(args.processes, config.device, role)) {
        return *launched;
    }
    core::TrainingOptions options;
    options.communicator = role.communicator;
    options.commandLine = commandLine();
    const bool leader = role.leader;
    ProgressPrinter printer(leader && isatty(STDERR_FILENO) != 0);
    QuietObserver quiet;
    stopOnInterrupt();
    options.resumeRunDirectory = args.resume; // or the config's continue_from_checkpoint, which core::train reads
    options.callbacks = core::trainingCallbacks(config);
    core::TrainingResult result;
    try {
        result = core::train(config, leader ? static_cast<core::TrainingObserver&>(printer) : quiet, interruption(),
                             options);
    } catch (...) {
        printer.finishLine(); // the error message goes on its own line
        throw;
    }
    printer.finishLine();
    if (!leader) {
        return result.cancelled ? 130 : 0;
    }
    if (jsonOutput()) {
        printJson({{"run_directory", result.runDirectory}, {"cancelled", result.cancelled}, {"steps", result.steps},
                   {"epochs", result.epochsCompleted}, {"last_epoch_loss", result.lastEpochLoss},
                   {"world_size", result.worldSize}});
    }
    if (result.cancelled) {
        std::fprintf(stderr, "stopped after step %lld; %s holds that state.\nresume with: tau train --resume %s\n",
                     result.steps, core::RunPaths{result.runDirectory}.lastCheckpoint().c_str(),
                     result.runDirectory.c_str());
        return 130;
    }
    if (!jsonOutput()) {
        std::fprintf(stderr, "done: %d epochs, %lld steps, last epoch loss %.4f; results in %s\n",
                     result.epochsCompleted, result.steps, result.lastEpochLoss, result.runDirectory.c_str());
    }
    return 0;
}

class TrainCommand : public Command
{
public:
    CLI::App* add(CLI::App& app) override
    {
        CLI::App* command = app.add_subcommand("train", "Train a model from a YAML/JSON config and write its run directory");
        command->add_option("config", m_args.config,
                            "experiment config (YAML or JSON), or a preset's name (tau config presets)");
        command->add_option("--set", m_args.overrides, "override a config value, e.g. --set optimizer.batch_size=64")
            ->take_all();
        command->add_option("--dataset", m_args.dataset, "the training set, as dataset.name (the original's --dataset)");
        command->add_option("--runs-dir", m_args.runsDir, "where run directories go (default: the config's runs_dir)");
        command->add_option("--resume", m_args.resume, "continue a stopped run from RUN_DIR/checkpoints/last.pt");
        command->add_option("--device", m_args.device, "auto, cpu, cuda or cuda:N (the original's --gpu-device N)");
        addProcessesOption(*command, m_args.processes, "train data-parallel");
        return command;
    }
    int run() override { return train(m_args); }

private:
    TrainArguments m_args;
};

class ResumeCommand : public Command
{
public:
    CLI::App* add(CLI::App& app) override
    {
        CLI::App* command = app.add_subcommand("resume", "Continue a stopped run where its last.pt left off");
        command->add_option("run_dir", m_args.resume, "the run directory")->required()->check(CLI::ExistingDirectory);
        addProcessesOption(*command, m_args.processes, "train data-parallel");
        return command;
    }
    int run() override { return train(m_args); }

private:
    TrainArguments m_args;
};

} // namespace

std::unique_ptr<Command> makeTrainCommand()
{
    return std::make_unique<TrainCommand>();
}

std::unique_ptr<Command> makeResumeCommand()
{
    return std::make_unique<ResumeCommand>();
}

} // namespace tau::app::cli
