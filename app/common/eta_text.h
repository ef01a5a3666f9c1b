#pragma once

#include <QString>

namespace tau::app {

/** Remaining time as m:ss or h:mm:ss; "--:--" while it is unknown (negative or not finite). */
QString formatEta(double seconds);

} // namespace tau::app
