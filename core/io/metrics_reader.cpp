#include "core/io/metrics_reader.h"

#include "core/common/error.h"
#include "core/config/config_loader.h"
#include "core/io/run_directory.h"

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

} // namespace

MetricsHistory readMetricsFile(const std::string& path)
{
    std::ifstream stream(path);
    if (!stream) {
        throw DataError(path + ": cannot open the metrics file");
    }
    MetricsHistory history;
    int lineNumber = 0;
    for (std::string line; std::getline(stream, line);) {
        ++lineNumber;
        const bool complete = !stream.eof(); // a last line without its newline may still be being written
        const nlohmann::json record = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
        if (record.is_discarded() || !record.is_object()) {
            if (complete && !line.empty()) {
                history.warnings.push_back(path + ":" + std::to_string(lineNumber) +
                                           ": not a metrics record (cut short by a crash, or not written by tau); "
                                           "skipped");
            }
            continue;
        }
        const std::string type = record.value("type", "");
        if (type == "step") {
            StepRecord step;
            step.epoch = int(numberOr(record, "epoch"));
            step.step = (long long)numberOr(record, "step");
            step.loss = numberOr(record, "loss", std::nan(""));
            step.learningRate = numberOr(record, "lr");
            step.imagesPerSecond = numberOr(record, "images_per_s");
            step.meanCertainty = numberOr(record, "c_mean");
            step.meanRawR = numberOr(record, "r_mean");
            history.steps.push_back(step);
        } else if (type == "epoch") {
            EpochRecord epoch;
            epoch.epoch = int(numberOr(record, "epoch"));
            epoch.step = (long long)numberOr(record, "step");
            epoch.loss = numberOr(record, "loss", std::nan(""));
            epoch.learningRate = numberOr(record, "lr");
            epoch.imagesPerSecond = numberOr(record, "images_per_s");
            epoch.seconds = numberOr(record, "seconds");
            epoch.hasTemperature = record.contains("c_hist");
            if (epoch.hasTemperature) {
                epoch.certaintyHistogram = histogramOf(record["c_hist"]);
                epoch.certaintyPercentiles = percentilesOf(record["c_percentiles"]);
                epoch.rawHistogram = histogramOf(record["r_hist"]);
                epoch.rawPercentiles = percentilesOf(record["r_percentiles"]);
            }
            history.epochs.push_back(epoch);
        } else if (type == "event") {
            history.events.emplace_back(record.value("event", ""), record.value("detail", ""));
            if (record.contains("world_size") && record["world_size"].is_number_integer() &&
                record["world_size"].get<int>() >= 1) {
                history.worldSize = record["world_size"].get<int>();
            }
        }
    }
    return history;
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
    } catch (const TauError&) {
        summary.state = "incomplete";
        return summary;
    }
    const std::string metrics = RunPaths{directory}.metrics();
    if (!fs::exists(metrics)) {
        summary.state = "incomplete";
        return summary;
    }
    const MetricsHistory history = readMetricsFile(metrics);
    summary.epochsDone = history.epochs.empty() ? 0 : history.epochs.back().epoch;
    summary.worldSize = history.worldSize;
    if (!history.epochs.empty()) {
        summary.lastLoss = history.epochs.back().loss;
    } else if (!history.steps.empty()) {
        summary.lastLoss = history.steps.back().loss;
    }
    const std::string lastEvent = history.events.empty() ? "" : history.events.back().first;
    const auto age = fs::file_time_type::clock::now() - fs::last_write_time(metrics);
    if (lastEvent == "error") {
        summary.state = "failed";
    } else if (summary.epochsDone >= summary.totalEpochs && summary.totalEpochs > 0) {
        summary.state = "finished";
    } else if (lastEvent == "stopped") {
        summary.state = "stopped";
    } else if (age < kRunningWindow) {
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
    for (const auto& entry : fs::directory_iterator(runsRoot, error)) {
        if (entry.is_directory() && fs::exists(entry.path() / "config.yaml")) {
            directories.push_back(entry.path().string());
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
