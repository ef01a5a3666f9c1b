#pragma once

#include "core/common/training_observer.h"

#include <chrono>
#include <mutex>

namespace tau::app {

/**
 * Prints training progress for a terminal: one redrawn progress line (loss, images/s, ETA) while an epoch
 * runs, and one permanent line per epoch. Without a terminal (a log file, a cluster job) it prints only the
 * permanent lines.
 */
class ProgressPrinter : public core::TrainingObserver
{
public:
    explicit ProgressPrinter(bool interactive);

    void onTrainingStarted(const std::string& runDirectory, long long totalSteps) override;
    void onStep(const core::StepRecord& record) override;
    void onEpochEnd(const core::EpochRecord& record) override;
    void onMessage(const std::string& message) override;

    /** Ends the redrawn line so that later output starts on a fresh line. */
    void finishLine();

private:
    bool m_interactive;
    bool m_lineOpen = false;
    std::chrono::steady_clock::time_point m_lastDraw{};
    std::mutex m_mutex;
};

} // namespace tau::app
