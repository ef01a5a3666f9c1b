#pragma once

#include "core/io/durable_file.h"

#include "core/common/training_observer.h"

#include <fstream>
#include <string>
#include <vector>

namespace tau::core {

/** The files of one run (docs/architecture.md, "Files a run writes"). */
struct RunPaths
{
    std::string root;
    std::string config() const { return root + "/config.yaml"; }
    std::string metrics() const { return root + "/metrics.jsonl"; }
    /** What produced the run: tool version, git revision, LibTorch, backends, host, time and command of each start. */
    std::string provenance() const { return root + "/provenance.json"; }
    std::string checkpoints() const { return root + "/checkpoints"; }
    std::string lastCheckpoint() const { return checkpoints() + "/last.pt"; }
    /** RUN_DIR/checkpoints/<name> (a file name such as epoch_0005.pt). */
    std::string checkpoint(const std::string& name) const { return checkpoints() + "/" + name; }
    /** RUN_DIR/eval: one folder per evaluation. */
    std::string evaluations() const { return root + "/eval"; }
    std::string epochCheckpoint(int epoch) const;
    /**
     * RUN_DIR/eval/<name>: where an evaluation called @p name writes its files.
     * @throws DataError when @p name is not one folder name (pathComponentProblem), e.g. "../x" from an OOD config.
     */
    std::string evaluation(const std::string& name) const;
};

/** A run as the user named it: the run's files, and the checkpoint meant. */
struct RunLocation
{
    RunPaths paths;
    std::string checkpoint;
};

/**
 * Resolves "a run directory or one of its checkpoints", as every command takes it: a directory means its
 * checkpoints/last.pt; a checkpoint file means the run two folders up (RUN_DIR/checkpoints/x.pt).
 * Nothing is checked for existence here.
 */
RunLocation locateRun(const std::string& location);

/**
 * Creates <runsDir>/<expName>, or <expName>_2, _3, ... when that run already has results or a writer
 * (run_lock.h): a new run never overwrites an old one.
 */
RunPaths createRunDirectory(const std::string& runsDir, const std::string& expName);


/**
 * A resumed run's history must hold one record per step: drops the step records after @p step and the epoch
 * records after @p epochsDone (what a crash after the last checkpoint left), and any unreadable line, rewriting
 * the file atomically. Events stay. @return how many records were dropped.
 */
int truncateMetricsHistory(const std::string& path, long long step, int epochsDone);

/** What a start or resume of training records in provenance.json (the rest comes from build_info.h). */
struct TrainingSession
{
    std::string event;                    ///< start, resume, or import (tau import of an original checkpoint)
    std::string program;                  ///< tau or tau-explorer
    std::vector<std::string> commandLine; ///< as given (empty: not known)
    std::string device;                   ///< what it trains on, e.g. "cpu" or "cuda:0"
    int worldSize = 1;
};

/**
 * Appends @p session to RUN/provenance.json ({"schema": 1, "sessions": [...]}, written atomically), with the tool's
 * version, git revision, LibTorch version, compute backends, host and clock time. An unreadable file is kept
 * beside as provenance.json.unreadable and a new one started.
 */
void recordTrainingSession(const RunPaths& paths, const TrainingSession& session);

/** The metrics.jsonl schema MetricsWriter writes (its first line: {"type": "header", "schema": N}). */
constexpr int kMetricsSchema = 1;

/** Appends step and epoch records to metrics.jsonl, one JSON object per line, flushed per line. */
class MetricsWriter
{
public:
    explicit MetricsWriter(const std::string& path);
    void write(const StepRecord& record);
    void write(const EpochRecord& record);
    /** @param worldSize recorded with start and resume events: the number of processes that train the run. */
    void writeEvent(const std::string& event, const std::string& detail, int worldSize = 0);

private:
    void writeLine(const std::string& line);

    std::string m_path;
    LineAppender m_file;
};

} // namespace tau::core
