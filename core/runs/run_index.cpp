#include "core/runs/run_index.h"

#include "core/common/error.h"
#include "core/config/config_loader.h"
#include "core/io/evaluation_files.h"
#include "core/io/metrics_reader.h"
#include "core/io/run_directory.h"
#include "core/io/run_lock.h"
#include "core/io/run_notes.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

namespace tau::core {

namespace fs = std::filesystem;

namespace {

constexpr auto kRunningWindow = std::chrono::seconds(120); // a run whose metrics changed this recently is live

/** kNN and linear accuracy, the newest tau ood folder's mean AUROC (RUN/eval/), and the run's notes. */
void readResults(const std::string& directory, RunSummary& summary)
{
    const RunEvaluations evaluations = newestEvaluations(directory);
    if (evaluations.knnTop1) {
        summary.knnTop1 = evaluations.knnTop1;
    }
    summary.linearTop1 = evaluations.linearTop1;
    summary.meanAuroc = evaluations.meanAuroc;
    summary.aurocSource = evaluations.aurocSource;
    summary.aurocScore = evaluations.aurocScore;
    summary.aurocSets = evaluations.aurocSets;
    try {
        const RunNotes notes = readRunNotes(directory);
        summary.tags = notes.tags;
        summary.note = notes.note;
    } catch (const TauError&) {
        summary.note = "(notes.json is unreadable)";
    }
}


} // namespace

RunEvaluations newestEvaluations(const std::string& runDirectory)
{
    RunEvaluations found;
    fs::file_time_type newestOod = fs::file_time_type::min(), newestKnn = newestOod, newestLinear = newestOod;
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(RunPaths{runDirectory}.evaluations(), error)) {
        const EvaluationSummary summary = summarizeEvaluationFolder(entry.path().string());
        std::error_code timeError;
        const fs::file_time_type written = fs::last_write_time(entry.path() / "metrics.json", timeError);
        if (!summary.present || timeError) {
            continue;
        }
        if (summary.knnTop1 && written >= newestKnn) {
            found.knnTop1 = summary.knnTop1;
            newestKnn = written;
        }
        if (summary.linearTop1 && written >= newestLinear) {
            found.linearTop1 = summary.linearTop1;
            newestLinear = written;
        }
        if (summary.oodDetection && written >= newestOod) {
            found.oodFolder = entry.path().string();
            newestOod = written;
            found.meanAuroc = summary.meanAuroc;
            found.aurocScore = summary.meanAuroc ? summary.scores.front() : std::string();
            found.aurocSets = summary.aurocSets;
            found.aurocSource = summary.meanAuroc ? "eval/" + entry.path().filename().string() + ": " +
                                                        summary.scores.front() + ", mean over " +
                                                        std::to_string(summary.aurocSets) +
                                                        (summary.aurocSets == 1 ? " OOD set" : " OOD sets")
                                                  : std::string();
        }
    }
    return found;
}

RunSummary summarizeRun(const std::string& directory)
{
    RunSummary summary;
    summary.directory = directory;
    summary.name = fs::path(directory).filename().string();
    try {
        const ExperimentConfig config = loadConfigFile(RunPaths{directory}.config());
        summary.system = config.system;
        summary.dataset = config.dataset.name;
        summary.totalEpochs = config.numEpochs;
        summary.encoder = config.model.encoder;
        summary.batchSize = config.optimizer.batchSize;
        summary.learningRate = config.optimizer.learningRate;
        summary.temperature = config.loss.t;
        summary.seed = config.seed;
        summary.trainSubset = config.dataset.trainSubset;
    } catch (const TauError&) {
        summary.state = "incomplete";
        return summary;
    }
    const std::string metrics = RunPaths{directory}.metrics();
    if (!fs::exists(metrics)) {
        summary.state = "incomplete";
        return summary;
    }
    // The panel needs the last step only: a long history is scanned, not parsed.
    const MetricsHistory history = readMetricsFile(metrics, MetricsReadOptions{2});
    summary.epochsDone = history.epochs.empty() ? 0 : history.epochs.back().epoch;
    summary.worldSize = history.worldSize;
    if (!history.epochs.empty()) {
        summary.lastLoss = history.epochs.back().loss;
    } else if (!history.steps.empty()) {
        summary.lastLoss = history.steps.back().loss;
    }
    summary.hasLoss = !history.epochs.empty() || !history.steps.empty();
    for (const EpochRecord& epoch : history.epochs) {
        if (const auto found = epoch.scalars.find("knn_top1"); found != epoch.scalars.end()) {
            summary.knnTop1 = found->second;
        }
    }
    readResults(directory, summary);
    const std::string lastEvent = history.events.empty() ? "" : history.events.back().first;
    const auto age = fs::file_time_type::clock::now() - fs::last_write_time(metrics);
    if (const std::optional<RunWriter> writer = currentRunWriter(directory)) {
        summary.state = "running"; // its writer holds the lock, however long since it last wrote
        summary.writer = describeRunWriter(*writer);
    } else if (lastEvent == "error") {
        summary.state = "failed";
    } else if (summary.epochsDone >= summary.totalEpochs && summary.totalEpochs > 0) {
        summary.state = "finished";
    } else if (lastEvent == "stopped") {
        summary.state = "stopped";
    } else if (age < kRunningWindow && !fs::exists(runLockPath(directory))) {
        // A writer that does not lock (older, or other code): a recent write is the only sign of life. A writer
        // that locks and holds no lock has ended, even a second ago.
        summary.state = "running";
    } else {
        summary.state = "incomplete";
    }
    return summary;
}

std::vector<std::string> listRunDirectories(const std::string& runsRoot)
{
    std::vector<std::string> directories;
    std::error_code error;
    fs::recursive_directory_iterator entry(runsRoot, fs::directory_options::skip_permission_denied, error);
    for (; !error && entry != fs::recursive_directory_iterator(); entry.increment(error)) {
        if (!entry->is_directory(error) || entry->path().filename().string().rfind('.', 0) == 0) {
            if (entry->is_directory(error)) {
                entry.disable_recursion_pending();
            }
            continue;
        }
        if (fs::exists(entry->path() / "config.yaml")) {
            directories.push_back(entry->path().string());
            entry.disable_recursion_pending(); // a run's checkpoints/ and eval/ hold no runs
        } else if (entry.depth() >= 3) {
            entry.disable_recursion_pending(); // runs/a/b/c/run at most: a deep tree is not a runs folder
        }
    }
    // Sorting full paths under one root sorts by run name.
    std::sort(directories.begin(), directories.end());
    return directories;
}

std::vector<RunSummary> listRuns(const std::string& runsRoot)
{
    std::vector<RunSummary> runs;
    for (const std::string& directory : listRunDirectories(runsRoot)) {
        runs.push_back(summarizeRun(directory));
    }
    return runs;
}

} // namespace tau::core
