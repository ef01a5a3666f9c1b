#include "widgets/export/figure_export.h"

#include "widgets/plots/plot_style.h"
#include "widgets/plots/qcp.h"

#include <QTextStream>

#include <QFileInfo>
#include <QSvgGenerator>

namespace tau::widgets {

namespace {
constexpr double kPointsPerInch = 72.0;
constexpr double kAspect = 0.75;
/**
 * Sets every text of the plot to a paper size (7 pt in a column, 8 pt across the page) and gives back the
 * fonts it replaced, so the window's plot is restored after the export.
 */
struct FontSwap
{
    QCustomPlot* plot;
    QList<QFont> saved;

    FontSwap(QCustomPlot* target, double points) : plot(target)
    {
        visit([&](QFont& font) {
            saved.append(font);
            font.setPointSizeF(points);
        });
    }
    ~FontSwap()
    {
        int i = 0;
        visit([&](QFont& font) { font = saved.value(i++); });
    }

    /** Calls @p edit on each font of the plot in a fixed order, writing the result back. */
    template <typename Edit>
    void visit(Edit edit)
    {
        for (QCPAxisRect* rect : plot->axisRects()) {
            for (QCPAxis* axis : rect->axes()) {
                QFont label = axis->labelFont(), ticks = axis->tickLabelFont();
                edit(label);
                edit(ticks);
                axis->setLabelFont(label);
                axis->setTickLabelFont(ticks);
            }
        }
        for (QCPColorScale* scale : plot->findChildren<QCPColorScale*>()) { // its axis lives outside axisRects()
            QFont label = scale->axis()->labelFont(), ticks = scale->axis()->tickLabelFont();
            edit(label);
            edit(ticks);
            scale->axis()->setLabelFont(label);
            scale->axis()->setTickLabelFont(ticks);
        }
        for (QCPLegend* legend : plot->findChildren<QCPLegend*>()) {
            QFont font = legend->font();
            edit(font);
            legend->setFont(font);
            for (int i = 0; i < legend->itemCount(); ++i) {
                QFont itemFont = legend->item(i)->font();
                edit(itemFont);
                legend->item(i)->setFont(itemFont);
            }
        }
        for (QCPTextElement* title : plot->findChildren<QCPTextElement*>()) {
            QFont font = title->font();
            edit(font);
            title->setFont(font);
        }
    }
};

} // namespace

double figureWidthInches(FigureSize size)
{
    return size == FigureSize::Column ? 3.5 : 7.0;
}

QString exportFigure(QCustomPlot* plot, const QString& path, const FigureOptions& options)
{
    const QString format = QFileInfo(path).suffix().toLower();
    const double widthInches = figureWidthInches(options.size);
    // Lay the plot out in points, so a 9 pt font prints at 9 pt at the paper size.
    const int width = int(widthInches * kPointsPerInch);
    const int height = int(widthInches * kAspect * kPointsPerInch);
    const QPalette windowPalette = plot->palette();
    applyPalette(plot, QPalette(Qt::black, Qt::white)); // papers are white, whatever the window is
    const FontSwap paperFonts(plot, options.size == FigureSize::Column ? 7.0 : 8.0);
    plot->replot(QCustomPlot::rpImmediateRefresh); // lay out again with the paper fonts
    bool written = false;
    if (format == QLatin1String("pdf")) {
        written = plot->savePdf(path, width, height, QCP::epNoCosmetic, QStringLiteral("TaU Explorer"));
    } else if (format == QLatin1String("svg")) {
        QSvgGenerator generator;
        generator.setFileName(path);
        generator.setSize(QSize(width, height));
        generator.setViewBox(QRect(0, 0, width, height));
        generator.setTitle(QStringLiteral("TaU Explorer figure"));
        QCPPainter painter;
        written = painter.begin(&generator);
        if (written) {
            plot->toPainter(&painter, width, height);
            written = painter.end();
        }
    } else if (format == QLatin1String("png")) {
        const double scale = options.dpi / kPointsPerInch; // points to pixels at the asked DPI
        written = plot->savePng(path, width, height, scale, -1, options.dpi, QCP::ruDotsPerInch);
    } else {
        applyPalette(plot, windowPalette);
        return QStringLiteral("%1: unknown figure format '%2' (expected pdf, svg or png)").arg(path, format);
    }
    applyPalette(plot, windowPalette);
    return written ? QString() : QStringLiteral("%1: could not write the figure").arg(path);
}

QString plotDataCsv(QCustomPlot* plot)
{
    QString text;
    QTextStream out(&text);
    out << "series,x,y,value\n";
    const auto quoted = [](QString name) {
        return name.contains(QLatin1Char(',')) || name.contains(QLatin1Char('"'))
                   ? QLatin1Char('"') + name.replace(QLatin1Char('"'), QStringLiteral("\"\"")) + QLatin1Char('"')
                   : name;
    };
    for (int i = 0; i < plot->plottableCount(); ++i) {
        QCPAbstractPlottable* plottable = plot->plottable(i);
        const QString name = quoted(plottable->name().isEmpty() ? QStringLiteral("series %1").arg(i + 1) : plottable->name());
        if (auto* graph = qobject_cast<QCPGraph*>(plottable)) {
            for (auto point = graph->data()->constBegin(); point != graph->data()->constEnd(); ++point) {
                out << name << ',' << QString::number(point->key, 'g', 12) << ',' << QString::number(point->value, 'g', 12) << ",\n";
            }
        } else if (auto* bars = qobject_cast<QCPBars*>(plottable)) {
            for (auto bar = bars->data()->constBegin(); bar != bars->data()->constEnd(); ++bar) {
                out << name << ',' << QString::number(bar->key, 'g', 12) << ',' << QString::number(bar->value, 'g', 12) << ",\n";
            }
        } else if (auto* map = qobject_cast<QCPColorMap*>(plottable)) {
            // A heat map: one row per cell, at the cell's centre, with its value.
            QCPColorMapData* cells = map->data();
            for (int x = 0; x < cells->keySize(); ++x) {
                for (int y = 0; y < cells->valueSize(); ++y) {
                    double key = 0, value = 0;
                    cells->cellToCoord(x, y, &key, &value);
                    out << name << ',' << QString::number(key, 'g', 12) << ',' << QString::number(value, 'g', 12) << ','
                        << QString::number(cells->cell(x, y), 'g', 12) << '\n';
                }
            }
        }
    }
    return text;
}

} // namespace tau::widgets
