#pragma once

// Torch-free: a run's history as TensorBoard event files, for users who keep TensorBoard's habits. The format is
// TFRecord framing (length, masked CRC-32C of the length, an Event protocol buffer, masked CRC-32C of it) of
// tensorflow's Event / Summary / HistogramProto messages, written here field by field.

#include "core/common/training_observer.h"

#include <cstdint>
#include <string>
#include <vector>

namespace tau::core {

/** CRC-32C (Castagnoli), the checksum of TFRecord framing. */
uint32_t crc32c(const void* data, size_t size);

/** Builds an event file in memory: the file-version event first, then one event per scalar or histogram. */
class EventFileBuilder
{
public:
    explicit EventFileBuilder(double wallTime);
    void addScalar(const std::string& tag, long long step, double wallTime, double value);
    /** A histogram with buckets [-inf, e0), [e0, e1), ..., [en, +inf): below, counts, above (empty ones kept). */
    void addHistogram(const std::string& tag, long long step, double wallTime, const Histogram& histogram,
                      const Percentiles& percentiles);
    const std::string& bytes() const { return m_bytes; }
    size_t events() const { return m_events; }

private:
    void addRecord(const std::string& event);

    std::string m_bytes;
    size_t m_events = 0;
};

struct TensorBoardExportResult
{
    std::string file;
    size_t scalars = 0;
    size_t histograms = 0;
    std::vector<std::string> warnings; ///< lines of metrics.jsonl that were not records
};

/**
 * Writes RUN/metrics.jsonl as one event file in @p outputFolder (default RUN/tensorboard):
 * step records as train/loss, train/lr, train/images_per_s, train/c_mean and train/r_mean; epoch records as
 * epoch/loss, epoch/lr, epoch/images_per_s, epoch/seconds and the percentiles of c and r (c/p5 ... c/p95, c/mean;
 * r/...), and the c and r histograms, each at the epoch's last step; free-form scalars of either as scalars/<name>.
 * Wall times are the records' own (wall_time); for a file written before records carried one, they are rebuilt from
 * the epochs' durations, the last epoch ending at the file's modification time.
 */
TensorBoardExportResult exportTensorBoard(const std::string& run, const std::string& outputFolder = "");

} // namespace tau::core
