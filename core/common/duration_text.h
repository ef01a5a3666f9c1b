#pragma once

#include <optional>
#include <string>

namespace tau::core {

/** Remaining time as m:ss or h:mm:ss; "--:--" while it is unknown (negative or not finite). */
std::string formatDuration(double seconds);

/** A step's GPU memory for progress lines, "GPU 1.2/3.4 GB" (in use / peak); empty for a step without a GPU. */
std::string formatGpuMemory(const std::optional<double>& inUseMb, const std::optional<double>& peakMb);

/** The current UTC time as ISO 8601 to the second, e.g. 2026-12-01T21:30:05Z. */
std::string utcTimeNow();

} // namespace tau::core
