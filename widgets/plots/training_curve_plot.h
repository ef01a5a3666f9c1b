#pragma once

#include <QTimer>
#include <QVector>
#include <QWidget>

class QCustomPlot;
class QCPGraph;
class QCPItemText;

namespace tau::widgets {

/** A curve of a run (or the mean of a group of seeds), drawn over the current one or beside other runs'. */
struct CurveSeries
{
    QString name;
    QVector<double> x;      ///< in the axis's unit (step, epoch, images seen or minutes), ascending
    QVector<double> values; ///< the mean for a group of seeds
    QVector<double> spread; ///< a group of seeds: ±1 std around values, drawn as a band; empty: none
    int style = -1;         ///< its row of the style table, as in Compare runs (-1: its position among the overlays)
};

/**
 * Live training curves against the optimisation step: loss per step (raw, faint) with its smoothed line
 * (debiased exponential moving average, as TensorBoard's), loss per epoch (markers), learning rate on the
 * right axis, and other runs' smoothed losses as overlays. Points arrive at any rate; the plot redraws at
 * most 10 times a second, so a long or fast run cannot slow the GUI down. Drag to pan, wheel to zoom.
 */
class TrainingCurvePlot : public QWidget
{
    Q_OBJECT

public:
    explicit TrainingCurvePlot(QWidget* parent = nullptr);

    void addStep(double step, double loss, double learningRate);
    void addEpoch(double step, double meanLoss);
    void clear();

    /** 0 shows the raw loss only; up to 0.999 smooths more. */
    void setSmoothing(double weight);
    double smoothing() const { return m_smoothing; }
    void setLogarithmic(bool logarithmic);
    void setOverlays(const QVector<CurveSeries>& overlays);
    /** The x-axis title ("step", "epoch", "images seen"): callers convert the x values they add. */
    /** The x axis' unit; @p wholeNumbers: ticks at whole values only (steps, epochs, images; not minutes). */
    void setXLabel(const QString& label, bool wholeNumbers = true);
    int bandCount() const { return m_bands; }
    /** Draws what was added since the last replot now (a 10 Hz timer does it otherwise), e.g. before an export. */
    void replotIfChanged();

    int stepPointCount() const;
    int epochPointCount() const;
    int overlayCount() const { return int(m_overlays.size()) - 2 * m_bands; } ///< curves, bands not counted
    /** The smoothed loss as drawn (for tests). */
    QVector<double> smoothedLosses() const;
    QCustomPlot* plot() const { return m_plot; }

protected:
    void changeEvent(QEvent* event) override;

private:
    static QVector<double> debiasedEma(const QVector<double>& values, double weight);

    QCustomPlot* m_plot;
    QCPGraph* m_stepLoss;
    QCPGraph* m_smoothedLoss;
    QCPGraph* m_epochLoss;
    QCPGraph* m_learningRate;
    QCPItemText* m_emptyNote;
    QVector<QCPGraph*> m_overlays;
    int m_bands = 0;
    QVector<double> m_steps, m_losses;
    double m_smoothing = 0.6;
    QTimer m_replotTimer;
    bool m_dirty = false;
};

} // namespace tau::widgets
