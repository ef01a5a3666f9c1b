#include "core/io/tensorboard_export.h"

#include "core/common/error.h"
#include "core/io/durable_file.h"
#include "core/io/metrics_reader.h"
#include "core/io/run_directory.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <limits>

namespace tau::core {

namespace fs = std::filesystem;

namespace {

/** Protocol-buffer wire format, the few field kinds the event messages use. */
class ProtoWriter
{
public:
    void varintField(int field, uint64_t value)
    {
        tag(field, 0);
        varint(value);
    }
    void doubleField(int field, double value)
    {
        tag(field, 1);
        fixed(&value, sizeof value);
    }
    void floatField(int field, float value)
    {
        tag(field, 5);
        fixed(&value, sizeof value);
    }
    void bytesField(int field, const std::string& bytes)
    {
        tag(field, 2);
        varint(bytes.size());
        m_bytes += bytes;
    }
    void packedDoubles(int field, const std::vector<double>& values)
    {
        ProtoWriter packed;
        for (const double value : values) {
            packed.fixed(&value, sizeof value);
        }
        bytesField(field, packed.m_bytes);
    }
    const std::string& bytes() const { return m_bytes; }

private:
    void tag(int field, int wireType) { varint(uint64_t(field) << 3 | uint64_t(wireType)); }
    void varint(uint64_t value)
    {
        while (value >= 0x80) {
            m_bytes += char((value & 0x7f) | 0x80);
            value >>= 7;
        }
        m_bytes += char(value);
    }
    void fixed(const void* value, size_t size) { m_bytes.append(static_cast<const char*>(value), size); } // little-endian

    std::string m_bytes;
};

// Field numbers of tensorflow/core/util/event.proto and framework/summary.proto.
enum EventField { kWallTime = 1, kStep = 2, kFileVersion = 3, kSummary = 5 };
enum ValueField { kTag = 1, kSimpleValue = 2, kHisto = 5 };
enum HistogramField { kMin = 1, kMax = 2, kNum = 3, kSum = 4, kSumSquares = 5, kBucketLimit = 6, kBucket = 7 };

std::string eventWith(double wallTime, long long step, const std::string& value)
{
    ProtoWriter summary;
    summary.bytesField(1, value); // Summary.value
    ProtoWriter event;
    event.doubleField(kWallTime, wallTime);
    event.varintField(kStep, uint64_t(step));
    event.bytesField(kSummary, summary.bytes());
    return event.bytes();
}

uint32_t masked(uint32_t crc)
{
    return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

const std::array<uint32_t, 256>& crcTable()
{
    static const std::array<uint32_t, 256> table = [] {
        std::array<uint32_t, 256> entries{};
        for (uint32_t byte = 0; byte < 256; ++byte) {
            uint32_t crc = byte;
            for (int bit = 0; bit < 8; ++bit) {
                crc = crc & 1 ? (crc >> 1) ^ 0x82f63b78u : crc >> 1; // the reflected Castagnoli polynomial
            }
            entries[byte] = crc;
        }
        return entries;
    }();
    return table;
}

double fileTime(const std::string& path)
{
    const auto written = fs::last_write_time(path);
    const auto system = std::chrono::time_point_cast<std::chrono::system_clock::duration>(
        written - fs::file_time_type::clock::now() + std::chrono::system_clock::now());
    return std::chrono::duration<double>(system.time_since_epoch()).count();
}

/**
 * Wall times for steps, rebuilt from what the history keeps: each epoch's duration. Time runs linearly in steps
 * within an epoch; the last epoch ends at @p end (the file's modification time), steps past it end there too.
 */
class StepClock
{
public:
    StepClock(const std::vector<EpochRecord>& epochs, double end)
    {
        double elapsed = 0;
        m_marks.push_back({0, 0.0});
        for (const EpochRecord& epoch : epochs) {
            elapsed += std::max(0.0, epoch.seconds);
            m_marks.push_back({epoch.step, elapsed});
        }
        m_start = end - elapsed;
        m_end = end;
    }

    double at(long long step) const
    {
        for (size_t i = 1; i < m_marks.size(); ++i) {
            const auto& [toStep, toTime] = m_marks[i];
            const auto& [fromStep, fromTime] = m_marks[i - 1];
            if (step <= toStep && toStep > fromStep) {
                return m_start + fromTime + (toTime - fromTime) * double(step - fromStep) / double(toStep - fromStep);
            }
        }
        return m_end;
    }

private:
    std::vector<std::pair<long long, double>> m_marks; ///< (step, seconds since the start) at each epoch's end
    double m_start = 0;
    double m_end = 0;
};

void addPercentiles(EventFileBuilder& events, const std::string& prefix, long long step, double time, const Percentiles& p)
{
    for (const auto& [name, value] : {std::pair<const char*, double>{"p5", p.p5}, {"p25", p.p25}, {"p50", p.p50},
                                      {"p75", p.p75}, {"p95", p.p95}, {"mean", p.mean}}) {
        events.addScalar(prefix + name, step, time, value);
    }
}

void addEpoch(EventFileBuilder& events, const EpochRecord& epoch, double time, TensorBoardExportResult& result)
{
    events.addScalar("epoch/loss", epoch.step, time, epoch.loss);
    events.addScalar("epoch/lr", epoch.step, time, epoch.learningRate);
    events.addScalar("epoch/images_per_s", epoch.step, time, epoch.imagesPerSecond);
    events.addScalar("epoch/seconds", epoch.step, time, epoch.seconds);
    result.scalars += 4;
    if (epoch.hasTemperature) {
        addPercentiles(events, "c/", epoch.step, time, epoch.certaintyPercentiles);
        addPercentiles(events, "r/", epoch.step, time, epoch.rawPercentiles);
        events.addHistogram("c", epoch.step, time, epoch.certaintyHistogram, epoch.certaintyPercentiles);
        events.addHistogram("r", epoch.step, time, epoch.rawHistogram, epoch.rawPercentiles);
        result.scalars += 12;
        result.histograms += 2;
    }
    if (epoch.hasOutliers) { // outlier exposure's synthetic outliers, beside the training images' c
        addPercentiles(events, "outlier_c/", epoch.step, time, epoch.outlierCertaintyPercentiles);
        events.addHistogram("outlier_c", epoch.step, time, epoch.outlierCertaintyHistogram,
                            epoch.outlierCertaintyPercentiles);
        result.scalars += 6;
        result.histograms += 1;
    }
    for (const auto& [name, value] : epoch.scalars) {
        events.addScalar("scalars/" + name, epoch.step, time, value);
        ++result.scalars;
    }
}

} // namespace

uint32_t crc32c(const void* data, size_t size)
{
    const auto* bytes = static_cast<const uint8_t*>(data);
    uint32_t crc = 0xffffffffu;
    for (size_t i = 0; i < size; ++i) {
        crc = crcTable()[(crc ^ bytes[i]) & 0xff] ^ (crc >> 8);
    }
    return crc ^ 0xffffffffu;
}

EventFileBuilder::EventFileBuilder(double wallTime)
{
    ProtoWriter event;
    event.doubleField(kWallTime, wallTime);
    event.bytesField(kFileVersion, "brain.Event:2");
    addRecord(event.bytes());
}

void EventFileBuilder::addRecord(const std::string& event)
{
    const uint64_t length = event.size();
    char header[8];
    std::memcpy(header, &length, sizeof header);
    const uint32_t lengthCrc = masked(crc32c(header, sizeof header));
    const uint32_t dataCrc = masked(crc32c(event.data(), event.size()));
    m_bytes.append(header, sizeof header);
    m_bytes.append(reinterpret_cast<const char*>(&lengthCrc), sizeof lengthCrc);
    m_bytes += event;
    m_bytes.append(reinterpret_cast<const char*>(&dataCrc), sizeof dataCrc);
    ++m_events;
}

void EventFileBuilder::addScalar(const std::string& tag, long long step, double wallTime, double value)
{
    ProtoWriter summaryValue;
    summaryValue.bytesField(kTag, tag);
    summaryValue.floatField(kSimpleValue, float(value));
    addRecord(eventWith(wallTime, step, summaryValue.bytes()));
}

void EventFileBuilder::addHistogram(const std::string& tag, long long step, double wallTime, const Histogram& histogram,
                                    const Percentiles& percentiles)
{
    if (histogram.edges.size() != histogram.counts.size() + 1) {
        throw TauError("histogram '" + tag + "' at step " + std::to_string(step) + ": expected one more edge than counts");
    }
    // TensorBoard's buckets are given by their right limits: below the first edge, each bin, above the last.
    std::vector<double> limits(histogram.edges.begin(), histogram.edges.end());
    limits.push_back(std::numeric_limits<double>::max());
    std::vector<double> counts = {double(histogram.below)};
    double total = double(histogram.below + histogram.above);
    for (const long long count : histogram.counts) {
        counts.push_back(double(count));
        total += double(count);
    }
    counts.push_back(double(histogram.above));
    ProtoWriter histo;
    histo.doubleField(kMin, histogram.edges.front()); // the bins' range: the record keeps no extremes
    histo.doubleField(kMax, histogram.edges.back());
    histo.doubleField(kNum, total);
    histo.doubleField(kSum, percentiles.mean * total); // the record keeps the mean, not the sum of squares
    histo.doubleField(kSumSquares, 0.0);
    histo.packedDoubles(kBucketLimit, limits);
    histo.packedDoubles(kBucket, counts);
    ProtoWriter summaryValue;
    summaryValue.bytesField(kTag, tag);
    summaryValue.bytesField(kHisto, histo.bytes());
    addRecord(eventWith(wallTime, step, summaryValue.bytes()));
}

TensorBoardExportResult exportTensorBoard(const std::string& run, const std::string& outputFolder)
{
    const RunLocation location = locateRun(run);
    const std::string metrics = location.paths.metrics();
    const MetricsHistory history = readMetricsFile(metrics);
    const double modified = fileTime(metrics);
    const StepClock clock(history.epochs, modified);
    // A record's own clock time where it has one (files written before wall_time was recorded have none).
    const auto timeOf = [&clock](long long step, double wallTime) { return wallTime > 0 ? wallTime : clock.at(step); };
    const double start = !history.steps.empty()    ? timeOf(history.steps.front().step, history.steps.front().wallTime)
                         : !history.epochs.empty() ? timeOf(history.epochs.front().step, history.epochs.front().wallTime)
                                                   : clock.at(0);
    EventFileBuilder events(start);
    TensorBoardExportResult result;
    result.warnings = history.warnings;
    // In the history's order (each epoch after its last step), so wall times never go back.
    size_t nextEpoch = 0;
    const auto addEpochsUpTo = [&](long long step) {
        for (; nextEpoch < history.epochs.size() && history.epochs[nextEpoch].step < step; ++nextEpoch) {
            const EpochRecord& epoch = history.epochs[nextEpoch];
            addEpoch(events, epoch, timeOf(epoch.step, epoch.wallTime), result);
        }
    };
    for (const StepRecord& step : history.steps) {
        addEpochsUpTo(step.step);
        const double time = timeOf(step.step, step.wallTime);
        events.addScalar("train/loss", step.step, time, step.loss);
        events.addScalar("train/lr", step.step, time, step.learningRate);
        events.addScalar("train/images_per_s", step.step, time, step.imagesPerSecond);
        events.addScalar("train/c_mean", step.step, time, step.meanCertainty);
        events.addScalar("train/r_mean", step.step, time, step.meanRawR);
        result.scalars += 5;
        if (step.meanOutlierCertainty) {
            events.addScalar("train/outlier_c_mean", step.step, time, *step.meanOutlierCertainty);
            ++result.scalars;
        }
        for (const auto& [name, value] : step.scalars) {
            events.addScalar("scalars/" + name, step.step, time, value);
            ++result.scalars;
        }
    }
    addEpochsUpTo(std::numeric_limits<long long>::max());
    const std::string folder = outputFolder.empty() ? location.paths.root + "/tensorboard" : outputFolder;
    std::error_code error;
    fs::create_directories(folder, error);
    if (error) {
        throw TauError(folder + ": cannot create the folder (" + error.message() + ")");
    }
    result.file = folder + "/events.out.tfevents." + std::to_string(static_cast<long long>(modified)) + ".tau-explorer";
    writeFileAtomically(result.file, events.bytes());
    return result;
}

} // namespace tau::core
