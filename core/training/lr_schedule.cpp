#include "core/training/lr_schedule.h"

#include "core/schema/experiment_config.h"

#include <algorithm>
#include <cmath>

namespace tau::core {

namespace {

/** Step @p step of np.linspace(start, peak, W), as the original builds its warm-up: the last warm-up step is at
 *  the peak. */
double linearWarmup(double start, double peak, long long warmupSteps, long long step)
{
    return warmupSteps == 1 ? start : start + (peak - start) * double(step) / double(warmupSteps - 1);
}

} // namespace

WarmupCosineSchedule::WarmupCosineSchedule(double startLr, double peakLr, double finalLr, long long warmupSteps,
                                           long long totalSteps)
    : m_startLr(startLr)
    , m_peakLr(peakLr)
    , m_finalLr(finalLr)
    , m_warmupSteps(std::max(0LL, std::min(warmupSteps, totalSteps)))
    , m_totalSteps(std::max(1LL, totalSteps))
{
}

double WarmupCosineSchedule::at(long long step) const
{
    if (step < m_warmupSteps) {
        return linearWarmup(m_startLr, m_peakLr, m_warmupSteps, step);
    }
    const long long decaySteps = m_totalSteps - m_warmupSteps;
    if (decaySteps <= 0 || step >= m_totalSteps) {
        return step >= m_totalSteps ? m_finalLr : m_peakLr;
    }
    const double progress = double(step - m_warmupSteps) / double(decaySteps);
    return m_finalLr + 0.5 * (m_peakLr - m_finalLr) * (1.0 + std::cos(M_PI * progress));
}

MocoStepSchedule::MocoStepSchedule(double startLr, double peakLr, long long warmupSteps, long long totalSteps)
    : m_startLr(startLr)
    , m_peakLr(peakLr)
    , m_warmupSteps(std::max(0LL, std::min(warmupSteps, totalSteps)))
    , m_firstDrop((long long)std::floor(0.68 * double(totalSteps)))
    , m_secondDrop((long long)std::floor(0.83 * double(totalSteps)))
{
}

double MocoStepSchedule::at(long long step) const
{
    if (step < m_warmupSteps) {
        return linearWarmup(m_startLr, m_peakLr, m_warmupSteps, step);
    }
    const int drops = (step >= m_firstDrop ? 1 : 0) + (step >= m_secondDrop ? 1 : 0);
    return m_peakLr * std::pow(0.1, drops);
}

std::function<double(long long)> learningRateSchedule(const OptimizerConfig& config, long long warmupSteps,
                                                      long long totalSteps)
{
    if (config.schedule == "moco_step") {
        MocoStepSchedule schedule(config.startLr, config.learningRate, warmupSteps, totalSteps);
        return [schedule](long long step) { return schedule.at(step); };
    }
    WarmupCosineSchedule schedule(config.startLr, config.learningRate, config.finalLr, warmupSteps, totalSteps);
    return [schedule](long long step) { return schedule.at(step); };
}

} // namespace tau::core
