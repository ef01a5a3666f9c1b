#pragma once

namespace tau::core {

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

} // namespace tau::core
