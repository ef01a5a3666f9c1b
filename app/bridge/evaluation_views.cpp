#include "app/bridge/evaluation_views.h"

#include "core/data/dataset_catalog.h"
#include "core/io/evaluation_files.h"
#include "core/methods/score_catalog.h"
#include "core/runs/results_table.h"

#include <QDir>
#include <QLocale>
#include <QTextStream>

#include <optional>

namespace tau::app {

namespace {

widgets::MetricValue metricOf(double value, const std::optional<core::Interval>& interval)
{
    widgets::MetricValue metric;
    metric.value = value;
    if (interval) {
        metric.interval = qMakePair(interval->low, interval->high);
    }
    return metric;
}

/** One score's row of the metrics table; each interval only when the evaluation bootstrapped. */
widgets::MetricRow rowOf(const QString& run, const QString& ood, const QString& score, const core::ScoreMetricsRecord& record)
{
    const auto interval = [&record](core::Interval core::OodMetricIntervals::*member) -> std::optional<core::Interval> {
        return record.intervals ? std::optional<core::Interval>((*record.intervals).*member) : std::nullopt;
    };
    const core::OodMetrics& m = record.metrics;
    return {run,
            ood,
            score,
            metricOf(m.auroc, interval(&core::OodMetricIntervals::auroc)),
            metricOf(m.fpr95, interval(&core::OodMetricIntervals::fpr95)),
            metricOf(m.auprIn, interval(&core::OodMetricIntervals::auprIn)),
            metricOf(m.auprOut, interval(&core::OodMetricIntervals::auprOut))};
}

} // namespace

QString scoreTitle(const QString& score)
{
    return QString::fromStdString(core::scoreTitle(score.toStdString()));
}

QString datasetTitle(const QString& dataset)
{
    return QString::fromStdString(core::datasetTitle(dataset.toStdString()));
}

widgets::SeriesStyle scoreStyle(const QString& score)
{
    for (const core::ScoreInfo& info : core::scoreCatalog()) {
        if (info.name == score.toStdString()) {
            return widgets::seriesStyle(info.figureStyle);
        }
    }
    return widgets::seriesStyle(widgets::seriesStyleCount() - 1); // a score from a newer version: the last row
}

widgets::SeriesStyle runStyle(int run, const QString& score)
{
    widgets::SeriesStyle style = widgets::seriesStyle(run);
    if (!score.isEmpty()) { // runs by colour and marker, their scores by dash
        style.dash = scoreStyle(score).dash;
        style.index = run * widgets::seriesStyleCount() + scoreStyle(score).index;
    }
    return style;
}

QString protocolText(const core::EvaluationProtocol& protocol, const QString& inDataset)
{
    if (!protocol.recorded) {
        return {};
    }
    const QLocale locale(QLocale::English);
    QStringList sets;
    for (const auto& [set, images] : protocol.images) {
        const QString name = QString::fromStdString(set);
        sets << QStringLiteral("%1 %2%3").arg(locale.toString(qlonglong(images)), datasetTitle(name),
                                             name == inDataset ? QObject::tr(" (ID)") : QString());
    }
    QString text = QObject::tr("Images scored: %1").arg(sets.join(QStringLiteral(", ")));
    text += protocol.limit > 0 ? QObject::tr("; limit %1 per set").arg(locale.toString(qlonglong(protocol.limit)))
                               : QObject::tr("; no limit");
    text += QObject::tr("; seed %1").arg(protocol.seed);
    if (protocol.bootstrap > 0) {
        text += QObject::tr("; 95% intervals from %1 resamples").arg(protocol.bootstrap);
    }
    if (protocol.hasReference) {
        text += QObject::tr("; kNN: k = %1, %2 distance to %3 ID %4 images")
                    .arg(protocol.knnK)
                    .arg(QString::fromStdString(protocol.knnAggregate))
                    .arg(locale.toString(qlonglong(protocol.referenceImages)))
                    .arg(protocol.reference == "test" ? QObject::tr("test (each query left out)") : QObject::tr("training"));
    }
    return text;
}

QString readEvaluationFolder(const QString& folder, EvaluationFolder& result, bool withScores)
{
    result = EvaluationFolder{};
    result.folder = folder;
    result.runName = QDir(QDir::cleanPath(QDir(folder).absoluteFilePath(QStringLiteral("../..")))).dirName();
    core::EvaluationFolderData data;
    try {
        data = core::readEvaluationFolder(folder.toStdString(), withScores);
    } catch (const std::exception& error) {
        return QString::fromStdString(error.what());
    }
    result.inDataset = QString::fromStdString(data.inDataset);
    result.protocol = protocolText(data.protocol, result.inDataset);
    for (const std::string& warning : data.warnings) {
        result.warnings << QString::fromStdString(warning);
    }
    for (const std::string& score : data.scores) { // in the order they were asked for: legends keep it
        result.scores << QString::fromStdString(score);
    }
    for (const std::string& oodName : data.oodSets) {
        const QString ood = QString::fromStdString(oodName);
        result.oodSets << ood;
        for (const auto& [scoreName, record] : data.results.at(oodName)) {
            const QString score = QString::fromStdString(scoreName);
            if (!result.scores.contains(score)) {
                result.scores << score;
            }
            const widgets::MetricRow row = rowOf(result.runName, ood, score, record);
            result.rows.append(row);
            const core::RocCurve& curve = data.roc.at(oodName).at(scoreName);
            widgets::RocSeries series;
            series.name = score;
            series.title = scoreTitle(score);
            series.style = scoreStyle(score);
            series.auroc = row.auroc.value;
            series.fpr = QVector<double>(curve.fpr.begin(), curve.fpr.end());
            series.tpr = QVector<double>(curve.tpr.begin(), curve.tpr.end());
            result.roc[ood][score] = series;
        }
    }
    for (const core::SetScores& set : data.sets) {
        for (const auto& [score, values] : set.values) {
            result.values[QString::fromStdString(set.name)][QString::fromStdString(score)] =
                QVector<double>(values.begin(), values.end());
        }
    }
    return {};
}

QVector<widgets::RocPanel> rocPanelsOf(const QVector<EvaluationFolder>& evaluations)
{
    QStringList oodSets;
    for (const EvaluationFolder& evaluation : evaluations) {
        for (const QString& ood : evaluation.oodSets) {
            if (!oodSets.contains(ood)) {
                oodSets << ood;
            }
        }
    }
    const bool severalRuns = evaluations.size() > 1;
    QStringList scores;
    for (const EvaluationFolder& evaluation : evaluations) {
        for (const QString& score : evaluation.scores) {
            if (!scores.contains(score)) {
                scores << score;
            }
        }
    }
    QVector<widgets::RocPanel> panels;
    for (const QString& ood : oodSets) {
        widgets::RocPanel panel{ood, datasetTitle(ood), {}};
        for (int run = 0; run < evaluations.size(); ++run) {
            const EvaluationFolder& evaluation = evaluations[run];
            for (const QString& score : evaluation.scores) {
                if (!evaluation.roc.value(ood).contains(score)) {
                    continue;
                }
                widgets::RocSeries series = evaluation.roc[ood][score];
                if (severalRuns) {
                    series.name = evaluation.runName + QStringLiteral(" · ") + score;
                    series.title = scores.size() > 1 ? evaluation.runName + QStringLiteral(" · ") + scoreTitle(score)
                                                     : evaluation.runName;
                    series.style = runStyle(run, scores.size() > 1 ? score : QString());
                }
                panel.series.append(series);
            }
        }
        panels.append(panel);
    }
    return panels;
}

QVector<widgets::ScoreSample> scoreSamplesOf(const EvaluationFolder& evaluation, const QString& score)
{
    QVector<widgets::ScoreSample> samples;
    samples.append({evaluation.inDataset, datasetTitle(evaluation.inDataset), true,
                    evaluation.values.value(evaluation.inDataset).value(score)});
    for (const QString& ood : evaluation.oodSets) {
        samples.append({ood, datasetTitle(ood), false, evaluation.values.value(ood).value(score)});
    }
    return samples;
}

QString metricsTableText(const QVector<widgets::MetricRow>& rows, bool latex, const QString& inDataset)
{
    const auto metricOf = [](const widgets::MetricValue& value) {
        core::MetricWithInterval metric{value.value, std::nullopt};
        if (value.interval) {
            metric.interval = core::Interval{value.interval->first, value.interval->second};
        }
        return metric;
    };
    std::vector<core::MetricsTableRow> coreRows;
    for (const widgets::MetricRow& row : rows) {
        coreRows.push_back({row.run.toStdString(), row.oodSet.toStdString(), row.score.toStdString(),
                            metricOf(row.auroc), metricOf(row.fpr95), metricOf(row.auprIn), metricOf(row.auprOut)});
    }
    return QString::fromStdString(core::metricsTableText(coreRows, latex, inDataset.toStdString()));
}

QString rocCurvesCsv(const QVector<widgets::RocPanel>& panels)
{
    QString text;
    QTextStream out(&text);
    out << "ood,series,fpr,tpr\n";
    for (const widgets::RocPanel& panel : panels) {
        for (const widgets::RocSeries& series : panel.series) {
            for (int i = 0; i < series.fpr.size(); ++i) {
                out << panel.oodName << ',' << series.name << ',' << QString::number(series.fpr[i], 'g', 12) << ','
                    << QString::number(series.tpr[i], 'g', 12) << '\n';
            }
        }
    }
    return text;
}

} // namespace tau::app
