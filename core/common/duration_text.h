#pragma once

#include <string>

namespace tau::core {

/** Remaining time as m:ss or h:mm:ss; "--:--" while it is unknown (negative or not finite). */
std::string formatDuration(double seconds);

} // namespace tau::core
