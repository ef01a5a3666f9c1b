#include "app/analysis/run_plots.h"

namespace tau::app {

widgets::EpochHistogram toWidgetHistogram(int epoch, const core::Histogram& histogram, const core::Percentiles& p)
{
    widgets::EpochHistogram result;
    result.epoch = epoch;
    result.edges = QVector<double>(histogram.edges.begin(), histogram.edges.end());
    for (const long long count : histogram.counts) {
        result.counts.append(double(count));
    }
    result.percentiles = {p.p5, p.p25, p.p50, p.p75, p.p95};
    return result;
}

} // namespace tau::app
