#include "app/analysis/evaluation_files.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

namespace tau::app {

namespace {

widgets::MetricValue metricOf(const QJsonObject& values, const QString& key)
{
    widgets::MetricValue metric;
    metric.value = values.value(key).toDouble();
    const QJsonArray interval = values.value(QStringLiteral("ci95")).toObject().value(key).toArray();
    if (interval.size() == 2) {
        metric.interval = qMakePair(interval[0].toDouble(), interval[1].toDouble());
    }
    return metric;
}

QString readRoc(const QString& path, widgets::RocSeries& series)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
        return path + QStringLiteral(": missing ROC file (expected fpr,tpr,threshold rows)");
    }
    QTextStream stream(&file);
    stream.readLine(); // header
    while (!stream.atEnd()) {
        const QStringList fields = stream.readLine().split(QLatin1Char(','));
        if (fields.size() >= 2) {
            series.fpr.append(fields[0].toDouble());
            series.tpr.append(fields[1].toDouble());
        }
    }
    return series.fpr.isEmpty() ? path + QStringLiteral(": empty ROC file") : QString();
}

QString readScores(const QString& path, EvaluationFolder& result)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
        return path + QStringLiteral(": missing (expected dataset,index,label,<scores...> rows)");
    }
    QTextStream stream(&file);
    const QStringList header = stream.readLine().split(QLatin1Char(','));
    if (header.size() < 4 || header[0] != QLatin1String("dataset")) {
        return path + QStringLiteral(": expected a header dataset,index,label,<scores...>");
    }
    while (!stream.atEnd()) {
        const QStringList fields = stream.readLine().split(QLatin1Char(','));
        if (fields.size() != header.size()) {
            continue;
        }
        for (int column = 3; column < header.size(); ++column) {
            result.values[fields[0]][header[column]].append(fields[column].toDouble());
        }
    }
    return {};
}

QString latexEscaped(QString text)
{
    return text.replace(QLatin1Char('_'), QStringLiteral("\\_")).replace(QLatin1Char('&'), QStringLiteral("\\&"));
}

} // namespace

QString readEvaluationFolder(const QString& folder, EvaluationFolder& result, bool withScores)
{
    result = EvaluationFolder{};
    result.folder = folder;
    result.runName = QDir(QDir::cleanPath(QDir(folder).absoluteFilePath(QStringLiteral("../..")))).dirName();
    QFile file(folder + QStringLiteral("/metrics.json"));
    if (!file.open(QIODevice::ReadOnly)) {
        return file.fileName() + QStringLiteral(": not found (expected the folder tau ood wrote, RUN_DIR/eval/<name>)");
    }
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll());
    const QJsonObject metrics = document.object();
    if (!document.isObject() || !metrics.value(QStringLiteral("results")).isObject()) {
        return file.fileName() + QStringLiteral(": not a metrics.json of tau ood (no \"results\" object)");
    }
    result.inDataset = metrics.value(QStringLiteral("in_dataset")).toString();
    for (const QJsonValue& warning : metrics.value(QStringLiteral("warnings")).toArray()) {
        result.warnings << warning.toString();
    }
    const QJsonObject results = metrics.value(QStringLiteral("results")).toObject();
    for (auto ood = results.begin(); ood != results.end(); ++ood) {
        result.oodSets << ood.key();
        const QJsonObject byScore = ood.value().toObject();
        for (auto score = byScore.begin(); score != byScore.end(); ++score) {
            if (!result.scores.contains(score.key())) {
                result.scores << score.key();
            }
            const QJsonObject values = score.value().toObject();
            widgets::MetricRow row{result.runName,
                                   ood.key(),
                                   score.key(),
                                   metricOf(values, QStringLiteral("auroc")),
                                   metricOf(values, QStringLiteral("fpr95")),
                                   metricOf(values, QStringLiteral("aupr_in")),
                                   metricOf(values, QStringLiteral("aupr_out"))};
            result.rows.append(row);
            widgets::RocSeries series;
            series.name = score.key();
            series.auroc = row.auroc.value;
            const QString error = readRoc(QStringLiteral("%1/roc_%2_%3.csv").arg(folder, ood.key(), score.key()), series);
            if (!error.isEmpty()) {
                return error;
            }
            result.roc[ood.key()][score.key()] = series;
        }
    }
    return withScores ? readScores(folder + QStringLiteral("/scores.csv"), result) : QString();
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
    QVector<widgets::RocPanel> panels;
    for (const QString& ood : oodSets) {
        widgets::RocPanel panel{ood, {}};
        for (const EvaluationFolder& evaluation : evaluations) {
            for (const QString& score : evaluation.scores) {
                if (!evaluation.roc.value(ood).contains(score)) {
                    continue;
                }
                widgets::RocSeries series = evaluation.roc[ood][score];
                if (severalRuns) {
                    series.name = evaluation.runName + QStringLiteral(" · ") + score;
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
    samples.append({evaluation.inDataset, true, evaluation.values.value(evaluation.inDataset).value(score)});
    for (const QString& ood : evaluation.oodSets) {
        samples.append({ood, false, evaluation.values.value(ood).value(score)});
    }
    return samples;
}

QString metricsTableText(const QVector<widgets::MetricRow>& rows, bool latex, const QString& inDataset)
{
    QString text;
    QTextStream out(&text);
    bool severalRuns = false;
    for (const widgets::MetricRow& row : rows) {
        severalRuns = severalRuns || row.run != rows.front().run;
    }
    const auto cell = [latex](const widgets::MetricValue& metric) {
        QString value = QString::number(metric.value, 'f', latex ? 3 : 6);
        if (metric.interval) {
            value += latex ? QStringLiteral(" {\\scriptsize [%1, %2]}").arg(metric.interval->first, 0, 'f', 3).arg(metric.interval->second, 0, 'f', 3)
                           : QStringLiteral(",%1,%2").arg(metric.interval->first, 0, 'g', 8).arg(metric.interval->second, 0, 'g', 8);
        } else if (!latex) {
            value += QStringLiteral(",,");
        }
        return value;
    };
    if (latex) {
        out << "% OOD detection, in-distribution: " << inDataset << "; generated by tau export\n";
        out << "\\begin{tabular}{" << (severalRuns ? "lll" : "ll") << "rrrr}\n\\toprule\n";
        out << (severalRuns ? "Run & " : "") << "OOD set & Score & AUROC $\\uparrow$ & FPR@95 $\\downarrow$ & "
            << "AUPR-In $\\uparrow$ & AUPR-Out $\\uparrow$ \\\\\n\\midrule\n";
    } else {
        out << "run,ood,score";
        for (const char* metric : {"auroc", "fpr95", "aupr_in", "aupr_out"}) {
            out << ',' << metric << ',' << metric << "_low," << metric << "_high";
        }
        out << '\n';
    }
    for (const widgets::MetricRow& row : rows) {
        const QString separator = latex ? QStringLiteral(" & ") : QStringLiteral(",");
        if (latex) {
            out << (severalRuns ? latexEscaped(row.run) + separator : QString()) << latexEscaped(row.oodSet) << separator
                << latexEscaped(row.score);
        } else {
            out << row.run << ',' << row.oodSet << ',' << row.score;
        }
        for (const widgets::MetricValue* metric : {&row.auroc, &row.fpr95, &row.auprIn, &row.auprOut}) {
            out << separator << cell(*metric);
        }
        out << (latex ? " \\\\\n" : "\n");
    }
    if (latex) {
        out << "\\bottomrule\n\\end{tabular}\n";
    }
    return text;
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
