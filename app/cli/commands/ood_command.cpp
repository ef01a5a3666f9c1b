// tau ood [CONFIG] --checkpoint RUN --out SETS: scores ID and OOD sets and measures detection (the README's "OOD detection").

#include "app/cli/cli_support.h"
#include "app/cli/commands/commands.h"
#include "app/cli/evaluation_target_options.h"
#include "core/common/error.h"
#include "core/evaluation/ood_config.h"
#include "core/evaluation/ood_evaluation.h"
#include "core/methods/score_catalog.h"

#include <cstdio>
#include <functional>

namespace tau::app::cli {

namespace {

std::string join(const std::vector<std::string>& items)
{
    std::string text;
    for (const std::string& item : items) {
        text += (text.empty() ? "" : ",") + item;
    }
    return text;
}

/** The catalogue's scores for --help, one per line with what each is. */
std::string scoresHelp()
{
    std::string text = "comma-separated scores (higher = more in-distribution):";
    for (const core::ScoreInfo& score : core::scoreCatalog()) {
        text += "\n  " + score.name + ": " + score.summary;
    }
    return text;
}

class OodCommand : public Command
{
public:
    CLI::App* add(CLI::App& app) override
    {
        CLI::App* command = app.add_subcommand("ood", "Score ID and OOD sets with a checkpoint and measure detection");
        command->add_option("config", m_config, "an OOD config (ours, or the original repository's OOD JSON)");
        // Each flag overrides the config's value only when it is given; --help shows the core's defaults.
        TargetWording wording;
        wording.datasetNames = "--in,--dataset";
        wording.datasetHelp = "the in-distribution set (default: the run's training set)";
        wording.checkpointRequired = false; // or the config's
        m_target = addEvaluationTarget(*command, m_flags, kEveryTargetOption, wording);
        flag(command->add_option("--out", m_out, "OOD sets, comma-separated (real sets, gaussian_noise, blobs, inverted, ...)"),
             [this](auto& o, const auto&) { o.outDatasets = splitList(m_out); });
        m_scores = join(m_flags.scores);
        flag(command->add_option("--scores", m_scores, scoresHelp())->capture_default_str(),
             [this](auto& o, const auto&) { o.scores = splitList(m_scores); });
        flag(command->add_option("--ensemble", m_ensemble, "the other members' checkpoints, comma-separated"),
             [this](auto& o, const auto&) { o.ensemble = splitList(m_ensemble); });
        flag(command->add_option("--mc-passes", m_flags.mcPasses, "MC-dropout passes")->capture_default_str(),
             [](auto& o, const auto& f) { o.mcPasses = f.mcPasses; });
        flag(command->add_option("--knn-k", m_flags.knnK, "neighbours for knn")->capture_default_str(),
             [](auto& o, const auto& f) { o.knnK = f.knnK; });
        flag(command->add_option("--knn-aggregate", m_flags.knnAggregate, "mean or max distance")
                 ->check(CLI::IsMember({"mean", "max"}))
                 ->capture_default_str(),
             [](auto& o, const auto& f) { o.knnAggregate = f.knnAggregate; });
        flag(command->add_option("--knn-reference-limit", m_flags.knnReferenceLimit,
                                 "at most N ID training images as the reference of knn, mahalanobis and "
                                 "tau_mahalanobis (0: all)")
                 ->capture_default_str(),
             [](auto& o, const auto& f) { o.knnReferenceLimit = f.knnReferenceLimit; });
        flag(command->add_option("--knn-reference", m_knnReference, "train, or test (the original's)")
                 ->check(CLI::IsMember({"train", "test"}))
                 ->capture_default_str(),
             [this](auto& o, const auto&) { o.knnTestReference = m_knnReference == "test"; });
        flag(command->add_option("--bootstrap", m_flags.bootstrap, "resamplings for 95% intervals (0: none)")
                 ->capture_default_str(),
             [](auto& o, const auto& f) { o.bootstrap = f.bootstrap; });
        addProcessesOption(*command, m_processes, "split the image passes");
        return command;
    }

    int run() override
    {
        core::OodEvaluationOptions options;
        if (!m_config.empty()) {
            options = core::loadOodConfigFile(m_config, printWarning);
        }
        applyGivenTargetOptions(m_target, m_flags, options);
        for (const auto& [option, apply] : m_flagsGiven) {
            if (option->count() > 0) {
                apply(options, m_flags);
            }
        }
        if (options.checkpoint.empty()) {
            throw core::TauError("ood: give --checkpoint RUN_DIR/checkpoints/last.pt (or an OOD config)");
        }
        if (options.outDatasets.empty()) {
            throw core::TauError("ood: give --out with at least one OOD set (see tau datasets)");
        }
        JobRole role;
        if (const std::optional<int> launched = launchOrJoin(m_processes, options.device, role)) {
            return *launched;
        }
        options.communicator = role.communicator;
        return runEvaluation([&options](auto& observer, auto& cancel) { return core::evaluateOod(options, observer, cancel); },
                             &printResults, role.leader);
    }

private:
    int m_processes = 1;
    TargetOptions m_target; ///< given ones override the config's values, as every flag does
    using Apply = std::function<void(core::OodEvaluationOptions&, const core::OodEvaluationOptions&)>;

    void flag(CLI::Option* option, Apply apply) { m_flagsGiven.emplace_back(option, std::move(apply)); }

    static void printResults(const core::OodEvaluationResult& result)
    {
        if (jsonOutput()) {
            printJson(resultJson(result));
            return;
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
    }

    static nlohmann::json resultJson(const core::OodEvaluationResult& result)
    {
        nlohmann::json results = nlohmann::json::object();
        for (const auto& [ood, byScore] : result.results) {
            for (const auto& [score, entry] : byScore) {
                const auto& m = entry.metrics;
                results[ood][score] = {{"auroc", m.auroc}, {"fpr95", m.fpr95}, {"fpr95_ood_positive", m.fpr95OodPositive},
                                       {"aupr_in", m.auprIn}, {"aupr_out", m.auprOut}};
            }
        }
        return {{"directory", result.directory}, {"results", results}, {"warnings", result.warnings}};
    }

    std::string m_config;
    core::OodEvaluationOptions m_flags; ///< what the flags say, on the core's defaults
    std::string m_out, m_scores, m_ensemble, m_knnReference = "train";
    std::vector<std::pair<CLI::Option*, Apply>> m_flagsGiven;
};

} // namespace

std::unique_ptr<Command> makeOodCommand()
{
    return std::make_unique<OodCommand>();
}

} // namespace tau::app::cli
