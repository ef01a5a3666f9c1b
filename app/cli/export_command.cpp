#include "app/cli/export_command.h"

#include "app/analysis/evaluation_files.h"
#include "widgets/export/figure_export.h"
#include "widgets/plots/roc_plot.h"

#include <QApplication>
#include <QFile>
#include <QFileInfo>
#include <QTextStream>

namespace tau::app {

namespace {

QString writeText(const QString& path, const QString& text)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(text.toUtf8()) < 0 || !file.flush()) {
        return path + QStringLiteral(": cannot write (%1)").arg(file.errorString());
    }
    return {};
}

QString exportRocFigure(const ExportRequest& request, const QVector<widgets::RocPanel>& panels)
{
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

/** Reconciles --format with the output's extension: adds a missing one, refuses a contradicting one. */
QString resolveFormat(ExportRequest& request)
{
    const QString suffix = QFileInfo(request.output).suffix().toLower();
    if (request.format.isEmpty()) {
        request.format = suffix;
    } else if (suffix.isEmpty()) {
        request.output += QLatin1Char('.') + request.format;
    } else if (suffix != request.format) {
        return QStringLiteral("%1: the extension .%2 contradicts --format %3").arg(request.output, suffix, request.format);
    }
    const QStringList allowed = request.what == QLatin1String("roc")
                                    ? QStringList{QStringLiteral("pdf"), QStringLiteral("svg"), QStringLiteral("png"), QStringLiteral("csv")}
                                    : QStringList{QStringLiteral("tex"), QStringLiteral("csv")};
    if (!allowed.contains(request.format)) {
        return request.what == QLatin1String("roc")
                   ? request.output + QStringLiteral(": a ROC figure is written as .pdf, .svg or .png (its data as .csv)")
                   : request.output + QStringLiteral(": a table is written as .tex (LaTeX tabular) or .csv");
    }
    return {};
}

} // namespace

QString runExport(ExportRequest& request)
{
    if (request.what != QLatin1String("roc") && request.what != QLatin1String("table")) {
        return QStringLiteral("export: expected roc or table, got '%1'").arg(request.what);
    }
    if (const QString error = resolveFormat(request); !error.isEmpty()) {
        return error;
    }
    EvaluationFolder evaluation;
    if (const QString error = readEvaluationFolder(request.evalFolder, evaluation, /*withScores=*/false); !error.isEmpty()) {
        return error;
    }
    if (request.what == QLatin1String("table")) {
        return writeText(request.output,
                         metricsTableText(evaluation.rows, request.format == QLatin1String("tex"), evaluation.inDataset));
    }
    const QVector<widgets::RocPanel> panels = rocPanelsOf({evaluation});
    if (request.format == QLatin1String("csv")) {
        return writeText(request.output, rocCurvesCsv(panels));
    }
    return exportRocFigure(request, panels);
}

} // namespace tau::app
