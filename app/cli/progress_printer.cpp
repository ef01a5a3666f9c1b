#include "app/cli/progress_printer.h"

#include "core/common/duration_text.h"

#include <cmath>
#include <cstdio>
#include <string>

namespace tau::app {

namespace {
constexpr int kBarWidth = 24;
constexpr double kRedrawSeconds = 0.1;

/** "  GPU 1.2/3.4 GB" on a GPU, nothing on the CPU. */
std::string gpuMemoryField(const core::StepRecord& record)
{
    const std::string memory = core::formatGpuMemory(record.gpuMemoryMb, record.gpuPeakMb);
    return memory.empty() ? memory : "  " + memory;
}
} // namespace

ProgressPrinter::ProgressPrinter(bool interactive) : m_interactive(interactive) {}

void ProgressPrinter::onTrainingStarted(const std::string& runDirectory, long long totalSteps)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    std::fprintf(stderr, "run directory: %s (%lld steps)\n", runDirectory.c_str(), totalSteps);
}

void ProgressPrinter::onStep(const core::StepRecord& record)
{
    if (!m_interactive) {
        return;
    }
    std::lock_guard<std::mutex> lock(m_mutex);
    const auto now = std::chrono::steady_clock::now();
    const bool last = record.step == record.totalSteps;
    if (!last && std::chrono::duration<double>(now - m_lastDraw).count() < kRedrawSeconds) {
        return;
    }
    m_lastDraw = now;
    const double fraction = double(record.step) / double(std::max(1LL, record.totalSteps));
    const int filled = int(fraction * kBarWidth);
    const std::string bar = std::string(size_t(filled), '#') + std::string(size_t(kBarWidth - filled), '.');
    std::fprintf(stderr, "\r\033[Kepoch %d [%s] %3.0f%% step %lld/%lld  loss %.4f  lr %.2e  %.0f img/s%s  ETA %s",
                 record.epoch, bar.c_str(), fraction * 100.0, record.step, record.totalSteps, record.loss,
                 record.learningRate, record.imagesPerSecond, gpuMemoryField(record).c_str(),
                 core::formatDuration(record.etaSeconds).c_str());
    std::fflush(stderr);
    m_lineOpen = true;
}

void ProgressPrinter::onEpochEnd(const core::EpochRecord& record)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    if (m_lineOpen) {
        std::fprintf(stderr, "\r\033[K");
        m_lineOpen = false;
    }
    std::fprintf(stderr, "epoch %d/%d  loss %.4f  lr %.2e  %.0f img/s  %.1f s", record.epoch, record.totalEpochs,
                 record.loss, record.learningRate, record.imagesPerSecond, record.seconds);
    if (record.hasTemperature) {
        const auto& c = record.certaintyPercentiles;
        const auto& r = record.rawPercentiles;
        std::fprintf(stderr, "  c p5/p50/p95 %.3f/%.3f/%.3f  r p50 %.2f", c.p5, c.p50, c.p95, r.p50);
    }
    if (record.hasOutliers) {
        const auto& c = record.outlierCertaintyPercentiles;
        std::fprintf(stderr, "  outliers' c p50/p95 %.3f/%.3f", c.p50, c.p95);
    }
    for (const auto& [name, value] : record.scalars) {
        std::fprintf(stderr, "  %s %.4g", name.c_str(), value);
    }
    std::fprintf(stderr, "\n");
}

void ProgressPrinter::onMessage(const std::string& message)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    std::fprintf(stderr, "%s\n", message.c_str());
}

void ProgressPrinter::finishLine()
{
    std::lock_guard<std::mutex> lock(m_mutex);
    if (m_lineOpen) {
        std::fprintf(stderr, "\n");
        m_lineOpen = false;
    }
}

} // namespace tau::app
