#include "app/bridge/recorded_series.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace tau::app {

namespace {

void appendScalars(std::vector<NamedSeries>& series, const std::map<std::string, double>& scalars, long long step,
                   double wallTime, const QString& suffix, const std::set<QString>& taken)
{
    for (const auto& [key, value] : scalars) {
        QString name = QString::fromStdString(key);
        if (taken.count(name) > 0) {
            name += suffix;
        }
        auto found = std::find_if(series.begin(), series.end(), [&](const NamedSeries& s) { return s.name == name; });
        if (found == series.end()) {
            series.push_back({name, {}});
            found = series.end() - 1;
        }
        found->points.push_back({step, wallTime, value});
    }
}

} // namespace

std::vector<NamedSeries> recordedSeries(const core::MetricsHistory& history)
{
    const bool temperature = std::any_of(history.epochs.begin(), history.epochs.end(),
                                         [](const core::EpochRecord& epoch) { return epoch.hasTemperature; });
    std::vector<NamedSeries> series = {{QStringLiteral("loss (step)"), {}},
                                       {QStringLiteral("learning rate"), {}},
                                       {QStringLiteral("images/s"), {}}};
    if (temperature) {
        series.push_back({QStringLiteral("mean c (step)"), {}});
        series.push_back({QStringLiteral("mean r (step)"), {}});
        series.push_back({QStringLiteral("mean outlier c (step)"), {}}); // outlier exposure; dropped when empty
    }
    for (const core::StepRecord& step : history.steps) {
        series[0].points.push_back({step.step, step.wallTime, step.loss});
        series[1].points.push_back({step.step, step.wallTime, step.learningRate});
        series[2].points.push_back({step.step, step.wallTime, step.imagesPerSecond});
        if (temperature) {
            series[3].points.push_back({step.step, step.wallTime, step.meanCertainty});
            series[4].points.push_back({step.step, step.wallTime, step.meanRawR});
            if (step.meanOutlierCertainty) {
                series[5].points.push_back({step.step, step.wallTime, *step.meanOutlierCertainty});
            }
        }
        appendScalars(series, step.scalars, step.step, step.wallTime, {}, {}); // after the fixed ones: new names go last
    }
    std::set<QString> stepNames;
    for (const NamedSeries& s : series) {
        stepNames.insert(s.name);
    }
    const size_t epochStart = series.size();
    series.push_back({QStringLiteral("loss (epoch mean)"), {}});
    // Each percentile series: its name, which distribution (c or r) and which percentile of it.
    using Distribution = core::Percentiles core::EpochRecord::*;
    using Field = double core::Percentiles::*;
    struct PercentileSeries
    {
        QString name;
        Distribution distribution;
        Field field;
    };
    const Distribution c = &core::EpochRecord::certaintyPercentiles, r = &core::EpochRecord::rawPercentiles;
    const Distribution outliers = &core::EpochRecord::outlierCertaintyPercentiles;
    const std::vector<PercentileSeries> percentiles = {
        {QStringLiteral("c p5"), c, &core::Percentiles::p5},      {QStringLiteral("c p25"), c, &core::Percentiles::p25},
        {QStringLiteral("c median"), c, &core::Percentiles::p50}, {QStringLiteral("c p75"), c, &core::Percentiles::p75},
        {QStringLiteral("c p95"), c, &core::Percentiles::p95},    {QStringLiteral("r p5"), r, &core::Percentiles::p5},
        {QStringLiteral("r median"), r, &core::Percentiles::p50}, {QStringLiteral("r p95"), r, &core::Percentiles::p95},
        {QStringLiteral("outlier c p5"), outliers, &core::Percentiles::p5},
        {QStringLiteral("outlier c median"), outliers, &core::Percentiles::p50},
        {QStringLiteral("outlier c p95"), outliers, &core::Percentiles::p95}};
    if (temperature) {
        for (const PercentileSeries& percentile : percentiles) {
            series.push_back({percentile.name, {}});
        }
    }
    for (const core::EpochRecord& epoch : history.epochs) {
        series[epochStart].points.push_back({epoch.step, epoch.wallTime, epoch.loss});
        if (temperature && epoch.hasTemperature) {
            for (size_t i = 0; i < percentiles.size(); ++i) {
                if (percentiles[i].distribution == outliers && !epoch.hasOutliers) {
                    continue; // trained without outliers: the series stays empty and is dropped
                }
                const double value = (epoch.*percentiles[i].distribution).*percentiles[i].field;
                series[epochStart + 1 + i].points.push_back({epoch.step, epoch.wallTime, value});
            }
        }
        appendScalars(series, epoch.scalars, epoch.step, epoch.wallTime, QStringLiteral(" (epoch)"), stepNames);
    }
    series.erase(std::remove_if(series.begin(), series.end(), [](const NamedSeries& s) { return s.points.empty(); }),
                 series.end());
    return series;
}

widgets::CurveSeries curveOf(const QString& name, const std::vector<SeriesPoint>& points, const XOfPoint& x)
{
    widgets::CurveSeries curve;
    curve.name = name;
    for (const SeriesPoint& point : points) {
        const double at = x(point);
        if (std::isfinite(at)) {
            curve.x.append(at);
            curve.values.append(point.value);
        }
    }
    return curve;
}

widgets::CurveSeries seedBand(const QString& name, const std::vector<const std::vector<SeriesPoint>*>& runs,
                              const XOfPoint& x)
{
    widgets::CurveSeries band;
    band.name = name;
    size_t length = runs.front()->size();
    for (const auto* run : runs) {
        length = std::min(length, run->size());
    }
    for (size_t i = 0; i < length; ++i) {
        const SeriesPoint& first = (*runs.front())[i];
        double sum = 0;
        bool aligned = true;
        for (const auto* run : runs) {
            aligned = aligned && (*run)[i].step == first.step;
            sum += (*run)[i].value;
        }
        if (!aligned) {
            break;
        }
        const double at = x(first);
        if (!std::isfinite(at)) {
            continue;
        }
        const double mean = sum / double(runs.size());
        double squares = 0;
        for (const auto* run : runs) {
            squares += ((*run)[i].value - mean) * ((*run)[i].value - mean);
        }
        band.x.append(at);
        band.values.append(mean);
        band.spread.append(std::sqrt(squares / double(runs.size() - 1)));
    }
    return band;
}

} // namespace tau::app
