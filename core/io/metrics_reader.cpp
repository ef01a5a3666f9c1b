#include "core/io/metrics_reader.h"

#include "core/common/error.h"
#include "core/config/config_loader.h"
#include "core/io/run_directory.h"
#include "core/io/run_lock.h"
#include "core/io/run_notes.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>

namespace tau::core {

namespace fs = std::filesystem;

namespace {

constexpr auto kRunningWindow = std::chrono::seconds(120); // a run whose metrics changed this recently is live

double numberOr(const nlohmann::json& line, const char* key, double fallback = 0.0)
{
    const auto found = line.find(key);
    return found != line.end() && found->is_number() ? found->get<double>() : fallback;
}

Histogram histogramOf(const nlohmann::json& json)
{
    Histogram histogram;
    histogram.edges = json.value("edges", std::vector<double>{});
    histogram.counts = json.value("counts", std::vector<long long>{});
    histogram.below = json.value("below", 0LL);
    histogram.above = json.value("above", 0LL);
    return histogram;
}

Percentiles percentilesOf(const nlohmann::json& json)
{
    return {numberOr(json, "p5"), numberOr(json, "p25"), numberOr(json, "p50"),
            numberOr(json, "p75"), numberOr(json, "p95"), numberOr(json, "mean")};
}

/** "scalars": {name: number}; a value that is not a number is left out with a warning naming @p where. */
std::map<std::string, double> scalarsOf(const nlohmann::json& record, const std::string& where,
                                        std::vector<std::string>& warnings)
{
    std::map<std::string, double> scalars;
    const auto found = record.find("scalars");
    if (found == record.end()) {
        return scalars;
    }
    if (!found->is_object()) {
        warnings.push_back(where + ": \"scalars\" is not an object of numbers; left out");
        return scalars;
    }
    for (const auto& [name, value] : found->items()) {
        if (value.is_number()) {
            scalars[name] = value.get<double>();
        } else {
            warnings.push_back(where + ": scalar '" + name + "' is not a number; left out");
        }
    }
    return scalars;
}

StepRecord stepOf(const nlohmann::json& record)
{
    StepRecord step;
    step.epoch = int(numberOr(record, "epoch"));
    step.step = (long long)numberOr(record, "step");
    step.loss = numberOr(record, "loss", std::nan(""));
    step.learningRate = numberOr(record, "lr");
    step.imagesPerSecond = numberOr(record, "images_per_s");
    step.meanCertainty = numberOr(record, "c_mean");
    step.meanRawR = numberOr(record, "r_mean");
    step.wallTime = numberOr(record, "wall_time");
    if (record.contains("outlier_c_mean")) {
        step.meanOutlierCertainty = numberOr(record, "outlier_c_mean");
    }
    if (record.contains("gpu_mem_mb")) {
        step.gpuMemoryMb = numberOr(record, "gpu_mem_mb");
        step.gpuPeakMb = numberOr(record, "gpu_peak_mb");
    }
    return step;
}

EpochRecord epochOf(const nlohmann::json& record)
{
    EpochRecord epoch;
    epoch.epoch = int(numberOr(record, "epoch"));
    epoch.step = (long long)numberOr(record, "step");
    epoch.loss = numberOr(record, "loss", std::nan(""));
    epoch.learningRate = numberOr(record, "lr");
    epoch.imagesPerSecond = numberOr(record, "images_per_s");
    epoch.seconds = numberOr(record, "seconds");
    epoch.wallTime = numberOr(record, "wall_time");
    epoch.hasTemperature = record.contains("c_hist");
    if (epoch.hasTemperature) {
        epoch.certaintyHistogram = histogramOf(record["c_hist"]);
        epoch.certaintyPercentiles = percentilesOf(record["c_percentiles"]);
        epoch.rawHistogram = histogramOf(record["r_hist"]);
        epoch.rawPercentiles = percentilesOf(record["r_percentiles"]);
    }
    epoch.hasOutliers = record.contains("outlier_c_hist");
    if (epoch.hasOutliers) {
        epoch.outlierCertaintyHistogram = histogramOf(record["outlier_c_hist"]);
        epoch.outlierCertaintyPercentiles = percentilesOf(record["outlier_c_percentiles"]);
    }
    return epoch;
}

/** A step record as MetricsWriter writes it: one JSON object whose type is step (its keys come sorted). */
bool looksLikeStepRecord(const std::string& line)
{
    return line.size() > 2 && line.front() == '{' && line.back() == '}' &&
           line.find("\"type\":\"step\"") != std::string::npos;
}

/**
 * Keeps every stride-th step record; when more than the cap are kept, drops every other one and doubles the
 * stride. One pass, memory bounded by the cap, and the kept records are evenly spaced whatever the length.
 */
class StepDecimation
{
public:
    explicit StepDecimation(size_t cap) : m_cap(cap) {}

    bool keepsNext() const { return m_cap == 0 || m_seen % m_stride == 0; }
    void skip() { ++m_seen; }
    void keep(std::vector<StepRecord>& kept, const StepRecord& step)
    {
        kept.push_back(step);
        ++m_seen;
        if (m_cap > 0 && kept.size() > m_cap) {
            size_t write = 0;
            for (size_t read = 0; read < kept.size(); read += 2) {
                kept[write++] = kept[read];
            }
            kept.resize(write);
            m_stride *= 2;
        }
    }
    long long seen() const { return m_seen; }
    long long stride() const { return m_stride; }

private:
    size_t m_cap;
    long long m_seen = 0;
    long long m_stride = 1;
};

/** metrics.json of one eval folder, or nothing when it is missing or not JSON. */
std::optional<nlohmann::json> evaluationMetrics(const fs::path& folder)
{
    std::ifstream stream(folder / "metrics.json", std::ios::binary);
    if (!stream) {
        return std::nullopt;
    }
    nlohmann::json json = nlohmann::json::parse(stream, nullptr, /*allow_exceptions=*/false);
    return json.is_object() ? std::optional<nlohmann::json>(std::move(json)) : std::nullopt;
}

/** The mean AUROC of an OOD evaluation's first score over its sets, and what it is. */
struct MeanAuroc
{
    double value = 0;
    std::string score;
    int sets = 0;
    std::string source; ///< "eval/x: tau, mean over 2 OOD sets"
};

std::optional<MeanAuroc> meanAurocOf(const nlohmann::json& metrics, const std::string& folderName)
{
    const std::string score = metrics["scores"].front().get<std::string>();
    double sum = 0;
    int sets = 0;
    for (const auto& [set, byScore] : metrics["results"].items()) {
        if (byScore.is_object() && byScore.contains(score) && byScore[score].is_object() &&
            byScore[score].contains("auroc") && byScore[score]["auroc"].is_number()) {
            sum += byScore[score]["auroc"].get<double>();
            ++sets;
        }
    }
    if (sets == 0) {
        return std::nullopt;
    }
    return MeanAuroc{sum / sets, score, sets,
                     "eval/" + folderName + ": " + score + ", mean over " + std::to_string(sets) +
                         (sets == 1 ? " OOD set" : " OOD sets")};
}

bool isOodEvaluation(const nlohmann::json& metrics)
{
    const auto results = metrics.find("results");
    const auto scores = metrics.find("scores");
    return results != metrics.end() && results->is_object() && scores != metrics.end() && scores->is_array() &&
           !scores->empty() && scores->front().is_string();
}

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

MetricsHistory readMetricsFile(const std::string& path, const MetricsReadOptions& options)
{
    std::ifstream stream(path);
    if (!stream) {
        throw DataError(path + ": cannot open the metrics file");
    }
    MetricsHistory history;
    StepDecimation decimation(options.maxStepRecords);
    std::string skippedStep; // the last step record left out, read at the end: the history ends with it
    int skippedLine = 0;
    int lineNumber = 0;
    const auto warn = [&](int line) {
        history.warnings.push_back(path + ":" + std::to_string(line) +
                                   ": not a metrics record (cut short by a crash, or not written by tau); skipped");
    };
    for (std::string line; std::getline(stream, line);) {
        ++lineNumber;
        const bool complete = !stream.eof(); // a last line without its newline may still be being written
        if (complete && looksLikeStepRecord(line) && !decimation.keepsNext()) {
            decimation.skip(); // left out of a long history: the shape check above is all it gets
            std::swap(skippedStep, line);
            skippedLine = lineNumber;
            continue;
        }
        const nlohmann::json record = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
        if (record.is_discarded() || !record.is_object()) {
            if (complete && !line.empty()) {
                warn(lineNumber);
            }
            continue;
        }
        const std::string type = record.value("type", "");
        if (type == "step" && !decimation.keepsNext()) {
            decimation.skip(); // spelled differently from MetricsWriter's records, and not due either
            skippedStep = line;
            skippedLine = lineNumber;
        } else if (type == "step") {
            StepRecord step = stepOf(record);
            step.scalars = scalarsOf(record, path + ":" + std::to_string(lineNumber), history.warnings);
            decimation.keep(history.steps, step);
            skippedStep.clear();
        } else if (type == "epoch") {
            history.epochs.push_back(epochOf(record));
            history.epochs.back().scalars = scalarsOf(record, path + ":" + std::to_string(lineNumber), history.warnings);
        } else if (type == "header") {
            history.schema = int(numberOr(record, "schema"));
            if (history.schema > kMetricsSchema) {
                history.warnings.push_back(path + ": schema " + std::to_string(history.schema) +
                                           ", written by a newer TaU Explorer (this one reads schema " +
                                           std::to_string(kMetricsSchema) + "): some records may be misread");
            }
        } else if (type == "event") {
            history.events.emplace_back(record.value("event", ""), record.value("detail", ""));
            if (record.contains("world_size") && record["world_size"].is_number_integer() &&
                record["world_size"].get<int>() >= 1) {
                history.worldSize = record["world_size"].get<int>();
            }
        }
    }
    if (!skippedStep.empty()) {
        const nlohmann::json record = nlohmann::json::parse(skippedStep, nullptr, /*allow_exceptions=*/false);
        if (record.is_object()) {
            history.steps.push_back(stepOf(record));
            history.steps.back().scalars = scalarsOf(record, path + ":" + std::to_string(skippedLine), history.warnings);
        } else {
            warn(skippedLine);
        }
    }
    history.stepRecordsInFile = decimation.seen();
    history.stepStride = decimation.stride();
    return history;
}

RunEvaluations newestEvaluations(const std::string& runDirectory)
{
    RunEvaluations found;
    fs::file_time_type newestOod = fs::file_time_type::min(), newestKnn = newestOod, newestLinear = newestOod;
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(RunPaths{runDirectory}.evaluations(), error)) {
        const std::optional<nlohmann::json> metrics = evaluationMetrics(entry.path());
        std::error_code timeError;
        const fs::file_time_type written = fs::last_write_time(entry.path() / "metrics.json", timeError);
        if (!metrics || timeError) {
            continue;
        }
        if (const auto knn = metrics->find("knn_top1"); knn != metrics->end() && knn->is_number() && written >= newestKnn) {
            found.knnTop1 = knn->get<double>();
            newestKnn = written;
        }
        if (const auto linear = metrics->find("linear_top1");
            linear != metrics->end() && linear->is_number() && written >= newestLinear) {
            found.linearTop1 = linear->get<double>();
            newestLinear = written;
        }
        if (isOodEvaluation(*metrics) && written >= newestOod) {
            found.oodFolder = entry.path().string();
            newestOod = written;
            const auto mean = meanAurocOf(*metrics, entry.path().filename().string()); // parsed once, here
            found.meanAuroc = mean ? std::optional<double>(mean->value) : std::nullopt;
            found.aurocSource = mean ? mean->source : std::string();
            found.aurocScore = mean ? mean->score : std::string();
            found.aurocSets = mean ? mean->sets : 0;
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
