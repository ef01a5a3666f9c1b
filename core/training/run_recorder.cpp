#include "core/training/run_recorder.h"

#include "core/io/run_directory.h"

#include <algorithm>
#include <chrono>

namespace tau::core {

double unixSeconds()
{
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

RunRecorder::RunRecorder(TrainingObserver& observer, int stepEvery)
    : m_observer(observer)
    , m_stepEvery(stepEvery)
{
}

RunRecorder::~RunRecorder() = default;

void RunRecorder::open(const RunPaths& paths)
{
    m_metrics = std::make_unique<MetricsWriter>(paths.metrics());
}

void RunRecorder::cutHistoryTo(const RunPaths& paths, long long step, int epochsDone)
{
    const int dropped = truncateMetricsHistory(paths.metrics(), step, epochsDone);
    if (dropped > 0) {
        say("metrics.jsonl: dropped " + std::to_string(dropped) + " records after step " + std::to_string(step) +
            " (the checkpoint), which this resume trains again");
    }
}

void RunRecorder::event(const std::string& event, const std::string& detail, int worldSize)
{
    if (m_metrics) {
        m_metrics->writeEvent(event, detail, worldSize);
    }
}

StepRecord RunRecorder::stepRecord(long long step, long long totalSteps, int imagesPerStep)
{
    const double secondsPerStep = m_timing.secondsPerStepSinceRead();
    StepRecord record;
    record.step = step;
    record.totalSteps = totalSteps;
    record.imagesPerSecond = imagesPerStep / std::max(1e-9, secondsPerStep);
    record.etaSeconds = m_timing.remainingSeconds(secondsPerStep, totalSteps - step);
    record.wallTime = unixSeconds();
    return record;
}

void RunRecorder::publish(const StepRecord& record)
{
    m_observer.onStep(record);
    if (m_metrics && record.step % m_stepEvery == 0) {
        m_metrics->write(record);
    }
}

void RunRecorder::write(const EpochRecord& record)
{
    if (m_metrics) {
        m_metrics->write(record);
    }
}

} // namespace tau::core
