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

} // namespace tau::core
