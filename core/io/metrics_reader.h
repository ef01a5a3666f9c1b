#pragma once

// Torch-free: the GUI's runs panel reads run directories through this.

#include "core/common/training_observer.h"

#include <optional>
#include <string>
#include <vector>

namespace tau::core {

/** Everything metrics.jsonl holds, in order. */
struct MetricsHistory
{
    std::vector<StepRecord> steps;
    std::vector<EpochRecord> epochs;
    std::vector<std::pair<std::string, std::string>> events; ///< (event, detail)
    int worldSize = 1; ///< processes that trained it, from the last start or resume event
    int schema = 0;    ///< the header's schema (kMetricsSchema in run_directory.h); 0: written before there was one
    std::vector<std::string> warnings; ///< lines that were not records (torn by a crash, or garbage), skipped
    long long stepRecordsInFile = 0; ///< step records the file holds; `steps` may keep fewer (see MetricsReadOptions)
    long long stepStride = 1;        ///< `steps` holds every stepStride-th record of the file, and the last
};

/** How much of a long history to keep. */
struct MetricsReadOptions
{
    /**
     * At most this many step records in MetricsHistory::steps (0: every one). A longer history keeps every k-th
     * record and the last, k the smallest power of two that fits, so memory stays bounded at any length. The
     * records left out are checked for their shape only (a JSON object of type step); the ones kept, and every
     * epoch and event record, are parsed and checked in full.
     */
    size_t maxStepRecords = 0;
};

/**
 * Reads a metrics.jsonl. A line that is not a JSON record is skipped with a warning naming file and line (a
 * last line still being written by a live run is skipped quietly), so a run that trains right now, or a file
 * torn by a crash, can be read at any moment. @throws DataError when the file cannot be opened.
 */
MetricsHistory readMetricsFile(const std::string& path, const MetricsReadOptions& options = {});

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
    std::string oodFolder; ///< RUN/eval/<name> of the newest tau ood (metrics.json with results and scores); empty: none
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
