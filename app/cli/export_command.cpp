#include "app/cli/export_command.h"

#include "widgets/export/figure_export.h"
#include "widgets/plots/roc_plot.h"

#include <QApplication>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

namespace tau::app {

namespace {

const char* const kMetrics[] = {"auroc", "fpr95", "fpr95_ood_positive", "aupr_in", "aupr_out"};
const char* const kMetricTitles[] = {"AUROC", "FPR@95", "FPR@95 (OOD+)", "AUPR-In", "AUPR-Out"};

QJsonObject readMetrics(const QString& folder, QString& error)
{
    QFile file(folder + QStringLiteral("/metrics.json"));
    if (!file.open(QIODevice::ReadOnly)) {
        error = file.fileName() + QStringLiteral(": not found (expected the folder tau ood wrote, RUN_DIR/eval/<name>)");
        return {};
    }
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll());
    if (!document.isObject() || !document.object().contains(QStringLiteral("results"))) {
        error = file.fileName() + QStringLiteral(": not a metrics.json of tau ood");
    }
    return document.object();
}

/** fpr,tpr,threshold rows of one ROC file. */
bool readRoc(const QString& path, widgets::RocSeries& series)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
        return false;
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
    return !series.fpr.isEmpty();
}

QString exportRoc(const ExportRequest& request, const QJsonObject& metrics)
{
    QVector<widgets::RocPanel> panels;
    const QJsonObject results = metrics.value(QStringLiteral("results")).toObject();
    for (auto ood = results.begin(); ood != results.end(); ++ood) {
        widgets::RocPanel panel{ood.key(), {}};
        const QJsonObject scores = ood.value().toObject();
        for (auto score = scores.begin(); score != scores.end(); ++score) {
            widgets::RocSeries series;
            series.name = score.key();
            series.auroc = score.value().toObject().value(QStringLiteral("auroc")).toDouble();
            const QString path = QStringLiteral("%1/roc_%2_%3.csv").arg(request.evalFolder, ood.key(), score.key());
            if (!readRoc(path, series)) {
                return path + QStringLiteral(": missing or empty ROC file");
            }
            panel.series.append(series);
        }
        panels.append(panel);
    }
    // A widget needs an application; offscreen, so no display is needed.
    qputenv("QT_QPA_PLATFORM", "offscreen");
    int argc = 1;
    char name[] = "tau";
    char* argv[] = {name, nullptr};
    QApplication application(argc, argv);
    widgets::RocPlot plot;
    plot.resize(900, 500);
    plot.setLogarithmicFpr(request.logFpr);
    plot.setPanels(panels);
    widgets::FigureOptions options;
    options.size = request.size == QLatin1String("page") ? widgets::FigureSize::DoubleColumn : widgets::FigureSize::Column;
    options.dpi = request.dpi;
    return widgets::exportFigure(plot.plot(), request.output, options);
}

QString exportTable(const ExportRequest& request, const QJsonObject& metrics)
{
    const bool latex = QFileInfo(request.output).suffix().toLower() == QLatin1String("tex");
    QString text;
    QTextStream out(&text);
    const QJsonObject results = metrics.value(QStringLiteral("results")).toObject();
    if (latex) {
        out << "% OOD detection, in-distribution: " << metrics.value(QStringLiteral("in_dataset")).toString() << "\n";
        out << "\\begin{tabular}{llrrrrr}\n\\toprule\n";
        out << "OOD set & score";
        for (const char* title : kMetricTitles) {
            out << " & " << title;
        }
        out << " \\\\\n\\midrule\n";
    } else {
        out << "ood,score,auroc,fpr95,fpr95_ood_positive,aupr_in,aupr_out\n";
    }
    for (auto ood = results.begin(); ood != results.end(); ++ood) {
        const QJsonObject scores = ood.value().toObject();
        for (auto score = scores.begin(); score != scores.end(); ++score) {
            const QJsonObject values = score.value().toObject();
            QString name = ood.key(), scoreName = score.key();
            if (latex) {
                name.replace(QLatin1Char('_'), QStringLiteral("\\_"));
                scoreName.replace(QLatin1Char('_'), QStringLiteral("\\_"));
            }
            out << name << (latex ? " & " : ",") << scoreName;
            for (const char* key : kMetrics) {
                out << (latex ? " & " : ",") << QString::number(values.value(QLatin1String(key)).toDouble(), 'f', latex ? 3 : 6);
            }
            out << (latex ? " \\\\\n" : "\n");
        }
    }
    if (latex) {
        out << "\\bottomrule\n\\end{tabular}\n";
    }
    QFile file(request.output);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(text.toUtf8()) < 0) {
        return request.output + QStringLiteral(": cannot write the table");
    }
    return {};
}

} // namespace

QString runExport(const ExportRequest& request)
{
    QString error;
    const QJsonObject metrics = readMetrics(request.evalFolder, error);
    if (!error.isEmpty()) {
        return error;
    }
    if (request.what == QLatin1String("roc")) {
        return exportRoc(request, metrics);
    }
    if (request.what == QLatin1String("table")) {
        const QString suffix = QFileInfo(request.output).suffix().toLower();
        if (suffix != QLatin1String("tex") && suffix != QLatin1String("csv")) {
            return request.output + QStringLiteral(": a table is written as .tex (LaTeX tabular) or .csv");
        }
        return exportTable(request, metrics);
    }
    return QStringLiteral("export: expected roc or table, got '%1'").arg(request.what);
}

} // namespace tau::app
