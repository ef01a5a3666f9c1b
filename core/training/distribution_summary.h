#pragma once

#include "core/common/training_observer.h"

#include <vector>

namespace tau::core {

/** Counts @p values into @p bins equal bins on [low, high]; the last bin includes high. */
Histogram fixedHistogram(const std::vector<float>& values, double low, double high, int bins);

/** Percentiles by linear interpolation between order statistics (numpy's default), plus the mean. */
Percentiles percentilesOf(std::vector<float> values);

} // namespace tau::core
