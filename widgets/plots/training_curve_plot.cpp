#include "widgets/plots/training_curve_plot.h"

#include "widgets/plots/qcp.h"

#include <QVBoxLayout>

namespace tau::widgets {

namespace {
constexpr int kReplotIntervalMs = 100;
}

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
    m_plot->yAxis->setLabel(tr("loss"));
    m_plot->yAxis2->setVisible(true);
    m_plot->yAxis2->setLabel(tr("learning rate"));

    m_stepLoss = m_plot->addGraph(m_plot->xAxis, m_plot->yAxis);
    m_stepLoss->setName(tr("loss (step)"));
    m_stepLoss->setPen(QPen(QColor(31, 119, 180, 110), 1.0));

    m_epochLoss = m_plot->addGraph(m_plot->xAxis, m_plot->yAxis);
    m_epochLoss->setName(tr("loss (epoch mean)"));
    m_epochLoss->setPen(QPen(QColor(31, 119, 180), 2.0));
    m_epochLoss->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 6));

    m_learningRate = m_plot->addGraph(m_plot->xAxis, m_plot->yAxis2);
    m_learningRate->setName(tr("learning rate"));
    m_learningRate->setPen(QPen(QColor(255, 127, 14), 1.5, Qt::DashLine));

    // The legend sits in its own row under the axes, so it never hides a curve.
    m_plot->legend->setVisible(true);
    m_plot->legend->setFont(QFont(font().family(), 8));
    m_plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    m_plot->legend->setBorderPen(Qt::NoPen);
    m_plot->axisRect()->insetLayout()->take(m_plot->legend);
    m_plot->plotLayout()->addElement(2, 0, m_plot->legend);
    m_plot->plotLayout()->setRowStretchFactor(2, 0.001);
    m_plot->plotLayout()->simplify();
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);

    m_replotTimer.setInterval(kReplotIntervalMs);
    connect(&m_replotTimer, &QTimer::timeout, this, &TrainingCurvePlot::replotIfChanged);
    m_replotTimer.start();
}

void TrainingCurvePlot::addStep(double step, double loss, double learningRate)
{
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
    m_stepLoss->data()->clear();
    m_epochLoss->data()->clear();
    m_learningRate->data()->clear();
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

void TrainingCurvePlot::replotIfChanged()
{
    if (!m_dirty) {
        return;
    }
    m_dirty = false;
    bool found = false;
    m_stepLoss->rescaleAxes();
    m_epochLoss->rescaleAxes(/*onlyEnlarge=*/true);
    const QCPRange lrRange = m_learningRate->getValueRange(found);
    if (found) {
        m_plot->yAxis2->setRange(0.0, lrRange.upper > 0 ? lrRange.upper * 1.05 : 1.0);
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace tau::widgets
