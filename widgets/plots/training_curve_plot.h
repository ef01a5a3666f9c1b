#pragma once

#include <QTimer>
#include <QWidget>

class QCustomPlot;
class QCPGraph;

namespace tau::widgets {

/**
 * Live training curves against the optimisation step: loss per step (thin), loss per epoch (markers) on the
 * left axis, learning rate on the right axis. Points arrive at any rate; the plot redraws at most 10 times a
 * second, so a long or fast run cannot slow the GUI down.
 */
class TrainingCurvePlot : public QWidget
{
    Q_OBJECT

public:
    explicit TrainingCurvePlot(QWidget* parent = nullptr);

    void addStep(double step, double loss, double learningRate);
    void addEpoch(double step, double meanLoss);
    void clear();

    int stepPointCount() const;
    int epochPointCount() const;
    QCustomPlot* plot() const { return m_plot; }

private:
    void replotIfChanged();

    QCustomPlot* m_plot;
    QCPGraph* m_stepLoss;
    QCPGraph* m_epochLoss;
    QCPGraph* m_learningRate;
    QTimer m_replotTimer;
    bool m_dirty = false;
};

} // namespace tau::widgets
