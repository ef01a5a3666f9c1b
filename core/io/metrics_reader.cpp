#include "core/io/metrics_reader.h"

#include "core/common/error.h"
#include "core/io/record_fields.h"
#include "core/io/run_directory.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>

namespace tau::core {

namespace fs = std::filesystem;

namespace {

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
    readNumbers(record, stepRecordNumbers(), step);
    return step;
}

EpochRecord epochOf(const nlohmann::json& record)
{
    EpochRecord epoch;
    readNumbers(record, epochRecordNumbers(), epoch);
    for (const RecordDistribution& distribution : epochRecordDistributions()) {
        const auto histogram = record.find(distribution.histogramName);
        if (histogram == record.end()) {
            continue;
        }
        epoch.*distribution.present = true;
        epoch.*distribution.histogram = histogramOf(*histogram);
        const auto percentiles = record.find(distribution.percentilesName);
        epoch.*distribution.percentiles =
            percentiles != record.end() ? percentilesOf(*percentiles) : Percentiles{};
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

} // namespace tau::core
