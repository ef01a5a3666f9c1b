#include "core/common/duration_text.h"

#include <cmath>
#include <cstdio>
#include <ctime>

namespace tau::core {

std::string formatDuration(double seconds)
{
    if (!std::isfinite(seconds) || seconds < 0) {
        return "--:--";
    }
    const long total = std::lround(seconds);
    char text[32];
    if (total >= 3600) {
        std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", total / 3600, (total / 60) % 60, total % 60);
    } else {
        std::snprintf(text, sizeof text, "%ld:%02ld", total / 60, total % 60);
    }
    return text;
}

std::string formatGpuMemory(const std::optional<double>& inUseMb, const std::optional<double>& peakMb)
{
    if (!inUseMb || !peakMb) {
        return {};
    }
    char text[64];
    std::snprintf(text, sizeof text, "GPU %.1f/%.1f GB", *inUseMb / 1024.0, *peakMb / 1024.0);
    return text;
}

std::string utcTimeNow()
{
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

} // namespace tau::core
