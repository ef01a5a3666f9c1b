#pragma once

// A recorded run's metrics.jsonl as named series over the step, and groups of runs (seeds) as mean ± std bands:
// what the training dashboard overlays and compares across runs. Torch-free.

#include "core/io/metrics_reader.h"
#include "widgets/plots/training_curve_plot.h"

#include <QString>
#include <QVector>

#include <functional>
#include <vector>

namespace tau::app {

/** One point of a series: where in training it was recorded and its value. */
struct SeriesPoint
{
    long long step = 0;
    double wallTime = 0; ///< 0 when the record has no wall_time
    double value = 0;
};

/** One named series of a run, its points in step order. */
struct NamedSeries
{
    QString name;
    std::vector<SeriesPoint> points;
};

/**
 * Every series a history holds, in this order: loss (step), learning rate, images/s, mean c and r (step) when
 * the model has a temperature, step scalars by name; loss (epoch mean), c and r percentiles, epoch scalars by name
 * (" (epoch)" added where a step scalar has the name already).
 */
std::vector<NamedSeries> recordedSeries(const core::MetricsHistory& history);

/** Where a point goes on the x-axis (step, epoch, images seen or minutes): NaN leaves it out. */
using XOfPoint = std::function<double(const SeriesPoint&)>;

/** One run's series as a curve. */
widgets::CurveSeries curveOf(const QString& name, const std::vector<SeriesPoint>& points, const XOfPoint& x);

/**
 * Several runs' points of one series as the mean and the sample std at each step they all recorded; the band ends
 * where the runs part (a shorter run, or another step_every). x is taken from the first run's points.
 */
widgets::CurveSeries seedBand(const QString& name, const std::vector<const std::vector<SeriesPoint>*>& runs,
                              const XOfPoint& x);

} // namespace tau::app
