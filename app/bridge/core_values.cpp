#include "app/bridge/core_values.h"

#include "core/common/duration_text.h"

#include <algorithm>

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

widgets::SharedThumbnailSet toThumbnails(const core::ScannedImages& scan)
{
    auto set = std::make_shared<widgets::ThumbnailSet>();
    set->name = QString::fromStdString(scan.dataset);
    set->outOfDistribution = scan.outOfDistribution;
    set->channels = scan.channels;
    set->height = scan.height;
    set->width = scan.width;
    set->pixels = QByteArray(reinterpret_cast<const char*>(scan.pixels.data()), qsizetype(scan.pixels.size()));
    set->labels = QVector<int>(scan.labels.begin(), scan.labels.end());
    for (const std::string& name : scan.classNames) {
        set->classNames << QString::fromStdString(name);
    }
    set->scores = QVector<double>(scan.certainty.begin(), scan.certainty.end());
    return set;
}

QString formatEta(double seconds)
{
    return QString::fromStdString(core::formatDuration(seconds));
}

double temperatureOf(double t, double c)
{
    return t / std::max(c, 1e-3);
}

QStringList refusalReasons(const core::UntrustedScriptError& refusal)
{
    QStringList reasons;
    for (const std::string& reason : refusal.reasons()) {
        reasons << QString::fromStdString(reason);
    }
    return reasons;
}

} // namespace tau::app
