// tau export features|weights|tensorboard RUN: what a run learned, for a notebook or TensorBoard; tau export table
// EVAL_FOLDER...: the metrics of one evaluation or the results across runs, as text. (The figure kinds of tau export
// draw with Qt and are handed over to tau-figures; main.cpp tells them apart by the kind.)

#include "app/cli/cli_support.h"
#include "app/cli/commands/commands.h"
#include "app/cli/evaluation_target_options.h"
#include "core/common/error.h"
#include "core/evaluation/notebook_export.h"
#include "core/io/tensorboard_export.h"
#include "core/runs/results_table.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>

namespace tau::app::cli {

namespace {

class ExportDataCommand : public Command
{
public:
    CLI::App* add(CLI::App& app) override
    {
        CLI::App* command = app.add_subcommand(
            "export", "Features (.npy), weights (a PyTorch state dict) and TensorBoard events of a run; roc, histograms, "
                      "embedding and table: figures and tables from an eval folder (tau-figures, see tau export roc --help)");
        command->footer(
            "Figure kinds (drawn by tau-figures; each has its own --help):\n"
            "  roc EVAL_FOLDER -o FILE         ROC curves, a panel per OOD set (--log-fpr)\n"
            "  histograms EVAL_FOLDER -o FILE  ID-vs-OOD score histograms (--score)\n"
            "  embedding EVAL_FOLDER -o FILE   tau embed's projection (--projection pca|tsne)\n"
            "Figures: .pdf, .svg or .png (its data: .csv), --size column|page, --titles, --grayscale (PNG).\n");
        command->require_subcommand(1);
        command->fallthrough(); // --json (an option of export) after the kind's own arguments
        addFeatures(*command);
        addWeights(*command);
        addTensorBoard(*command);
        addTable(*command);
        return command;
    }

    int run() override
    {
        if (m_features->parsed()) {
            return runFeatures();
        }
        if (m_tensorboard->parsed()) {
            return runTensorBoard();
        }
        if (m_table->parsed()) {
            return runTable();
        }
        return runWeights();
    }

private:
    void addFeatures(CLI::App& parent)
    {
        m_features = parent.add_subcommand("features", "h, loc, r, c, label and index of every image of each set, as .npy");
        m_features->add_option("run", m_featureOptions.checkpoint, "the run directory (or one of its checkpoints)")->required();
        m_features->add_option("--dataset", m_featureOptions.datasets,
                               "further sets beside the run's test set, as tau ood --out names them (repeatable)");
        m_features->add_flag("--train", m_featureOptions.trainSplit, "also the training split (set <dataset>_train)");
        m_features->add_option("-o,--output", m_featureOptions.output, "the folder (default: RUN/exports/features)");
        TargetWording wording;
        wording.datasetNames = "--in"; // --dataset names the further sets here
        wording.datasetHelp = "the set whose test split is exported first (default: the run's training set)";
        addEvaluationTarget(*m_features, m_featureOptions, kEveryTargetOption & ~(kCheckpointOption | kNameOption),
                            wording);
    }

    void addWeights(CLI::App& parent)
    {
        m_weights = parent.add_subcommand(
            "weights", "the encoder's state dict for torch.load: torchvision's names for the ResNets, "
                       "tau_explorer.SmallCnn's for the small CNN");
        m_weights->add_option("run", m_weightOptions.checkpoint, "the run directory (or one of its checkpoints)")->required();
        m_weights->add_option("-o,--output", m_weightOptions.output, "the .pt file to write")->required();
        m_weights->add_flag("--with-head", m_weightOptions.withHead,
                            "also the projection head (head.*) or classifier (classifier.*): then a plain torchvision "
                            "model no longer loads it strictly");
    }

    void addTensorBoard(CLI::App& parent)
    {
        m_tensorboard = parent.add_subcommand(
            "tensorboard", "the run's history as a TensorBoard event file: step and epoch scalars, c and r histograms");
        m_tensorboard->add_option("run", m_tensorboardRun, "the run directory")->required();
        m_tensorboard->add_option("-o,--output", m_tensorboardFolder, "the log folder (default: RUN/tensorboard)");
    }

    void addTable(CLI::App& parent)
    {
        m_table = parent.add_subcommand(
            "table", "the metrics of an eval folder (.tex, .csv); of several runs' folders, or as .md: methods x OOD "
                     "sets, mean ± std over seeds, with near- and far-OOD means");
        m_table->add_option("eval_folder", m_tableRequest.evalFolders,
                            "RUN_DIR/eval/<name>, as tau ood wrote it (one or more)")->required();
        m_table->add_option("-o,--output", m_tableRequest.output, "the file to write; its extension picks the format")
            ->required();
        m_table->add_option("--format", m_tableFormat, "tex, md or csv (default: the output's extension)")
            ->check(CLI::IsMember({"tex", "md", "csv"}));
        m_table->add_option("--sets", m_tableSets,
                            "the OOD sets to show, comma-separated, in this order (default: every set)");
        m_nearOption = m_table->add_option(
            "--near", m_tableNearSets,
            "the near-OOD sets, comma-separated, for the near- and far-OOD means (default: the sets of held-out "
            "classes of the ID dataset, such as fashion_mnist@8+9)");
    }

    int runTable()
    {
        resolveTableFormat();
        m_tableRequest.sets = commaSeparated(m_tableSets);
        if (m_nearOption->count() > 0) {
            m_tableRequest.nearSets = commaSeparated(m_tableNearSets);
        }
        core::writeResultsTable(m_tableRequest);
        if (jsonOutput()) {
            printJson({{"file", m_tableRequest.output}});
        } else {
            std::printf("wrote %s\n", m_tableRequest.output.c_str());
        }
        return 0;
    }

    /** Reconciles --format with the output's extension: adds a missing one, refuses a contradicting one. */
    void resolveTableFormat()
    {
        std::string& output = m_tableRequest.output;
        const size_t dot = output.find_last_of('.');
        const bool hasSuffix = dot != std::string::npos && output.find('/', dot) == std::string::npos;
        std::string suffix = hasSuffix ? output.substr(dot + 1) : std::string();
        std::transform(suffix.begin(), suffix.end(), suffix.begin(), [](unsigned char c) { return char(std::tolower(c)); });
        if (!m_tableFormat.empty() && suffix.empty()) {
            output += "." + m_tableFormat;
            suffix = m_tableFormat;
        } else if (!m_tableFormat.empty() && suffix != m_tableFormat) {
            throw core::TauError(output + ": the extension ." + suffix + " contradicts --format " + m_tableFormat);
        }
        if (suffix != "tex" && suffix != "md" && suffix != "csv") {
            throw core::TauError(output + ": a table is written as .tex (LaTeX tabular), .md (Markdown) or .csv");
        }
    }

    static std::vector<std::string> commaSeparated(const std::string& text)
    {
        std::vector<std::string> items;
        size_t start = 0;
        while (start <= text.size()) {
            const size_t end = std::min(text.find(',', start), text.size());
            if (end > start) {
                items.push_back(text.substr(start, end - start));
            }
            start = end + 1;
        }
        return items;
    }

    int runTensorBoard()
    {
        const core::TensorBoardExportResult result = core::exportTensorBoard(m_tensorboardRun, m_tensorboardFolder);
        for (const std::string& warning : result.warnings) {
            std::fprintf(stderr, "warning: %s\n", warning.c_str());
        }
        if (jsonOutput()) {
            printJson({{"file", result.file}, {"scalars", result.scalars}, {"histograms", result.histograms}});
        } else {
            std::printf("%s: %zu scalars, %zu histograms (tensorboard --logdir %s)\n", result.file.c_str(),
                        result.scalars, result.histograms, m_tensorboardFolder.empty() ? "RUN/tensorboard" : m_tensorboardFolder.c_str());
        }
        return 0;
    }

    int runFeatures()
    {
        return runEvaluation(
            [this](auto& observer, auto& cancel) { return core::exportFeatures(m_featureOptions, observer, cancel); },
            [](const core::FeatureExportResult& result) {
                nlohmann::json sets = nlohmann::json::array();
                for (const core::ExportedSet& set : result.sets) {
                    sets.push_back({{"name", set.name}, {"folder", set.folder}, {"images", set.images}, {"files", set.files}});
                    if (!jsonOutput()) {
                        std::printf("%s: %lld images -> %s\n", set.name.c_str(), static_cast<long long>(set.images),
                                    set.folder.c_str());
                    }
                }
                if (jsonOutput()) {
                    printJson({{"folder", result.folder}, {"sets", sets}});
                }
            });
    }

    int runWeights()
    {
        const core::WeightExportResult result = core::exportWeights(m_weightOptions);
        if (jsonOutput()) {
            printJson({{"file", result.file}, {"encoder", result.encoder}, {"keys", result.names}});
        } else {
            std::printf("%s: %zu tensors of the %s encoder%s\n", result.file.c_str(), result.names.size(),
                        result.encoder.c_str(), m_weightOptions.withHead ? " and its head" : "");
        }
        return 0;
    }

    core::FeatureExportOptions m_featureOptions;
    core::WeightExportOptions m_weightOptions;
    CLI::App* m_features = nullptr;
    CLI::App* m_weights = nullptr;
    CLI::App* m_tensorboard = nullptr;
    std::string m_tensorboardRun;
    std::string m_tensorboardFolder;
    CLI::App* m_table = nullptr;
    core::ResultsTableRequest m_tableRequest;
    std::string m_tableFormat;
    std::string m_tableSets;
    std::string m_tableNearSets;
    CLI::Option* m_nearOption = nullptr;
};

} // namespace

std::unique_ptr<Command> makeExportDataCommand()
{
    return std::make_unique<ExportDataCommand>();
}

bool isHeadlessExport(const char* kind)
{
    return std::strcmp(kind, "features") == 0 || std::strcmp(kind, "weights") == 0 || std::strcmp(kind, "tensorboard") == 0 ||
           std::strcmp(kind, "table") == 0;
}

} // namespace tau::app::cli
