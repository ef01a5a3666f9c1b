#pragma once

// The run index: which runs a runs folder holds and what each one is now (its state, its results, its notes).
// Above config and io: it reads a run's config.yaml, metrics.jsonl, writer.lock and eval folders through their
// own modules. Torch-free: the explorer's Runs panel reads runs through this.

#include <optional>
#include <string>
#include <vector>

namespace tau::core {

/** One line of the runs panel. */
struct RunSummary
{
    std::string directory;
    std::string name;
    std::string system;
    std::string dataset;
    int epochsDone = 0;
    int totalEpochs = 0;
    double lastLoss = 0; ///< the last epoch's mean loss (or the last step's, before the first epoch ends)
    bool hasLoss = false; ///< false until a step or an epoch is recorded: then lastLoss means nothing yet
    std::string state;   ///< running, finished, stopped, failed or incomplete
    std::string writer;  ///< who trains it now (describeRunWriter), for a running run whose writer locks; else empty
    int worldSize = 1;   ///< processes of the last start or resume (distributed training)
    // From config.yaml, for the experiment table:
    std::string encoder;
    int batchSize = 0;
    double learningRate = 0;
    double temperature = 0; ///< loss.t
    long long seed = 0;
    long long trainSubset = 0;
    // Results where the run was evaluated:
    std::optional<double> knnTop1;    ///< eval/knn (tau knn), else the last knn_top1 of logging.knn_every
    std::optional<double> linearTop1; ///< eval/linear (tau linear-eval)
    std::optional<double> meanAuroc;  ///< over the OOD sets of the newest tau ood folder, for its first score
    std::string aurocSource;          ///< "eval/<name>: <score>" of meanAuroc
    std::string aurocScore;           ///< the score meanAuroc is of
    int aurocSets = 0;                ///< how many OOD sets meanAuroc averages
    std::vector<std::string> tags;    ///< notes.json (core/io/run_notes.h)
    std::string note;
};

/** A run's newest evaluation of each kind, by the modification time of its metrics.json. */
struct RunEvaluations
{
    std::string oodFolder; ///< RUN/eval/<name> of the newest tau ood (summarizeEvaluationFolder); empty: none
    std::optional<double> meanAuroc; ///< of oodFolder's first score over its OOD sets
    std::string aurocSource;         ///< "eval/<name>: <score>, mean over N OOD sets"
    std::string aurocScore;          ///< the score meanAuroc is of
    int aurocSets = 0;               ///< how many OOD sets meanAuroc averages
    std::optional<double> knnTop1;   ///< the newest tau knn
    std::optional<double> linearTop1; ///< the newest tau linear-eval
};

/** The newest OOD, kNN and linear evaluations in RUN/eval (unreadable folders are passed over). */
RunEvaluations newestEvaluations(const std::string& runDirectory);

/** Summarises a run directory from its config.yaml and metrics.jsonl. */
RunSummary summarizeRun(const std::string& directory);

/**
 * The run directories (those holding config.yaml) under @p runsRoot, also in sub-folders (runs/study/<run>; a run's
 * own folders are not searched), sorted by path.
 */
std::vector<std::string> listRunDirectories(const std::string& runsRoot);

/** Every run directory under @p runsRoot, summarised, sorted by name. */
std::vector<RunSummary> listRuns(const std::string& runsRoot);

} // namespace tau::core
