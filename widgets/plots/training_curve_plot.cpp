#include "widgets/plots/training_curve_plot.h"

#include "widgets/plots/plot_style.h"
#include "widgets/plots/qcp.h"
#include "widgets/plots/series_style.h"

#include <QEvent>

#include <QVBoxLayout>

#include <cmath>

namespace tau::widgets {

namespace {
constexpr int kReplotIntervalMs = 100;
const QColor kLossColour(31, 119, 180);
} // namespace

TrainingCurvePlot::TrainingCurvePlot(QWidget* parent)
    : QWidget(parent)
    , m_plot(new QCustomPlot(this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);

    m_plot->plotLayout()->insertRow(0);
    m_plot->plotLayout()->addElement(0, 0, new QCPTextElement(m_plot, tr("Training loss and learning rate"),
                                                              QFont(font().family(), 10, QFont::Bold)));
    m_plot->xAxis->setLabel(tr("step"));
    useWholeNumberTicks(m_plot->xAxis);
    m_plot->yAxis->setLabel(tr("loss"));
    m_plot->yAxis2->setVisible(true);
    m_plot->yAxis2->setLabel(tr("learning rate"));

    m_stepLoss = m_plot->addGraph(m_plot->xAxis, m_plot->yAxis);
    m_stepLoss->setName(tr("loss (step)"));
    m_stepLoss->setPen(QPen(QColor(31, 119, 180, 70), 1.0));

    m_smoothedLoss = m_plot->addGraph(m_plot->xAxis, m_plot->yAxis);
    m_smoothedLoss->setName(tr("loss (smoothed)"));
    m_smoothedLoss->setPen(QPen(kLossColour, 1.6));

    m_epochLoss = m_plot->addGraph(m_plot->xAxis, m_plot->yAxis);
    m_epochLoss->setName(tr("loss (epoch mean)"));
    m_epochLoss->setPen(Qt::NoPen);
    m_epochLoss->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(kLossColour, 1.5), Qt::white, 6));

    m_learningRate = m_plot->addGraph(m_plot->xAxis, m_plot->yAxis2);
    m_learningRate->setName(tr("learning rate"));
    // Grey dash-dot-dot: no run's style (Compare runs' colours and dashes, the overlays') is mistaken for it.
    m_learningRate->setPen(QPen(QColor(105, 105, 105), 1.4, Qt::DashDotDotLine));

    placeLegendBelow(m_plot, 2);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);

    m_emptyNote = addEmptyNote(m_plot, tr("No run yet.\nPress Train to watch the loss and learning rate live,\n"
                                          "or select recorded runs in the Runs panel."));
    showEmptyState(m_plot, m_emptyNote, true);
    m_plot->yAxis2->setVisible(false);
    m_plot->legend->setVisible(false);

    m_replotTimer.setInterval(kReplotIntervalMs);
    connect(&m_replotTimer, &QTimer::timeout, this, &TrainingCurvePlot::replotIfChanged);
    m_replotTimer.start();
    applyPalette(m_plot, palette());
}

void TrainingCurvePlot::addStep(double step, double loss, double learningRate)
{
    m_steps.append(step);
    m_losses.append(loss);
    m_stepLoss->addData(step, loss);
    m_learningRate->addData(step, learningRate);
    m_dirty = true;
}

void TrainingCurvePlot::addEpoch(double step, double meanLoss)
{
    m_epochLoss->addData(step, meanLoss);
    m_dirty = true;
}

void TrainingCurvePlot::clear()
{
    m_steps.clear();
    m_losses.clear();
    for (QCPGraph* graph : {m_stepLoss, m_smoothedLoss, m_epochLoss, m_learningRate}) {
        graph->data()->clear();
    }
    m_dirty = true;
}

void TrainingCurvePlot::setSmoothing(double weight)
{
    m_smoothing = std::clamp(weight, 0.0, 0.999);
    m_dirty = true;
}

void TrainingCurvePlot::setLogarithmic(bool logarithmic)
{
    m_plot->yAxis->setScaleType(logarithmic ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    if (logarithmic) {
        m_plot->yAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    } else {
        m_plot->yAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    }
    m_dirty = true;
}

void TrainingCurvePlot::setOverlays(const QVector<CurveSeries>& overlays)
{
    for (QCPGraph* graph : m_overlays) {
        m_plot->removeGraph(graph);
    }
    m_overlays.clear();
    m_bands = 0;
    for (int i = 0; i < overlays.size(); ++i) {
        const CurveSeries& series = overlays[i];
        // The run's style from the table, as Compare runs draws it: the same run looks the same on both plots.
        const SeriesStyle style = seriesStyle(series.style >= 0 ? series.style : i);
        const QColor colour = style.colour;
        const QVector<double> centre = debiasedEma(series.values, m_smoothing);
        if (series.spread.size() == series.values.size() && !series.spread.isEmpty()) {
            // The band: mean ± 1 std, both edges smoothed alike, filled between.
            m_overlays += addSpreadBand(m_plot, series.x, centre, debiasedEma(series.spread, m_smoothing), colour);
            ++m_bands;
        }
        QCPGraph* graph = m_plot->addGraph(m_plot->xAxis, m_plot->yAxis);
        graph->setName(series.name);
        applySeriesStyle(graph, style, 1.4);
        graph->setData(series.x, centre, /*alreadySorted=*/true);
        m_overlays.append(graph);
    }
    m_dirty = true;
}

void TrainingCurvePlot::setXLabel(const QString& label, bool wholeNumbers)
{
    m_plot->xAxis->setLabel(label);
    if (wholeNumbers) {
        useWholeNumberTicks(m_plot->xAxis);
    } else {
        m_plot->xAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    }
    m_dirty = true;
}

int TrainingCurvePlot::stepPointCount() const
{
    return m_stepLoss->dataCount();
}

int TrainingCurvePlot::epochPointCount() const
{
    return m_epochLoss->dataCount();
}

QVector<double> TrainingCurvePlot::smoothedLosses() const
{
    return debiasedEma(m_losses, m_smoothing);
}

QVector<double> TrainingCurvePlot::debiasedEma(const QVector<double>& values, double weight)
{
    // The average starts at 0; dividing by 1 - w^t removes that bias (Adam's correction, TensorBoard's smoothing).
    QVector<double> smoothed;
    smoothed.reserve(values.size());
    double average = 0;
    double correction = 1;
    for (const double value : values) {
        if (!std::isfinite(value)) {
            smoothed.append(value);
            continue;
        }
        average = weight * average + (1.0 - weight) * value;
        correction *= weight;
        smoothed.append(weight > 0 ? average / (1.0 - correction) : value);
    }
    return smoothed;
}

void TrainingCurvePlot::replotIfChanged()
{
    if (!m_dirty) {
        return;
    }
    m_dirty = false;
    m_smoothedLoss->setData(m_steps, smoothedLosses(), /*alreadySorted=*/true);
    // One or two recorded steps (a short run with logging.step_every above its length) draw no line: dots then.
    m_stepLoss->setScatterStyle(m_steps.size() < 3 ? QCPScatterStyle(QCPScatterStyle::ssDisc, kLossColour, 5)
                                                   : QCPScatterStyle());
    m_smoothedLoss->setVisible(m_smoothing > 0);
    bool found = false;
    QCPRange steps(0, 1);
    QCPRange losses;
    bool any = false;
    for (QCPGraph* graph : QVector<QCPGraph*>{m_stepLoss, m_epochLoss} + m_overlays) {
        const QCPRange keys = graph->getKeyRange(found);
        if (!found) {
            continue;
        }
        const QCPRange values = graph->getValueRange(found, QCP::sdBoth);
        steps = any ? QCPRange(std::min(steps.lower, keys.lower), std::max(steps.upper, keys.upper)) : keys;
        losses = any ? QCPRange(std::min(losses.lower, values.lower), std::max(losses.upper, values.upper)) : values;
        any = true;
    }
    showEmptyState(m_plot, m_emptyNote, !any);
    m_plot->yAxis2->setVisible(any);
    m_plot->legend->setVisible(any);
    if (any) {
        // A little room past the ends, so the last epoch's marker is not cut by the frame.
        const double stepMargin = std::max(0.5, 0.02 * (steps.upper - steps.lower));
        m_plot->xAxis->setRange(steps.lower - stepMargin, steps.upper + stepMargin);
        const double margin = 0.05 * (losses.upper - losses.lower);
        m_plot->yAxis->setRange(m_plot->yAxis->scaleType() == QCPAxis::stLogarithmic
                                    ? QCPRange(std::max(1e-6, losses.lower * 0.9), losses.upper * 1.1)
                                    : QCPRange(losses.lower - margin, losses.upper + margin));
    }
    const QCPRange lrRange = m_learningRate->getValueRange(found);
    if (found) {
        m_plot->yAxis2->setRange(0.0, lrRange.upper > 0 ? lrRange.upper * 1.05 : 1.0);
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void TrainingCurvePlot::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::PaletteChange) {
        applyPalette(m_plot, palette());
    }
    QWidget::changeEvent(event);
}

} // namespace tau::widgets
