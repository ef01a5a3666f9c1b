#pragma once

#include "core/common/training_observer.h"
#include "core/training/step_timing.h"

#include <memory>
#include <string>

namespace tau::core {

class MetricsWriter;
struct RunPaths;

/** The clock time a record carries (wall_time in metrics.jsonl): seconds since the Unix epoch, as TensorBoard's. */
double unixSeconds();

/**
 * Where a run's records go: metrics.jsonl (rank 0 only, from the moment its folder is claimed) and the observer
 * (every rank: the CLI's progress line, the explorer's dashboard), with the pace and clock time they carry.
 */
class RunRecorder
{
public:
    /** @param stepEvery logging.step_every: every how many steps a step record is written to metrics.jsonl. */
    RunRecorder(TrainingObserver& observer, int stepEvery);
    ~RunRecorder();
    RunRecorder(const RunRecorder&) = delete;
    RunRecorder& operator=(const RunRecorder&) = delete;

    /** Rank 0: records and events are appended to @p paths' metrics.jsonl from here on. */
    void open(const RunPaths& paths);
    /** A resume from the checkpoint at @p step: the records after it go, since those steps are trained again. */
    void cutHistoryTo(const RunPaths& paths, long long step, int epochsDone);

    void say(const std::string& message) { m_observer.onMessage(message); }
    /** An event of the run's history (start, resume, stopped, error, ...); nothing before open(). */
    void event(const std::string& event, const std::string& detail, int worldSize = 0);

    /** An epoch's steps are timed from here. */
    void startEpoch() { m_timing.restart(); }
    void stepTaken() { m_timing.stepTaken(); }
    /**
     * The record of a step whose loss was read, with its place, the pace since the last read, the time left for
     * the rest of @p totalSteps and the clock time filled in; the caller fills the rest.
     */
    StepRecord stepRecord(long long step, long long totalSteps, int imagesPerStep);
    /** Shown to the observer; written to metrics.jsonl where the step is a multiple of logging.step_every. */
    void publish(const StepRecord& record);
    /** Written to metrics.jsonl; shown (show()) once the epoch's checkpoint is saved. */
    void write(const EpochRecord& record);
    void show(const EpochRecord& record) { m_observer.onEpochEnd(record); }

private:
    TrainingObserver& m_observer;
    int m_stepEvery;
    StepTiming m_timing;
    std::unique_ptr<MetricsWriter> m_metrics;
};

} // namespace tau::core
