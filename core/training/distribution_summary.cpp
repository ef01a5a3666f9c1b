#include "core/training/distribution_summary.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace tau::core {

Histogram fixedHistogram(const std::vector<float>& values, double low, double high, int bins)
{
    Histogram histogram;
    histogram.counts.assign(size_t(bins), 0);
    for (int i = 0; i <= bins; ++i) {
        histogram.edges.push_back(low + (high - low) * double(i) / double(bins));
    }
    const double width = (high - low) / double(bins);
    for (const float value : values) {
        if (std::isnan(value) || value < low) {
            ++histogram.below;
        } else if (value > high) {
            ++histogram.above;
        } else {
            const int bin = std::min(bins - 1, int((double(value) - low) / width));
            ++histogram.counts[size_t(bin)];
        }
    }
    return histogram;
}

Histogram fittedHistogram(const std::vector<float>& values, int bins)
{
    double low = INFINITY, high = -INFINITY;
    for (const float value : values) {
        if (std::isfinite(value)) {
            low = std::min(low, double(value));
            high = std::max(high, double(value));
        }
    }
    if (!(high >= low)) {
        return fixedHistogram(values, 0.0, 1.0, 1);
    }
    if (high - low < 1e-6 * std::max(1.0, std::abs(low))) { // one value: a narrow bin around it
        low -= 0.5e-3 * std::max(1.0, std::abs(low));
        high += 0.5e-3 * std::max(1.0, std::abs(high));
        bins = 1;
    }
    return fixedHistogram(values, low, high, bins);
}

Percentiles percentilesOf(std::vector<float> values)
{
    Percentiles result;
    if (values.empty()) {
        return result;
    }
    std::sort(values.begin(), values.end());
    const auto at = [&](double q) {
        const double position = q * double(values.size() - 1);
        const size_t lower = size_t(std::floor(position));
        const size_t upper = std::min(values.size() - 1, lower + 1);
        const double fraction = position - double(lower);
        return double(values[lower]) + (double(values[upper]) - double(values[lower])) * fraction;
    };
    result.p5 = at(0.05);
    result.p25 = at(0.25);
    result.p50 = at(0.50);
    result.p75 = at(0.75);
    result.p95 = at(0.95);
    result.mean = std::accumulate(values.begin(), values.end(), 0.0) / double(values.size());
    return result;
}

} // namespace tau::core
