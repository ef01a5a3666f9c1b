#include "widgets/plots/run_comparison_plot.h"

#include "widgets/plots/plot_style.h"
#include "widgets/plots/qcp.h"
#include "widgets/plots/series_style.h"

#include <QComboBox>
#include <QEvent>
#include <QSignalBlocker>

#include <algorithm>

namespace tau::widgets {

RunComparisonPlot::RunComparisonPlot(QWidget* parent)
    : QWidget(parent)
    , m_choice(new QComboBox(this))
    , m_plot(new QCustomPlot(this))
{
    m_choice->setObjectName(QStringLiteral("comparedSeries"));
    m_choice->setToolTip(tr("The recorded series to compare across the selected runs"));
    layOutChoiceAbovePlot(this, tr("Series"), m_choice, m_plot);

    m_plot->xAxis->setLabel(tr("step"));
    useWholeNumberTicks(m_plot->xAxis);
    placeLegendBelow(m_plot, 1);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_emptyNote = addEmptyNote(m_plot, tr("No runs to compare.\nSelect recorded runs in the Runs panel (Ctrl+click for several):\n"
                            "any series they recorded (loss, learning rate, c percentiles, kNN top-1, scalars)\n"
                            "shows here for each run, seeds grouped as mean ± std."));
    applyPalette(m_plot, palette());
    connect(m_choice, &QComboBox::currentTextChanged, this, [this](const QString& name) {
        m_wanted = name; // the user's choice (setSeries blocks the signal while it refills the list)
        redraw();
    });
    redraw();
}

void RunComparisonPlot::setSeries(const QVector<ComparedSeries>& series)
{
    m_series = series;
    {
        const QSignalBlocker blocker(m_choice);
        m_choice->clear();
        for (const ComparedSeries& s : series) {
            m_choice->addItem(s.name);
        }
        const int kept = m_choice->findText(m_wanted);
        m_choice->setCurrentIndex(kept >= 0 ? kept : (series.isEmpty() ? -1 : 0));
    }
    redraw();
}

void RunComparisonPlot::setXLabel(const QString& label, bool wholeNumbers)
{
    m_plot->xAxis->setLabel(label);
    if (wholeNumbers) {
        useWholeNumberTicks(m_plot->xAxis);
    } else {
        m_plot->xAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    }
    m_plot->replot();
}

QStringList RunComparisonPlot::names() const
{
    QStringList names;
    for (const ComparedSeries& s : m_series) {
        names << s.name;
    }
    return names;
}

QString RunComparisonPlot::shownName() const
{
    return m_choice->currentText();
}

void RunComparisonPlot::showSeries(const QString& name)
{
    m_choice->setCurrentText(name);
}

int RunComparisonPlot::curveCount() const
{
    return m_curves;
}

int RunComparisonPlot::bandCount() const
{
    return m_bands;
}

void RunComparisonPlot::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::PaletteChange) {
        applyPalette(m_plot, palette());
        m_plot->replot();
    }
    QWidget::changeEvent(event);
}

void RunComparisonPlot::redraw()
{
    m_plot->clearGraphs();
    m_plot->legend->clearItems();
    QVector<QPair<QCPGraph*, SeriesStyle>> styled;
    m_curves = 0;
    m_bands = 0;
    const QString name = m_choice->currentText();
    const auto shown = std::find_if(m_series.begin(), m_series.end(), [&](const ComparedSeries& s) { return s.name == name; });
    bool any = false;
    if (shown != m_series.end()) {
        for (int i = 0; i < shown->curves.size(); ++i) {
            const CurveSeries& curve = shown->curves[i];
            if (curve.x.isEmpty()) {
                continue;
            }
            // Each run its row of the style table (colour, dash, marker), so runs stay apart in a grey print.
            const SeriesStyle style = seriesStyle(i);
            if (curve.spread.size() == curve.values.size()) {
                for (QCPGraph* edge : addSpreadBand(m_plot, curve.x, curve.values, curve.spread, style.colour)) {
                    markAsDecoration(edge);
                }
                ++m_bands;
            }
            QCPGraph* graph = m_plot->addGraph();
            graph->setName(curve.name);
            applySeriesStyle(graph, style);
            graph->setData(curve.x, curve.values, /*alreadySorted=*/true);
            graph->removeFromLegend();
            addStyleLegendItem(m_plot->legend, style, curve.name);
            styled.append({graph, style});
            ++m_curves;
            any = true;
        }
    }
    showEmptyState(m_plot, m_emptyNote, !any);
    m_plot->legend->setVisible(any);
    m_plot->yAxis->setLabel(name);
    if (any) {
        m_plot->rescaleAxes();
        // Margins, so the first and last points (epoch values often sit there) are not cut in half.
        const QCPRange values = m_plot->yAxis->range();
        const double margin = values.upper > values.lower ? 0.06 * (values.upper - values.lower) : 0.05;
        m_plot->yAxis->setRange(values.lower - margin, values.upper + margin);
        const QCPRange keys = m_plot->xAxis->range();
        const double keyMargin = keys.upper > keys.lower ? 0.03 * (keys.upper - keys.lower) : 0.5;
        m_plot->xAxis->setRange(keys.lower - keyMargin, keys.upper + keyMargin);
        for (const auto& [graph, style] : styled) {
            addSeriesMarkers(graph, style); // spread over the axis as it is now
        }
    }
    m_plot->replot();
}

} // namespace tau::widgets
