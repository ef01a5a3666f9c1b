#pragma once

#include <chrono>
#include <deque>

namespace tau::core {

/**
 * The pace a step record reports: seconds per step averaged over the steps since the last read (on a GPU the
 * loss is read every logging.step_every steps, and the steps between run ahead of the host), and the time left
 * from the mean of the last reads.
 */
class StepTiming
{
public:
    /** An epoch starts, or a read was made: the next read times the steps from now. */
    void restart()
    {
        m_lastRead = Clock::now();
        m_stepsSinceRead = 0;
    }

    void stepTaken() { ++m_stepsSinceRead; }

    /** At a read: the mean seconds of the steps since the last one. */
    double secondsPerStepSinceRead()
    {
        const double seconds = std::chrono::duration<double>(Clock::now() - m_lastRead).count();
        const double perStep = seconds / double(m_stepsSinceRead > 0 ? m_stepsSinceRead : 1);
        restart();
        return perStep;
    }

    /** Seconds left for @p stepsLeft steps at the mean pace of the last reads (@p stepSeconds the newest). */
    double remainingSeconds(double stepSeconds, long long stepsLeft)
    {
        m_recentStepSeconds.push_back(stepSeconds);
        if (m_recentStepSeconds.size() > kWindow) {
            m_recentStepSeconds.pop_front();
        }
        double sum = 0;
        for (const double seconds : m_recentStepSeconds) {
            sum += seconds;
        }
        return sum / double(m_recentStepSeconds.size()) * double(stepsLeft);
    }

private:
    using Clock = std::chrono::steady_clock;
    static constexpr size_t kWindow = 20;

    Clock::time_point m_lastRead = Clock::now();
    int m_stepsSinceRead = 0;
    std::deque<double> m_recentStepSeconds;
};

} // namespace tau::core
