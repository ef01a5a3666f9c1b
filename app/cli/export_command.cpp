#include "app/cli/export_command.h"

#include "app/bridge/evaluation_views.h"
#include "core/io/evaluation_files.h"
#include "widgets/export/figure_export.h"
#include "widgets/plots/embedding_plot.h"
#include "widgets/plots/roc_plot.h"
#include "widgets/plots/score_histogram_plot.h"

#include <QApplication>
#include <QFile>
#include <QFileInfo>

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

QString exportFigureOf(QCustomPlot* plot, const ExportRequest& request, const widgets::PaperLayout& layout = {})
{
    widgets::FigureOptions options;
    options.size = request.size == QLatin1String("page") ? widgets::FigureSize::DoubleColumn : widgets::FigureSize::Column;
    options.dpi = request.dpi;
    options.titles = request.titles;
    options.grayscale = request.grayscale;
    return widgets::exportFigure(plot, request.output, options, layout);
}

/** The figure (or CSV) of the score histograms: the ID set and every OOD set, for one score. */
QString exportHistograms(const ExportRequest& request)
{
    EvaluationFolder evaluation;
    if (const QString error = readEvaluationFolder(request.evalFolder, evaluation); !error.isEmpty()) {
        return error;
    }
    const QString score = request.score.isEmpty() ? evaluation.scores.value(0) : request.score;
    if (!evaluation.scores.contains(score)) {
        return QStringLiteral("--score %1: not in %2 (it has %3)").arg(score, request.evalFolder, evaluation.scores.join(QStringLiteral(", ")));
    }
    widgets::ScoreHistogramPlot plot;
    plot.resize(800, 500);
    plot.setSamples(scoreTitle(score), scoreSamplesOf(evaluation, score));
    return request.format == QLatin1String("csv") ? writeText(request.output, plot.toCsv()) : exportFigureOf(plot.plot(), request);
}

/** The figure (or CSV) of an embedding.csv that tau embed wrote: coloured by c when the run has it. */
QString exportEmbedding(const ExportRequest& request)
{
    std::vector<core::EmbeddedPoint> table;
    try {
        table = core::readEmbeddingTable(request.evalFolder.toStdString());
    } catch (const std::exception& error) {
        return QString::fromStdString(error.what());
    }
    const bool tsne = !table.empty() && table.front().tsneX && request.projection != QLatin1String("pca");
    auto set = std::make_shared<widgets::ThumbnailSet>(); // no pixels: a figure needs only positions and colours
    set->name = QFileInfo(request.evalFolder).fileName();
    QVector<widgets::EmbeddingPoint> points;
    bool scored = true;
    for (const core::EmbeddedPoint& point : table) {
        scored = scored && point.certainty.has_value();
        set->labels.append(int(point.label));
        set->scores.append(point.certainty.value_or(0.0));
        points.append({tsne ? *point.tsneX : point.pcaX, tsne ? *point.tsneY : point.pcaY, 0, int(points.size())});
    }
    if (!scored) {
        set->scores.clear(); // a run without a temperature: colour by class
    }
    widgets::EmbeddingPlot plot;
    plot.resize(800, 600);
    plot.setMarkerSize(2.5);
    plot.setData({set}, points, tsne ? QStringLiteral("t-SNE") : QStringLiteral("PCA"));
    plot.setColouring(scored ? widgets::EmbeddingPlot::Colouring::Certainty : widgets::EmbeddingPlot::Colouring::Class);
    return request.format == QLatin1String("csv") ? writeText(request.output, plot.toCsv()) : exportFigureOf(plot.plot(), request);
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
    const QStringList allowed = {QStringLiteral("pdf"), QStringLiteral("svg"), QStringLiteral("png"), QStringLiteral("csv")};
    if (!allowed.contains(request.format)) {
        return request.output + QStringLiteral(": a figure is written as .pdf, .svg or .png (its data as .csv)");
    }
    return {};
}

} // namespace

QString runExport(ExportRequest& request)
{
    const QStringList figures = {QStringLiteral("roc"), QStringLiteral("histograms"), QStringLiteral("embedding")};
    if (!figures.contains(request.what)) {
        return QStringLiteral("export: expected roc, histograms or embedding, got '%1'").arg(request.what);
    }
    if (const QString error = resolveFormat(request); !error.isEmpty()) {
        return error;
    }
    // Widgets need an application; offscreen, so no display is needed.
    qputenv("QT_QPA_PLATFORM", "offscreen");
    int argc = 1;
    char name[] = "tau";
    char* argv[] = {name, nullptr};
    QApplication application(argc, argv);
    if (request.what == QLatin1String("histograms")) {
        return exportHistograms(request);
    }
    if (request.what == QLatin1String("embedding")) {
        return exportEmbedding(request);
    }
    EvaluationFolder evaluation;
    if (const QString error = readEvaluationFolder(request.evalFolder, evaluation, /*withScores=*/false); !error.isEmpty()) {
        return error;
    }
    const QVector<widgets::RocPanel> panels = rocPanelsOf({evaluation});
    if (request.format == QLatin1String("csv")) {
        return writeText(request.output, rocCurvesCsv(panels));
    }
    widgets::RocPlot plot;
    plot.resize(900, 500);
    plot.setLogarithmicFpr(request.logFpr);
    plot.setPanels(panels);
    return exportFigureOf(plot.plot(), request, plot.paperLayout());
}

} // namespace tau::app
