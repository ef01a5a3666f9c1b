// tau: the command-line front end. The same core calls as the GUI, for machines without a display.

#include "app/cli/progress_printer.h"
#include "core/common/error.h"
#include "core/config/config_loader.h"
#include "core/data/dataset_registry.h"
#include "core/training/trainer.h"

#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <unistd.h>

namespace {

tau::core::CancellationToken g_cancel;

/** First Ctrl-C: finish the current step, save last.pt, exit. Second: leave at once. */
void onInterrupt(int)
{
    if (g_cancel.stopRequested()) {
        std::_Exit(130);
    }
    g_cancel.requestStop();
    const char note[] = "\nstopping after the current step (Ctrl-C again to quit at once)\n";
    [[maybe_unused]] const auto written = write(STDERR_FILENO, note, sizeof note - 1);
}

struct TrainArguments
{
    std::string config;
    std::vector<std::string> overrides;
    std::string dataset;
    std::string runsDir;
    std::string resume;
};

/** --dataset NAME is --set dataset.name=NAME, as the original's flag of that name. */
std::vector<std::string> withDataset(std::vector<std::string> overrides, const std::string& dataset)
{
    if (!dataset.empty()) {
        overrides.push_back("dataset.name=" + dataset);
    }
    return overrides;
}

/** The run directory of a checkpoint path or of a run directory itself. */
std::string runDirectoryOf(const std::string& location)
{
    const std::filesystem::path path(location);
    if (path.extension() == ".pt") {
        return path.parent_path().parent_path().string();
    }
    return path.string();
}

void printWarning(const std::string& line)
{
    std::fprintf(stderr, "tau: warning: %s\n", line.c_str());
}

tau::core::ExperimentConfig loadTrainConfig(const TrainArguments& args)
{
    tau::core::ConfigLoadOptions options;
    options.overrides = withDataset(args.overrides, args.dataset);
    options.warn = printWarning;
    std::string path = args.config;
    if (!args.resume.empty()) {
        // A resumed run goes on with exactly the config it recorded.
        path = args.resume + "/config.yaml";
        if (!args.overrides.empty()) {
            throw tau::core::TauError("--set cannot change a run being resumed; start a new run instead");
        }
    }
    if (path.empty()) {
        throw tau::core::TauError("train: give a CONFIG file, or --resume RUN_DIR");
    }
    tau::core::ExperimentConfig config = tau::core::loadConfigFile(path, options);
    if (!args.runsDir.empty()) {
        config.runsDir = args.runsDir;
    }
    return config;
}

int runTrain(const TrainArguments& args)
{
    const tau::core::ExperimentConfig config = loadTrainConfig(args);
    tau::app::ProgressPrinter printer(isatty(STDERR_FILENO) != 0);
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
    tau::core::TrainingOptions options;
    options.resumeRunDirectory = args.resume;
    if (options.resumeRunDirectory.empty() && !config.continueFromCheckpoint.empty()) {
        options.resumeRunDirectory = runDirectoryOf(config.continueFromCheckpoint);
    }
    tau::core::TrainingResult result;
    try {
        result = tau::core::train(config, printer, g_cancel, options);
    } catch (...) {
        printer.finishLine(); // the error message goes on its own line
        throw;
    }
    printer.finishLine();
    if (result.cancelled) {
        std::fprintf(stderr, "stopped after step %lld; %s/checkpoints/last.pt holds that state.\n"
                             "resume with: tau train --resume %s\n",
                     result.steps, result.runDirectory.c_str(), result.runDirectory.c_str());
        return 130;
    }
    std::fprintf(stderr, "done: %d epochs, %lld steps, last epoch loss %.4f; results in %s\n", result.epochsCompleted,
                 result.steps, result.lastEpochLoss, result.runDirectory.c_str());
    return 0;
}

/** `tau datasets`: every dataset name, its size, whether its files are here, and where they are looked for. */
int runDatasets(const std::string& configPath)
{
    tau::core::DataSettings settings;
    if (!configPath.empty()) {
        tau::core::ConfigLoadOptions options;
        options.warn = printWarning;
        settings = tau::core::loadConfigFile(configPath, options).data;
    }
    std::printf("%-15s %-10s %-44s %s\n", "name", "available", "images", "where (or what it is made from)");
    for (const tau::core::DatasetInfo& info : tau::core::datasetRegistry()) {
        if (info.synthetic) {
            std::printf("%-15s %-10s %-44s %s\n", info.name.c_str(), "yes", info.images.c_str(), info.description.c_str());
            continue;
        }
        const std::string root = tau::core::resolveDatasetRoot(info.name, "", settings);
        const bool available = tau::core::datasetAvailable(info.name, root);
        std::printf("%-15s %-10s %-44s %s\n", info.name.c_str(), available ? "yes" : "no", info.images.c_str(),
                    root.empty() ? "(set data.roots.folder)" : root.c_str());
        if (!available) {
            std::printf("%-15s %-10s %-44s   expects %s\n", "", "", "", info.expected.c_str());
        }
    }
    std::printf("\nRoots come from dataset.root, data.roots.<name>, $TAU_DATA_ROOT/<folder>, then the defaults above.\n");
    return 0;
}

struct ConfigArguments
{
    std::string path;
    std::vector<std::string> overrides;
    std::string dataset;
};

/** `tau config validate`: silent success, or the first problem. `tau config show`: the resolved config. */
int runConfig(const ConfigArguments& args, bool show)
{
    tau::core::ConfigLoadOptions options;
    options.overrides = withDataset(args.overrides, args.dataset);
    options.warn = printWarning;
    const tau::core::ExperimentConfig config = tau::core::loadConfigFile(args.path, options);
    if (show) {
        std::fputs(tau::core::toYaml(config).c_str(), stdout);
    } else {
        std::printf("%s: valid (%s on %s)\n", args.path.c_str(), config.system.c_str(), config.dataset.name.c_str());
    }
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    CLI::App app{"TaU Explorer command line: train and evaluate Temperature-as-Uncertainty contrastive models"};
    app.require_subcommand(1);

    TrainArguments trainArgs;
    CLI::App* train = app.add_subcommand("train", "Train a model from a YAML/JSON config and write its run directory");
    train->add_option("config", trainArgs.config, "experiment config (YAML or JSON)");
    train->add_option("--set", trainArgs.overrides, "override a config value, e.g. --set optimizer.batch_size=64")
        ->take_all();
    train->add_option("--dataset", trainArgs.dataset, "the training set, as dataset.name (the original's --dataset)");
    train->add_option("--runs-dir", trainArgs.runsDir, "where run directories go (default: the config's runs_dir)");
    train->add_option("--resume", trainArgs.resume, "continue a stopped run from RUN_DIR/checkpoints/last.pt");

    ConfigArguments configArgs;
    CLI::App* configCommand = app.add_subcommand("config", "Check configs (ours, or the original repository's JSON)");
    configCommand->require_subcommand(1);
    CLI::App* validate = configCommand->add_subcommand("validate", "Check a config; print the first problem");
    CLI::App* show = configCommand->add_subcommand("show", "Print the resolved config with every default");
    for (CLI::App* command : {validate, show}) {
        command->add_option("config", configArgs.path, "experiment config (YAML or JSON)")->required();
        command->add_option("--set", configArgs.overrides, "override a config value")->take_all();
        command->add_option("--dataset", configArgs.dataset, "set dataset.name");
    }

    std::string datasetsConfig;
    CLI::App* datasets = app.add_subcommand("datasets", "List the datasets, whether they are available, and where");
    datasets->add_option("config", datasetsConfig, "a config whose data.roots to use");

    CLI11_PARSE(app, argc, argv);
    try {
        if (train->parsed()) {
            return runTrain(trainArgs);
        }
        if (datasets->parsed()) {
            return runDatasets(datasetsConfig);
        }
        return runConfig(configArgs, show->parsed());
    } catch (const tau::core::ConfigError& error) {
        std::fprintf(stderr, "tau: error: %s\n", error.what());
        return 2;
    } catch (const std::exception& error) {
        std::fprintf(stderr, "tau: error: %s\n", error.what());
        return 1;
    }
}
