#include "widgets/plots/scalar_plot.h"

#include "widgets/plots/plot_style.h"
#include "widgets/plots/qcp.h"

#include <QComboBox>
#include <QEvent>

namespace tau::widgets {

ScalarPlot::ScalarPlot(QWidget* parent)
    : QWidget(parent)
    , m_choice(new QComboBox(this))
    , m_plot(new QCustomPlot(this))
{
    m_choice->setObjectName(QStringLiteral("scalarChoice"));
    layOutChoiceAbovePlot(this, tr("Scalar"), m_choice, m_plot);

    m_plot->xAxis->setLabel(tr("step"));
    useWholeNumberTicks(m_plot->xAxis);
    m_graph = m_plot->addGraph();
    m_graph->setPen(QPen(QColor(44, 160, 44), 1.6));
    m_graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(QColor(44, 160, 44), 1.5), Qt::white, 6));
    m_emptyNote = addEmptyNote(m_plot, tr("No scalars yet.\nlogging.knn_every: N adds kNN top-1 every N epochs;\n"
                            "any writer may add \"scalars\": {name: value} to metrics.jsonl records."));
    applyPalette(m_plot, palette());
    connect(m_choice, &QComboBox::currentTextChanged, this, [this] { redraw(); });
    redraw();
}

void ScalarPlot::addPoint(const QString& name, double step, double value)
{
    const bool isNew = !m_series.contains(name);
    m_series[name].append({step, value});
    if (isNew) {
        m_choice->addItem(name); // the first name becomes the shown one
    }
    if (name == m_choice->currentText()) {
        redraw();
    }
}

void ScalarPlot::clear()
{
    m_series.clear();
    m_choice->clear();
    redraw();
}

void ScalarPlot::setXLabel(const QString& label, bool wholeNumbers)
{
    m_plot->xAxis->setLabel(label);
    if (wholeNumbers) {
        useWholeNumberTicks(m_plot->xAxis);
    } else {
        m_plot->xAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    }
    m_plot->replot();
}

QString ScalarPlot::shownName() const
{
    return m_choice->currentText();
}

void ScalarPlot::showSeries(const QString& name)
{
    m_choice->setCurrentText(name);
}

int ScalarPlot::shownPointCount() const
{
    return m_graph->dataCount();
}

void ScalarPlot::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::PaletteChange) {
        applyPalette(m_plot, palette());
        m_plot->replot();
    }
    QWidget::changeEvent(event);
}

void ScalarPlot::redraw()
{
    const QVector<QPair<double, double>> points = m_series.value(m_choice->currentText());
    QVector<double> steps, values;
    for (const auto& [step, value] : points) {
        steps.append(step);
        values.append(value);
    }
    m_graph->setData(steps, values, /*alreadySorted=*/true);
    m_graph->setName(m_choice->currentText());
    m_plot->yAxis->setLabel(m_choice->currentText());
    showEmptyState(m_plot, m_emptyNote, points.isEmpty());
    if (!points.isEmpty()) {
        m_plot->rescaleAxes();
        const double low = m_plot->yAxis->range().lower, high = m_plot->yAxis->range().upper;
        const double margin = high > low ? 0.08 * (high - low) : 0.05;
        m_plot->yAxis->setRange(low - margin, high + margin);
        const double first = m_plot->xAxis->range().lower, last = m_plot->xAxis->range().upper;
        m_plot->xAxis->setRange(first - 0.5 - 0.03 * (last - first), last + 0.5 + 0.03 * (last - first));
    }
    m_plot->replot();
}

} // namespace tau::widgets
