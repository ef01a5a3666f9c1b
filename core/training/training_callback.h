#pragma once

// What the training loop calls besides the objective: the statistics every record carries (c and r of the
// anchors and of outlier exposure's outliers), monitors that measure the model as it trains (the kNN monitor) and
// reports about the job (communication). The caller composes them into TrainingOptions::callbacks,
// so the loop knows none of them, and a monitor that needs evaluation code lives with that code.

#include "core/common/cancellation.h"
#include "core/common/training_observer.h"

#include <c10/core/Device.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace tau::core {

class Communicator;
class GradientAverager;
class TrainingObjective;
struct StepLoss;

/** Where the run trains: given once, after the data and the model are set up and before the run folder is opened. */
struct TrainingSetUp
{
    c10::Device device;
    Communicator& communicator; ///< not const: a callback may call collectives at step and epoch ends
    const GradientAverager& averager; ///< the gradient buckets of a data-parallel job
    int totalEpochs = 0;
    long long stepsPerEpoch = 0;
};

/**
 * The end of an optimisation step, on every rank (a callback may call collectives here: every rank calls it at the
 * same step). Where the step's loss was read back, its record is there to take the callback's values before it is
 * shown and written; between reads (on a GPU) there is none, and nothing should be read back from the device.
 */
struct StepEnd
{
    long long step = 0; ///< global, 1-based: the step just taken
    const StepLoss& loss;
    StepRecord* record = nullptr;
};

/** The end of an epoch: its record, before it is written and shown, takes a callback's scalars. */
struct EpochEnd
{
    int epochsDone = 0; ///< 1-based: the epoch just finished
    int totalEpochs = 0;
    TrainingObjective& objective;
    const CancellationToken& cancel;
    EpochRecord& record;
};

/** The end of training (finished or stopped): what a callback reports goes to the run's events. */
struct TrainingEnd
{
    long long stepsTrained = 0; ///< by this process, since it started or resumed
    double seconds = 0;         ///< the same steps' wall time
    /** Writes an event to metrics.jsonl (rank 0) and shows it as a message. */
    std::function<void(const std::string& event, const std::string& detail)> report;
};

/** Called on the training thread, on every rank of a job; every hook has a default that does nothing. */
class TrainingCallback
{
public:
    virtual ~TrainingCallback() = default;
    /**
     * Before anything is written: loads what the callback needs.
     * @throws ConfigError / DataError for what it cannot work with, so the run stops before its folder exists.
     */
    virtual void setUp(const TrainingSetUp& setUp) { (void)setUp; }
    /** The run folder is open and the first step is next: a measurement of the training starts here. */
    virtual void onTrainingStart() {}
    virtual void onStepEnd(StepEnd& end) { (void)end; }
    virtual void onEpochEnd(EpochEnd& end) { (void)end; }
    virtual void onTrainingEnd(const TrainingEnd& end) { (void)end; }
};

/** Callbacks called in their order as one, so the loop calls each hook once. */
class CallbackSequence : public TrainingCallback
{
public:
    explicit CallbackSequence(std::vector<std::shared_ptr<TrainingCallback>> callbacks)
        : m_callbacks(std::move(callbacks))
    {
    }
    void setUp(const TrainingSetUp& setUp) override
    {
        for (const auto& callback : m_callbacks) {
            callback->setUp(setUp);
        }
    }
    void onTrainingStart() override
    {
        for (const auto& callback : m_callbacks) {
            callback->onTrainingStart();
        }
    }
    void onStepEnd(StepEnd& end) override
    {
        for (const auto& callback : m_callbacks) {
            callback->onStepEnd(end);
        }
    }
    void onEpochEnd(EpochEnd& end) override
    {
        for (const auto& callback : m_callbacks) {
            callback->onEpochEnd(end);
        }
    }
    void onTrainingEnd(const TrainingEnd& end) override
    {
        for (const auto& callback : m_callbacks) {
            callback->onTrainingEnd(end);
        }
    }

private:
    std::vector<std::shared_ptr<TrainingCallback>> m_callbacks;
};

} // namespace tau::core
