#pragma once

#include <functional>

namespace tau::core {

struct OptimizerConfig;

/** Per-step learning rate: linear warm-up from startLr to peakLr, then cosine down to finalLr. */
class WarmupCosineSchedule
{
public:
    WarmupCosineSchedule(double startLr, double peakLr, double finalLr, long long warmupSteps, long long totalSteps);

    /** The learning rate for 0-based step @p step; constant at finalLr past the end. */
    double at(long long step) const;

private:
    double m_startLr, m_peakLr, m_finalLr;
    long long m_warmupSteps, m_totalSteps;
};

/**
 * The original's MoCo schedule (optimizer.schedule: moco_step): the same linear warm-up, then the peak rate
 * divided by 10 at 68% and again at 83% of the steps.
 */
class MocoStepSchedule
{
public:
    MocoStepSchedule(double startLr, double peakLr, long long warmupSteps, long long totalSteps);
    double at(long long step) const;

private:
    double m_startLr, m_peakLr;
    long long m_warmupSteps, m_firstDrop, m_secondDrop;
};

/** The per-step learning rate of the config's optimizer.schedule (warmup_cosine or moco_step), for 0-based steps. */
std::function<double(long long)> learningRateSchedule(const OptimizerConfig& config, long long warmupSteps,
                                                      long long totalSteps);

} // namespace tau::core
