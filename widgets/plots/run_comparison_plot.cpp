#include "widgets/plots/run_comparison_plot.h"

#include "widgets/plots/plot_style.h"
#include "widgets/plots/qcp.h"

#include <QComboBox>
#include <QEvent>
#include <QSignalBlocker>

#include <algorithm>

namespace tau::widgets {

namespace {
const QColor kRunColours[] = {QColor(31, 119, 180), QColor(214, 39, 40),  QColor(44, 160, 44),
                              QColor(148, 103, 189), QColor(140, 86, 75), QColor(227, 119, 194),
                              QColor(127, 127, 127), QColor(188, 189, 34)};
} // namespace

RunComparisonPlot::RunComparisonPlot(QWidget* parent)
    : QWidget(parent)
    , m_choice(new QComboBox(this))
    , m_plot(new QCustomPlot(this))
{
    m_choice->setObjectName(QStringLiteral("comparedSeries"));
    m_choice->setToolTip(tr("The recorded series to compare across the selected runs"));
    layOutChoiceAbovePlot(this, tr("Series"), m_choice, m_plot);

    m_plot->xAxis->setLabel(tr("step"));
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

void RunComparisonPlot::setXLabel(const QString& label)
{
    m_plot->xAxis->setLabel(label);
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
            const QColor colour = kRunColours[i % 8];
            if (curve.spread.size() == curve.values.size()) {
                addSpreadBand(m_plot, curve.x, curve.values, curve.spread, colour);
                ++m_bands;
            }
            QCPGraph* graph = m_plot->addGraph();
            graph->setName(curve.name);
            graph->setPen(QPen(colour, 1.5));
            if (curve.x.size() < 40) { // epoch-level series: show the points
                graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(colour, 1.2), Qt::white, 5));
            }
            graph->setData(curve.x, curve.values, /*alreadySorted=*/true);
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
    }
    m_plot->replot();
}

} // namespace tau::widgets
