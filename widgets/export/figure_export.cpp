#include "widgets/export/figure_export.h"

#include "widgets/plots/plot_style.h"
#include "widgets/plots/qcp.h"
#include "widgets/plots/series_style.h"

#include <QFileInfo>
#include <QImage>
#include <QPicture>
#include <QPointer>
#include <QSvgGenerator>
#include <QTextStream>

#include <algorithm>
#include <cmath>

namespace tau::widgets {

namespace {

constexpr double kPointsPerInch = 72.0;
constexpr double kTallestFigure = 9.0 * kPointsPerInch; ///< a page's text height: taller does not print

/** Calls @p edit on every font of @p plot that prints, in a fixed order, writing the result back. */
template <typename Edit>
void visitFonts(QCustomPlot* plot, Edit edit)
{
    const auto editAxis = [&](QCPAxis* axis) {
        QFont label = axis->labelFont(), ticks = axis->tickLabelFont();
        edit(label, false);
        edit(ticks, false);
        axis->setLabelFont(label);
        axis->setTickLabelFont(ticks);
    };
    for (QCPAxisRect* rect : plot->axisRects()) {
        for (QCPAxis* axis : rect->axes()) {
            editAxis(axis);
        }
    }
    for (QCPColorScale* scale : plot->findChildren<QCPColorScale*>()) { // its axis lives outside axisRects()
        editAxis(scale->axis());
    }
    for (QCPLegend* legend : plot->findChildren<QCPLegend*>()) {
        QFont font = legend->font();
        edit(font, false);
        legend->setFont(font);
        for (int i = 0; i < legend->itemCount(); ++i) {
            QCPAbstractLegendItem* item = legend->item(i);
            if (item == nullptr) { // a wrapped legend's empty cell
                continue;
            }
            QFont itemFont = item->font();
            edit(itemFont, false);
            item->setFont(itemFont);
        }
    }
    for (QCPTextElement* title : plot->findChildren<QCPTextElement*>()) {
        QFont font = title->font();
        edit(font, true);
        title->setFont(font);
    }
    for (int i = 0; i < plot->itemCount(); ++i) {
        if (auto* text = qobject_cast<QCPItemText*>(plot->item(i))) {
            QFont font = text->font();
            edit(font, false);
            text->setFont(font);
        }
    }
}

/** Lays @p plot out at @p size without showing it: a draw into a picture nobody keeps. */
void layOut(QCustomPlot* plot, QSize size)
{
    QPicture scratch;
    QCPPainter painter(&scratch);
    painter.setMode(QCPPainter::pmNoCaching);
    plot->toPainter(&painter, size.width(), size.height());
}

/**
 * As many ticks as the axis has room for at @p textPixels: a label's height twice over on a vertical axis,
 * four text heights (a label like 0.25 and a gap) on a horizontal one; two at least, six at most. Screen-sized
 * tick counts on a 90 pt axis put seven labels into each other.
 */
void spaceTicks(QCustomPlot* plot, int textPixels)
{
    for (QCPAxisRect* rect : plot->axisRects()) {
        for (QCPAxis* axis : rect->axes()) {
            const bool vertical = axis->orientation() == Qt::Vertical;
            const double length = vertical ? rect->rect().height() : rect->rect().width();
            const double perTick = vertical ? 2.4 * textPixels : 4.0 * textPixels;
            axis->ticker()->setTickCount(std::clamp(int(length / perTick), 2, 6));
        }
    }
}

} // namespace

/** What PaperFigure changed, to put back. */
struct PaperFigure::Saved
{
    QPalette palette;
    QList<QFont> fonts;
    struct Title
    {
        QPointer<QCPTextElement> element;
        QString text;
        QMargins margins;
    };
    QList<Title> titles;
    struct MovedLegend
    {
        QPointer<QCPLegend> legend;
        QPointer<QCPLayoutInset> inset;
        QCPLayoutInset::InsetPlacement placement;
        Qt::Alignment alignment;
        QRectF rect;
    };
    QList<MovedLegend> moved;
    struct Wrap
    {
        QPointer<QCPLegend> legend;
        int wrap;
        QCPLayoutGrid::FillOrder order;
    };
    QList<Wrap> wraps;
    QList<QPair<QSharedPointer<QCPAxisTicker>, int>> tickCounts;
};

double figureWidthInches(FigureSize size)
{
    return size == FigureSize::Column ? 3.5 : 7.0;
}

double paperTextPoints(FigureSize size)
{
    return size == FigureSize::Column ? 7.0 : 8.0;
}

double paperLabelPoints(FigureSize size)
{
    return size == FigureSize::Column ? 8.0 : 9.0;
}

PaperFigure::PaperFigure(QCustomPlot* plot, const FigureOptions& options, const PaperLayout& layout)
    : m_plot(plot), m_layout(layout), m_saved(std::make_unique<Saved>())
{
    const int width = int(figureWidthInches(options.size) * kPointsPerInch);
    if (m_layout.arrange) {
        m_layout.arrange(width);
    }
    m_saved->palette = plot->palette();
    applyPalette(plot, QPalette(Qt::black, Qt::white)); // papers are white, whatever the window is
    useTextSizes(int(paperTextPoints(options.size)), int(paperLabelPoints(options.size)));
    if (!options.titles) {
        hideTitles();
    }
    moveLegendsOutOfAxes();
    wrapLegends(width);
    findHeight(width, int(paperTextPoints(options.size)));
}

void PaperFigure::useTextSizes(int text, int label)
{
    // Pixel sizes in a layout whose unit is the point: a font then prints at its size on PDF, SVG and PNG alike,
    // and the layout measures text as it will print.
    visitFonts(m_plot, [&](QFont& font, bool isLabel) {
        m_saved->fonts.append(font);
        font.setPixelSize(isLabel ? label : text);
    });
}

void PaperFigure::hideTitles()
{
    for (QCPTextElement* title : m_plot->findChildren<QCPTextElement*>()) {
        if (!isPanelLabel(title)) {
            m_saved->titles.append({title, title->text(), title->margins()});
            title->setText(QString());
            title->setMargins(QMargins());
        }
    }
}

void PaperFigure::moveLegendsOutOfAxes()
{
    // Under the axes, so a legend covers no data.
    for (QCPLegend* legend : m_plot->findChildren<QCPLegend*>()) {
        auto* inset = qobject_cast<QCPLayoutInset*>(legend->layout());
        if (!legend->visible() || !inset) {
            continue;
        }
        int index = 0;
        while (index < inset->elementCount() && inset->elementAt(index) != legend) {
            ++index;
        }
        m_saved->moved.append({legend, inset, inset->insetPlacement(index), inset->insetAlignment(index),
                               inset->insetRect(index)});
        inset->take(legend);
        const int row = m_plot->plotLayout()->rowCount();
        m_plot->plotLayout()->addElement(row, 0, legend);
        m_plot->plotLayout()->setRowStretchFactor(row, 0.001);
    }
}

void PaperFigure::wrapLegends(int width)
{
    // As many columns as each legend's cell holds: measured with the legend one column wide, so that the legend
    // does not widen the cell it is measured in.
    const QList<QCPLegend*> legends = m_plot->findChildren<QCPLegend*>();
    for (QCPLegend* legend : legends) {
        m_saved->wraps.append({legend, legend->wrap(), legend->fillOrder()});
        legend->setFillOrder(QCPLayoutGrid::foColumnsFirst, false);
        legend->setWrap(1);
        legend->setFillOrder(QCPLayoutGrid::foColumnsFirst, true);
    }
    layOut(m_plot, QSize(width, int(width * 0.75)));
    for (QCPLegend* legend : legends) {
        legend->setWrap(legendColumnsFitting(legend, legend->outerRect().width()));
        legend->setFillOrder(QCPLayoutGrid::foColumnsFirst, true);
    }
}

void PaperFigure::findHeight(int width, int textPixels)
{
    for (QCPAxisRect* rect : m_plot->axisRects()) {
        for (QCPAxis* axis : rect->axes()) {
            m_saved->tickCounts.append({axis->ticker(), axis->ticker()->tickCount()});
        }
    }
    // The height that gives every row of axes its aspect: the axes take what the text leaves, so measure, adjust.
    // Start tall: while a layout is squeezed below its text's needs, QCustomPlot shares space by minimum sizes
    // and an adjustment lands mostly outside the axes; from above, what is taken away comes out of the axes.
    m_size = QSize(width, int(kTallestFigure));
    for (int pass = 0; pass < 4; ++pass) {
        layOut(m_plot, m_size);
        spaceTicks(m_plot, textPixels);
        const int height = int(std::clamp(m_size.height() + missingAxesHeight(), width * 0.25, kTallestFigure));
        if (std::abs(height - m_size.height()) <= 1) {
            break;
        }
        m_size.setHeight(height);
    }
    layOut(m_plot, m_size);
}

double PaperFigure::missingAxesHeight() const
{
    QMap<int, double> missingByRow; // keyed by the axes' top edge
    for (QCPAxisRect* rect : m_plot->axisRects()) {
        if (rect->visible()) {
            const QRect inner = rect->rect();
            const double wanted = m_layout.squareAxes ? inner.width() : inner.width() * m_layout.axesAspect;
            missingByRow[inner.top()] = std::max(missingByRow.value(inner.top(), -1e9), wanted - inner.height());
        }
    }
    double missing = 0;
    for (double value : missingByRow) {
        missing += value;
    }
    return missing;
}

PaperFigure::~PaperFigure()
{
    for (const auto& [ticker, count] : m_saved->tickCounts) {
        ticker->setTickCount(count);
    }
    int i = 0;
    visitFonts(m_plot, [&](QFont& font, bool) { font = m_saved->fonts.value(i++, font); });
    for (const Saved::Title& title : m_saved->titles) {
        if (title.element) {
            title.element->setText(title.text);
            title.element->setMargins(title.margins);
        }
    }
    for (const Saved::Wrap& wrap : m_saved->wraps) {
        if (wrap.legend) {
            wrap.legend->setWrap(wrap.wrap);
            wrap.legend->setFillOrder(wrap.order, true);
        }
    }
    bool emptied = false;
    for (const Saved::MovedLegend& moved : m_saved->moved) {
        if (!moved.legend || !moved.inset) {
            continue;
        }
        m_plot->plotLayout()->take(moved.legend);
        emptied = true;
        if (moved.placement == QCPLayoutInset::ipFree) {
            moved.inset->addElement(moved.legend, moved.rect);
        } else {
            moved.inset->addElement(moved.legend, moved.alignment);
        }
    }
    if (emptied) {
        m_plot->plotLayout()->simplify(); // the rows the legends took
    }
    applyPalette(m_plot, m_saved->palette);
    if (m_layout.arrange) {
        m_layout.arrange(0);
    }
    m_plot->replot();
}

void PaperFigure::draw(QCPPainter* painter) const
{
    painter->setMode(QCPPainter::pmNoCaching);
    m_plot->toPainter(painter, m_size.width(), m_size.height());
}

QString exportFigure(QCustomPlot* plot, const QString& path, const FigureOptions& options, const PaperLayout& layout)
{
    const QString format = QFileInfo(path).suffix().toLower();
    if (format != QLatin1String("pdf") && format != QLatin1String("svg") && format != QLatin1String("png")) {
        return QStringLiteral("%1: unknown figure format '%2' (expected pdf, svg or png)").arg(path, format);
    }
    const PaperFigure figure(plot, options, layout);
    const QSize size = figure.size();
    bool written = false;
    if (format == QLatin1String("pdf")) {
        written = plot->savePdf(path, size.width(), size.height(), QCP::epNoCosmetic, QStringLiteral("TaU Explorer"));
    } else if (format == QLatin1String("svg")) {
        QSvgGenerator generator;
        generator.setFileName(path);
        generator.setSize(size);
        generator.setViewBox(QRect(QPoint(0, 0), size));
        generator.setTitle(QStringLiteral("TaU Explorer figure"));
        QCPPainter painter;
        written = painter.begin(&generator);
        if (written) {
            figure.draw(&painter);
            written = painter.end();
        }
    } else {
        const double scale = options.dpi / kPointsPerInch; // points to pixels at the asked DPI
        QImage image(int(std::lround(size.width() * scale)), int(std::lround(size.height() * scale)), QImage::Format_ARGB32);
        image.fill(Qt::white);
        image.setDotsPerMeterX(int(std::lround(options.dpi / 0.0254)));
        image.setDotsPerMeterY(int(std::lround(options.dpi / 0.0254)));
        QCPPainter painter(&image);
        painter.scale(scale, scale);
        figure.draw(&painter);
        painter.end();
        written = (options.grayscale ? image.convertToFormat(QImage::Format_Grayscale8) : image).save(path, "PNG");
    }
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
            if (isDecoration(graph)) {
                continue;
            }
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
