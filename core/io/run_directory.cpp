#include "core/io/run_directory.h"

#include "core/common/build_info.h"
#include "core/common/duration_text.h"
#include "core/common/error.h"
#include "core/io/path_names.h"
#include "core/io/record_fields.h"
#include "core/io/run_lock.h"

#include <chrono>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>

namespace tau::core {

namespace fs = std::filesystem;

namespace {

nlohmann::json toJson(const Histogram& histogram)
{
    return {{"edges", histogram.edges},
            {"counts", histogram.counts},
            {"below", histogram.below},
            {"above", histogram.above}};
}

nlohmann::json toJson(const Percentiles& p)
{
    return {{"p5", p.p5}, {"p25", p.p25}, {"p50", p.p50}, {"p75", p.p75}, {"p95", p.p95}, {"mean", p.mean}};
}

nlohmann::json scalarsJson(const std::map<std::string, double>& scalars)
{
    nlohmann::json object = nlohmann::json::object();
    for (const auto& [name, value] : scalars) {
        object[name] = jsonNumber(value);
    }
    return object;
}

} // namespace

std::string RunPaths::epochCheckpoint(int epoch) const
{
    char name[32];
    std::snprintf(name, sizeof name, "/epoch_%04d.pt", epoch);
    return checkpoints() + name;
}

std::string RunPaths::evaluation(const std::string& name) const
{
    if (const std::string problem = pathComponentProblem(name); !problem.empty()) {
        throw DataError("evaluation name (the folder under " + evaluations() + "): " + problem);
    }
    return evaluations() + "/" + name;
}

RunLocation locateRun(const std::string& location)
{
    if (fs::is_directory(location)) {
        const RunPaths paths{location};
        if (!fs::exists(paths.config())) {
            throw DataError(location + ": not a run folder: it has no config.yaml (a run folder holds config.yaml, "
                                       "metrics.jsonl and checkpoints/)");
        }
        return {paths, paths.lastCheckpoint()};
    }
    if (!fs::exists(location)) {
        throw DataError(location + ": checkpoint not found (no such file or run folder)");
    }
    const fs::path file(location);
    const fs::path run = file.parent_path().parent_path();
    if (file.parent_path().filename() != "checkpoints" || !fs::exists(run / "config.yaml")) {
        throw DataError(location + ": a checkpoint outside a run folder: tau reads a checkpoint with its run's "
                                   "config.yaml, which says how to build the model (RUN_DIR/checkpoints/" +
                        file.filename().string() +
                        " beside RUN_DIR/config.yaml). Put it in a run folder as checkpoints/last.pt beside the config "
                        "it was trained with, or bring a checkpoint of the original repository in with tau import");
    }
    return {RunPaths{run.string()}, location};
}

RunPaths createRunDirectory(const std::string& runsDir, const std::string& expName)
{
    std::error_code error;
    fs::create_directories(runsDir, error);
    if (error) {
        throw TauError(runsDir + ": cannot create the runs directory (" + error.message() + ")");
    }
    fs::path candidate = fs::path(runsDir) / expName;
    const auto taken = [](const fs::path& folder) {
        return fs::exists(folder / "metrics.jsonl") || fs::exists(folder / "config.yaml") ||
               currentRunWriter(folder.string()).has_value();
    };
    for (int suffix = 2; taken(candidate); ++suffix) {
        candidate = fs::path(runsDir) / (expName + "_" + std::to_string(suffix));
    }
    RunPaths paths{candidate.string()};
    fs::create_directories(paths.checkpoints(), error);
    if (error) {
        throw TauError(paths.checkpoints() + ": cannot create the run directory (" + error.message() + ")");
    }
    return paths;
}

int truncateMetricsHistory(const std::string& path, long long step, int epochsDone)
{
    std::ifstream stream(path);
    if (!stream) {
        return 0; // nothing recorded yet
    }
    std::string kept;
    int dropped = 0;
    for (std::string line; std::getline(stream, line);) {
        const nlohmann::json record = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
        if (record.is_discarded() || !record.is_object()) {
            ++dropped;
            continue;
        }
        const std::string type = record.value("type", "");
        const bool stale = (type == "step" && record.value("step", 0LL) > step) ||
                           (type == "epoch" && record.value("epoch", 0) > epochsDone);
        if (stale) {
            ++dropped;
        } else {
            kept += line + '\n';
        }
    }
    stream.close();
    if (dropped > 0) {
        writeFileAtomically(path, kept);
    }
    return dropped;
}

namespace {

double unixSeconds()
{
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

} // namespace

void recordTrainingSession(const RunPaths& paths, const TrainingSession& session)
{
    const std::string path = paths.provenance();
    nlohmann::json file = {{"schema", 1}, {"sessions", nlohmann::json::array()}};
    if (fs::exists(path)) {
        std::ifstream stream(path, std::ios::binary);
        const nlohmann::json existing = nlohmann::json::parse(stream, nullptr, /*allow_exceptions=*/false);
        if (existing.is_object() && existing.contains("sessions") && existing["sessions"].is_array()) {
            file = existing;
        } else {
            std::error_code ignored;
            fs::rename(path, path + ".unreadable", ignored); // kept for whoever wants to look at it
        }
    }
    file["sessions"].push_back({{"event", session.event},
                                {"time", utcTimeNow()},
                                {"wall_time", unixSeconds()},
                                {"host", hostName()},
                                {"program", session.program},
                                {"command_line", session.commandLine},
                                {"version", toolVersion()},
                                {"git_revision", gitRevision()},
                                {"libtorch", libtorchVersion()},
                                {"backends", computeBackends()},
                                {"device", session.device},
                                {"world_size", session.worldSize}});
    writeFileAtomically(path, file.dump(2) + "\n");
}

MetricsWriter::MetricsWriter(const std::string& path) : m_path(path), m_file(path)
{
    std::error_code error;
    if (fs::file_size(path, error) == 0 || error) {
        // A new history says which schema it follows; readers ignore record types they do not know.
        writeLine(nlohmann::json{{"type", "header"}, {"schema", kMetricsSchema}, {"wall_time", unixSeconds()}}.dump());
    }
}

void MetricsWriter::write(const StepRecord& r)
{
    nlohmann::json line = {{"type", "step"}};
    writeNumbers(r, stepRecordNumbers(), line);
    if (!r.scalars.empty()) {
        line["scalars"] = scalarsJson(r.scalars);
    }
    writeLine(line.dump());
}

void MetricsWriter::write(const EpochRecord& r)
{
    nlohmann::json line = {{"type", "epoch"}};
    writeNumbers(r, epochRecordNumbers(), line);
    for (const RecordDistribution& distribution : epochRecordDistributions()) {
        if (r.*distribution.present) {
            line[distribution.histogramName] = toJson(r.*distribution.histogram);
            line[distribution.percentilesName] = toJson(r.*distribution.percentiles);
        }
    }
    if (!r.scalars.empty()) {
        line["scalars"] = scalarsJson(r.scalars);
    }
    writeLine(line.dump());
}

void MetricsWriter::writeEvent(const std::string& event, const std::string& detail, int worldSize)
{
    nlohmann::json record{{"type", "event"}, {"event", event}, {"detail", detail}, {"wall_time", unixSeconds()}};
    if (worldSize > 0) {
        record["world_size"] = worldSize;
    }
    writeLine(record.dump());
}

void MetricsWriter::writeLine(const std::string& line)
{
    m_file.append(line);
}

} // namespace tau::core
