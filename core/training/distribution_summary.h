#pragma once

#include "core/common/training_observer.h"

#include <vector>

namespace tau::core {

/** Counts @p values into @p bins equal bins on [low, high]; the last bin includes high. */
Histogram fixedHistogram(const std::vector<float>& values, double low, double high, int bins);

/**
 * @p bins equal bins spanning the finite values themselves (min to max), so a young run's r, all within
 * ±0.3, gets as many bins as an old one's within ±15; none of them falls outside. All equal (or no finite
 * value): one bin around them.
 */
Histogram fittedHistogram(const std::vector<float>& values, int bins);

/** Percentiles by linear interpolation between order statistics (numpy's default), plus the mean. */
Percentiles percentilesOf(std::vector<float> values);

} // namespace tau::core
