#include "core/io/run_directory.h"

#include "core/common/error.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
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

/** NaN is not JSON: write null so every line stays parseable. */
nlohmann::json number(double value)
{
    return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
}

} // namespace

std::string RunPaths::epochCheckpoint(int epoch) const
{
    char name[32];
    std::snprintf(name, sizeof name, "/epoch_%04d.pt", epoch);
    return checkpoints() + name;
}

RunLocation locateRun(const std::string& location)
{
    if (fs::is_directory(location)) {
        const RunPaths paths{location};
        return {paths, paths.lastCheckpoint()};
    }
    return {RunPaths{fs::path(location).parent_path().parent_path().string()}, location};
}

RunPaths createRunDirectory(const std::string& runsDir, const std::string& expName)
{
    std::error_code error;
    fs::create_directories(runsDir, error);
    if (error) {
        throw TauError(runsDir + ": cannot create the runs directory (" + error.message() + ")");
    }
    fs::path candidate = fs::path(runsDir) / expName;
    for (int suffix = 2; fs::exists(candidate / "metrics.jsonl") || fs::exists(candidate / "config.yaml"); ++suffix) {
        candidate = fs::path(runsDir) / (expName + "_" + std::to_string(suffix));
    }
    RunPaths paths{candidate.string()};
    fs::create_directories(paths.checkpoints(), error);
    if (error) {
        throw TauError(paths.checkpoints() + ": cannot create the run directory (" + error.message() + ")");
    }
    return paths;
}

void writeFileAtomically(const std::string& path, const std::string& text)
{
    const std::string temporary = path + ".tmp";
    {
        std::ofstream stream(temporary, std::ios::binary | std::ios::trunc);
        stream << text;
        stream.flush();
        if (!stream) {
            std::remove(temporary.c_str());
            throw TauError(path + ": cannot write the file (disk full or no permission?)");
        }
    }
    if (std::rename(temporary.c_str(), path.c_str()) != 0) {
        std::remove(temporary.c_str());
        throw TauError(path + ": cannot replace the file");
    }
}

MetricsWriter::MetricsWriter(const std::string& path) : m_path(path), m_stream(path, std::ios::app)
{
    if (!m_stream) {
        throw TauError(path + ": cannot open the metrics file for writing");
    }
}

void MetricsWriter::write(const StepRecord& r)
{
    nlohmann::json line = {{"type", "step"},          {"epoch", r.epoch},
                           {"step", r.step},          {"loss", number(r.loss)},
                           {"lr", r.learningRate},    {"images_per_s", r.imagesPerSecond}};
    line["c_mean"] = number(r.meanCertainty);
    line["r_mean"] = number(r.meanRawR);
    writeLine(line.dump());
}

void MetricsWriter::write(const EpochRecord& r)
{
    nlohmann::json line = {{"type", "epoch"},       {"epoch", r.epoch},
                           {"step", r.step},        {"loss", number(r.loss)},
                           {"lr", r.learningRate},  {"images_per_s", r.imagesPerSecond},
                           {"seconds", r.seconds}};
    if (r.hasTemperature) {
        line["c_hist"] = toJson(r.certaintyHistogram);
        line["c_percentiles"] = toJson(r.certaintyPercentiles);
        line["r_hist"] = toJson(r.rawHistogram);
        line["r_percentiles"] = toJson(r.rawPercentiles);
    }
    writeLine(line.dump());
}

void MetricsWriter::writeEvent(const std::string& event, const std::string& detail, int worldSize)
{
    nlohmann::json record{{"type", "event"}, {"event", event}, {"detail", detail}};
    if (worldSize > 0) {
        record["world_size"] = worldSize;
    }
    writeLine(record.dump());
}

void MetricsWriter::writeLine(const std::string& line)
{
    m_stream << line << '\n';
    m_stream.flush();
    if (!m_stream) {
        throw TauError(m_path + ": cannot append to the metrics file (disk full?)");
    }
}

} // namespace tau::core
