// tau: the command-line front end. The same core calls as the GUI, for machines without a display.

#include "app/cli/export_command.h"
#include "app/cli/progress_printer.h"
#include "app/cli/report_command.h"
#include "core/common/error.h"
#include "core/config/config_loader.h"
#include "core/config/ood_config.h"
#include "core/data/dataset_registry.h"
#include "core/evaluation/embedding.h"
#include "core/evaluation/ood_evaluation.h"
#include "core/evaluation/ranking.h"
#include "core/evaluation/representation_evaluation.h"
#include "core/training/original_import.h"
#include "core/training/trainer.h"

#include <nlohmann/json.hpp>

#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <unistd.h>

namespace {

tau::core::CancellationToken g_cancel;
bool g_json = false; ///< --json: numbers as one JSON object on stdout instead of the human-readable lines

void printJson(const nlohmann::json& value)
{
    std::printf("%s\n", value.dump(2).c_str());
}

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
    std::string device;
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
    if (!args.device.empty()) {
        options.overrides.push_back("device=" + args.device); // the original's --gpu-device N is --device cuda:N
    }
    options.warn = printWarning;
    std::string path = args.config;
    if (!args.resume.empty()) {
        // A resumed run goes on with exactly the config it recorded.
        path = args.resume + "/config.yaml";
        if (!args.overrides.empty() || !args.dataset.empty()) {
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
    if (g_json) {
        printJson({{"run_directory", result.runDirectory}, {"cancelled", result.cancelled}, {"steps", result.steps},
                   {"epochs", result.epochsCompleted}, {"last_epoch_loss", result.lastEpochLoss}});
    }
    if (result.cancelled) {
        std::fprintf(stderr, "stopped after step %lld; %s/checkpoints/last.pt holds that state.\n"
                             "resume with: tau train --resume %s\n",
                     result.steps, result.runDirectory.c_str(), result.runDirectory.c_str());
        return 130;
    }
    if (g_json) {
        return 0;
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
    if (g_json) {
        nlohmann::json list = nlohmann::json::array();
        for (const tau::core::DatasetInfo& info : tau::core::datasetRegistry()) {
            const std::string root = info.synthetic ? std::string() : tau::core::resolveDatasetRoot(info.name, "", settings);
            list.push_back({{"name", info.name}, {"synthetic", info.synthetic}, {"images", info.images},
                            {"available", info.synthetic || tau::core::datasetAvailable(info.name, root)},
                            {"root", root}, {"expected", info.expected}});
        }
        printJson(list);
        return 0;
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

/** Prints evaluation progress as one redrawn line on a terminal. */
class EvaluationPrinter : public tau::core::EvaluationObserver
{
public:
    explicit EvaluationPrinter(bool interactive) : m_interactive(interactive) {}
    void onProgress(const std::string& stage, long long done, long long total, double etaSeconds) override
    {
        if (!m_interactive) {
            return;
        }
        std::fprintf(stderr, "\r\033[Kscoring %s: %lld/%lld images  ETA %s", stage.c_str(), done, total,
                     tau::app::formatDuration(etaSeconds).c_str());
        m_open = true;
    }
    void onMessage(const std::string& message) override
    {
        finishLine();
        std::fprintf(stderr, "%s\n", message.c_str());
    }
    void finishLine()
    {
        if (m_open) {
            std::fprintf(stderr, "\n");
            m_open = false;
        }
    }

private:
    bool m_interactive;
    bool m_open = false;
};

std::vector<std::string> splitList(const std::string& text)
{
    std::vector<std::string> items;
    std::stringstream stream(text);
    for (std::string item; std::getline(stream, item, ',');) {
        if (!item.empty()) {
            items.push_back(item);
        }
    }
    return items;
}

struct OodArguments
{
    std::string config;
    std::string checkpoint, in, out, scores, ensemble, name, knnReference = "train", knnAggregate, device;
    int mcPasses = 0, knnK = 0, bootstrap = -1, batchSize = 0;
    long long limit = -1;
    long long knnReferenceLimit = -1;
};

int runOod(const OodArguments& args)
{
    tau::core::OodEvaluationOptions options;
    if (!args.config.empty()) {
        options = tau::core::loadOodConfigFile(args.config, printWarning);
    }
    // Flags override the config.
    if (!args.checkpoint.empty()) options.checkpoint = args.checkpoint;
    if (!args.in.empty()) options.inDataset = args.in;
    if (!args.out.empty()) options.outDatasets = splitList(args.out);
    if (!args.scores.empty()) options.scores = splitList(args.scores);
    if (!args.ensemble.empty()) options.ensemble = splitList(args.ensemble);
    if (!args.name.empty()) options.name = args.name;
    if (!args.knnAggregate.empty()) options.knnAggregate = args.knnAggregate;
    if (!args.device.empty()) options.device = args.device;
    if (args.config.empty() || args.knnReference != "train") options.knnTestReference = options.knnTestReference || args.knnReference == "test";
    if (args.mcPasses > 0) options.mcPasses = args.mcPasses;
    if (args.knnK > 0) options.knnK = args.knnK;
    if (args.bootstrap >= 0) options.bootstrap = args.bootstrap;
    if (args.batchSize > 0) options.batchSize = args.batchSize;
    if (args.limit >= 0) options.limit = args.limit;
    if (args.knnReferenceLimit >= 0) options.knnReferenceLimit = args.knnReferenceLimit;
    if (options.checkpoint.empty()) {
        throw tau::core::TauError("ood: give --checkpoint RUN_DIR/checkpoints/last.pt (or an OOD config)");
    }
    if (options.outDatasets.empty()) {
        throw tau::core::TauError("ood: give --out with at least one OOD set (see tau datasets)");
    }
    EvaluationPrinter printer(isatty(STDERR_FILENO) != 0);
    std::signal(SIGINT, onInterrupt);
    const tau::core::OodEvaluationResult result = tau::core::evaluateOod(options, printer, g_cancel);
    printer.finishLine();
    if (result.cancelled) {
        std::fprintf(stderr, "cancelled; nothing was written\n");
        return 130;
    }
    if (g_json) {
        nlohmann::json results = nlohmann::json::object();
        for (const auto& [ood, byScore] : result.results) {
            for (const auto& [score, entry] : byScore) {
                const auto& m = entry.metrics;
                results[ood][score] = {{"auroc", m.auroc}, {"fpr95", m.fpr95}, {"fpr95_ood_positive", m.fpr95OodPositive},
                                       {"aupr_in", m.auprIn}, {"aupr_out", m.auprOut}};
            }
        }
        printJson({{"directory", result.directory}, {"results", results}, {"warnings", result.warnings}});
        return 0;
    }
    std::printf("%-16s %-11s %8s %8s %9s %8s %9s\n", "ood set", "score", "AUROC", "FPR@95", "FPR@95(o)", "AUPR-In",
                "AUPR-Out");
    for (const auto& [ood, byScore] : result.results) {
        for (const auto& [score, entry] : byScore) {
            const auto& m = entry.metrics;
            std::printf("%-16s %-11s %8.4f %8.4f %9.4f %8.4f %9.4f\n", ood.c_str(), score.c_str(), m.auroc, m.fpr95,
                        m.fpr95OodPositive, m.auprIn, m.auprOut);
        }
    }
    std::printf("results in %s\n", result.directory.c_str());
    return 0;
}

int runRepresentation(const tau::core::RepresentationOptions& options, bool linear)
{
    EvaluationPrinter printer(isatty(STDERR_FILENO) != 0);
    std::signal(SIGINT, onInterrupt);
    const tau::core::RepresentationResult result = linear ? tau::core::evaluateLinear(options, printer, g_cancel)
                                                          : tau::core::evaluateKnnAccuracy(options, printer, g_cancel);
    printer.finishLine();
    if (result.cancelled) {
        std::fprintf(stderr, "cancelled; nothing was written\n");
        return 130;
    }
    if (g_json) {
        printJson({{linear ? "linear_top1" : "knn_top1", result.top1}, {"directory", result.directory}});
        return 0;
    }
    std::printf("%s top-1: %.4f\nresults in %s\n", linear ? "linear evaluation" : "weighted kNN", result.top1,
                result.directory.c_str());
    return 0;
}

int runEmbed(const tau::core::EmbeddingOptions& options)
{
    EvaluationPrinter printer(isatty(STDERR_FILENO) != 0);
    std::signal(SIGINT, onInterrupt);
    const tau::core::EmbeddingResult result = tau::core::embedDataset(options, printer, g_cancel);
    printer.finishLine();
    if (result.cancelled) {
        std::fprintf(stderr, "cancelled; nothing was written\n");
        return 130;
    }
    if (g_json) {
        printJson({{"points", result.points}, {"file", result.file}});
        return 0;
    }
    std::printf("%lld points embedded: %s\n", result.points, result.file.c_str());
    return 0;
}

int runRank(const tau::core::RankingOptions& options)
{
    EvaluationPrinter printer(isatty(STDERR_FILENO) != 0);
    std::signal(SIGINT, onInterrupt);
    const tau::core::RankingResult result = tau::core::rankByCertainty(options, printer, g_cancel);
    printer.finishLine();
    if (result.cancelled) {
        std::fprintf(stderr, "cancelled; nothing was written\n");
        return 130;
    }
    if (g_json) {
        printJson({{"directory", result.directory}});
        return 0;
    }
    std::printf("most_certain.png, least_certain.png and rankings.csv in %s\n", result.directory.c_str());
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

    train->add_option("--device", trainArgs.device, "auto, cpu, cuda or cuda:N (the original's --gpu-device N)");

    TrainArguments resumeArgs;
    CLI::App* resume = app.add_subcommand("resume", "Continue a stopped run where its last.pt left off");
    resume->add_option("run_dir", resumeArgs.resume, "the run directory")->required()->check(CLI::ExistingDirectory);

    tau::core::ImportOptions importArgs;
    CLI::App* importCommand =
        app.add_subcommand("import", "Make a run directory from a checkpoint of the original repository");
    importCommand->add_option("weights", importArgs.weights,
                              "the .pt written by packaging/tools/convert_original_checkpoint.py")
        ->required()
        ->check(CLI::ExistingFile);
    importCommand->add_option("--config", importArgs.config, "the original run's config.json (or one of ours)")
        ->required()
        ->check(CLI::ExistingFile);
    importCommand->add_option("--dataset", importArgs.dataset, "the run's dataset (the original's --dataset)");
    importCommand->add_option("--runs-dir", importArgs.runsDir, "where the run directory goes (runs)");
    importCommand->add_option("--name", importArgs.expName, "the run's name (default: the config's exp_name)");
    importCommand->add_option("--set", importArgs.overrides, "override a config value")->take_all();

    std::string reportRun, reportOutput;
    CLI::App* report = app.add_subcommand("report", "Write a self-contained HTML report of a run");
    report->add_option("run_dir", reportRun, "the run directory")->required()->check(CLI::ExistingDirectory);
    report->add_option("-o,--output", reportOutput, "the HTML file (default: RUN_DIR/report.html)");

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

    OodArguments oodArgs;
    CLI::App* ood = app.add_subcommand("ood", "Score ID and OOD sets with a checkpoint and measure detection");
    ood->add_option("config", oodArgs.config, "an OOD config (ours, or the original repository's OOD JSON)");
    ood->add_option("--checkpoint", oodArgs.checkpoint, "RUN_DIR/checkpoints/last.pt (or the run directory)");
    ood->add_option("--in", oodArgs.in, "the in-distribution set (default: the run's training set)");
    ood->add_option("--out", oodArgs.out, "OOD sets, comma-separated (real sets, gaussian_noise, blobs, inverted, ...)");
    ood->add_option("--scores", oodArgs.scores, "comma-separated: tau, tau_repo, knn, mc_dropout, ensemble, hib, msp, odin, energy");
    ood->add_option("--name", oodArgs.name, "results go to RUN_DIR/eval/NAME (default ood)");
    ood->add_option("--ensemble", oodArgs.ensemble, "the other members' checkpoints, comma-separated");
    ood->add_option("--mc-passes", oodArgs.mcPasses, "MC-dropout passes (10)");
    ood->add_option("--knn-k", oodArgs.knnK, "neighbours for knn (10)");
    ood->add_option("--knn-aggregate", oodArgs.knnAggregate, "mean or max distance")->check(CLI::IsMember({"mean", "max"}));
    ood->add_option("--knn-reference-limit", oodArgs.knnReferenceLimit, "at most N reference images for knn (0: all)");
    ood->add_option("--knn-reference", oodArgs.knnReference, "train (default) or test (the original's)")
        ->check(CLI::IsMember({"train", "test"}));
    ood->add_option("--bootstrap", oodArgs.bootstrap, "resamplings for 95% intervals (0: none)");
    ood->add_option("--limit", oodArgs.limit, "at most N images per set");
    ood->add_option("--batch-size", oodArgs.batchSize, "images per forward pass (256)");
    ood->add_option("--device", oodArgs.device, "auto, cpu, cuda or cuda:N");

    tau::core::RepresentationOptions knnArgs;
    CLI::App* knn = app.add_subcommand("knn", "Weighted kNN top-1 accuracy of a checkpoint's features h");
    tau::core::RepresentationOptions linearArgs;
    CLI::App* linear = app.add_subcommand("linear-eval", "Linear evaluation top-1 on a checkpoint's frozen features h");
    for (auto [command, args] : {std::pair{knn, &knnArgs}, std::pair{linear, &linearArgs}}) {
        command->add_option("--checkpoint", args->checkpoint, "RUN_DIR/checkpoints/last.pt (or the run directory)")
            ->required();
        command->add_option("--dataset", args->dataset, "default: the run's training set");
        command->add_option("--name", args->name, "results go to RUN_DIR/eval/NAME");
        command->add_option("--limit-train", args->limitTrain, "at most N training images");
        command->add_option("--limit-test", args->limitTest, "at most N test images");
        command->add_option("--device", args->device, "auto, cpu, cuda or cuda:N");
    }
    knn->add_option("--k", knnArgs.knnK, "neighbours (200)");
    knn->add_option("--temperature", knnArgs.knnTemperature, "vote weight exp(similarity / T) (0.1)");
    linear->add_option("--epochs", linearArgs.epochs, "epochs (100)");
    linear->add_option("--lr", linearArgs.learningRate, "SGD learning rate, cosine to 0 (0.1)");

    tau::core::EmbeddingOptions embedArgs;
    bool noTsne = false;
    CLI::App* embed = app.add_subcommand("embed", "Project a checkpoint's features to 2-D (PCA and t-SNE)");
    embed->add_option("--checkpoint", embedArgs.checkpoint, "RUN_DIR/checkpoints/last.pt (or the run directory)")->required();
    embed->add_option("--dataset", embedArgs.dataset, "default: the run's training set (test split)");
    embed->add_option("--space", embedArgs.space, "h (features, default) or loc (projection)")->check(CLI::IsMember({"h", "loc"}));
    embed->add_option("--limit", embedArgs.limit, "at most N images (2000; 0: all)");
    embed->add_option("--perplexity", embedArgs.tsne.perplexity, "t-SNE perplexity (30)");
    embed->add_option("--iterations", embedArgs.tsne.iterations, "t-SNE iterations (1000)");
    embed->add_option("--seed", embedArgs.tsne.seed, "t-SNE seed (1337)");
    embed->add_flag("--no-tsne", noTsne, "PCA only");
    embed->add_option("--name", embedArgs.name, "results go to RUN_DIR/eval/NAME (embedding)");

    tau::core::RankingOptions rankArgs;
    CLI::App* rank = app.add_subcommand("rank", "The most and least certain images per class, as PNG grids and CSV");
    rank->add_option("--checkpoint", rankArgs.checkpoint, "RUN_DIR/checkpoints/last.pt (or the run directory)")->required();
    rank->add_option("--dataset", rankArgs.dataset, "default: the run's training set (test split)");
    rank->add_option("--per-class", rankArgs.perClass, "images per class in each grid (6)");
    rank->add_option("--limit", rankArgs.limit, "rank a seeded N images (0: all)");
    rank->add_option("--name", rankArgs.name, "results go to RUN_DIR/eval/NAME (rank)");

    std::string exportWhat, exportFolder, exportOutput, exportSize = "column", exportFormat;
    int exportDpi = 300;
    bool exportLogFpr = false;
    CLI::App* exportCommand = app.add_subcommand("export", "Figures and tables for papers from an eval folder");
    std::string exportScore, exportProjection;
    exportCommand->add_option("what", exportWhat,
                              "roc, histograms (ID vs OOD scores) or embedding (tau embed's folder): a figure (pdf, "
                              "svg, png) or its data (csv); table: the metrics (tex, csv)")
        ->required()
        ->check(CLI::IsMember({"roc", "histograms", "embedding", "table"}));
    exportCommand->add_option("--score", exportScore, "histograms: the score to show (default: the first)");
    exportCommand->add_option("--projection", exportProjection, "embedding: pca or tsne (default: tsne when there)")
        ->check(CLI::IsMember({"pca", "tsne"}));
    exportCommand->add_option("eval_folder", exportFolder, "RUN_DIR/eval/<name>, as tau ood wrote it")->required();
    exportCommand->add_option("-o,--output", exportOutput, "the file to write; its extension picks the format")->required();
    exportCommand->add_option("--format", exportFormat, "pdf, svg, png, csv or tex (default: the output's extension)")
        ->check(CLI::IsMember({"pdf", "svg", "png", "csv", "tex"}));
    exportCommand->add_option("--size", exportSize, "column (3.5 in) or page (7 in)")->check(CLI::IsMember({"column", "page"}));
    exportCommand->add_option("--dpi", exportDpi, "PNG resolution (300)");
    exportCommand->add_flag("--log-fpr", exportLogFpr, "logarithmic false-positive axis");

    std::string datasetsConfig;
    CLI::App* datasets = app.add_subcommand("datasets", "List the datasets, whether they are available, and where");
    datasets->add_option("config", datasetsConfig, "a config whose data.roots to use");

    for (CLI::App* command : app.get_subcommands({})) {
        if (command->get_name() != "config" && command->get_name() != "export") {
            command->add_flag("--json", g_json, "print the results as one JSON object on stdout");
        }
    }

    CLI11_PARSE(app, argc, argv);
    try {
        if (train->parsed()) {
            return runTrain(trainArgs);
        }
        if (resume->parsed()) {
            return runTrain(resumeArgs);
        }
        if (importCommand->parsed()) {
            const tau::core::ImportResult imported = tau::core::importConvertedCheckpoint(importArgs);
            if (g_json) {
                printJson({{"run_directory", imported.runDirectory}, {"tensors", imported.tensors}});
            } else {
                std::printf("imported %zu tensors into %s\n", imported.tensors, imported.runDirectory.c_str());
            }
            return 0;
        }
        if (report->parsed()) {
            const std::string output = reportOutput.empty() ? reportRun + "/report.html" : reportOutput;
            const QString error = tau::app::writeRunReport(QString::fromStdString(reportRun), QString::fromStdString(output));
            if (!error.isEmpty()) {
                throw tau::core::TauError(error.toStdString());
            }
            if (g_json) {
                printJson({{"report", output}});
            } else {
                std::printf("wrote %s\n", output.c_str());
            }
            return 0;
        }
        if (exportCommand->parsed()) {
            tau::app::ExportRequest request;
            request.what = QString::fromStdString(exportWhat);
            request.evalFolder = QString::fromStdString(exportFolder);
            request.output = QString::fromStdString(exportOutput);
            request.format = QString::fromStdString(exportFormat);
            request.size = QString::fromStdString(exportSize);
            request.dpi = exportDpi;
            request.logFpr = exportLogFpr;
            request.score = QString::fromStdString(exportScore);
            request.projection = QString::fromStdString(exportProjection);
            const QString error = tau::app::runExport(request);
            if (!error.isEmpty()) {
                throw tau::core::TauError(error.toStdString());
            }
            std::printf("wrote %s\n", request.output.toStdString().c_str());
            return 0;
        }
        if (embed->parsed()) {
            embedArgs.withTsne = !noTsne;
            return runEmbed(embedArgs);
        }
        if (rank->parsed()) {
            return runRank(rankArgs);
        }
        if (knn->parsed() || linear->parsed()) {
            return runRepresentation(knn->parsed() ? knnArgs : linearArgs, linear->parsed());
        }
        if (ood->parsed()) {
            return runOod(oodArgs);
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
