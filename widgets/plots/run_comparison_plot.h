#pragma once

#include "widgets/plots/training_curve_plot.h"

#include <QVector>
#include <QWidget>

class QComboBox;
class QCustomPlot;
class QCPItemText;

namespace tau::widgets {

/** One recorded series (loss, learning rate, a c percentile, kNN top-1...) of every run or group compared. */
struct ComparedSeries
{
    QString name;
    QVector<CurveSeries> curves; ///< one per run, or per group of seeds (with a spread: drawn as a ±1 std band)
};

/**
 * Any recorded series across runs: one series at a time, chosen by name, each run (or group of seeds) a curve in
 * its own colour, groups with their ±1 std band. Before any run is chosen the plot says how to choose them.
 */
class RunComparisonPlot : public QWidget
{
    Q_OBJECT

public:
    explicit RunComparisonPlot(QWidget* parent = nullptr);

    /** Replaces what is compared; the series last chosen is shown again whenever the runs have it. */
    void setSeries(const QVector<ComparedSeries>& series);
    void clear() { setSeries({}); }
    /** The x axis' unit; @p wholeNumbers: ticks at whole values only (steps, epochs, images; not minutes). */
    void setXLabel(const QString& label, bool wholeNumbers = true);

    QStringList names() const;
    QString shownName() const;
    void showSeries(const QString& name);
    int curveCount() const; ///< curves of the series shown, bands not counted
    int bandCount() const;
    QCustomPlot* plot() const { return m_plot; }

protected:
    void changeEvent(QEvent* event) override;

private:
    void redraw();

    QComboBox* m_choice;
    QCustomPlot* m_plot;
    QCPItemText* m_emptyNote;
    QVector<ComparedSeries> m_series;
    QString m_wanted; ///< the series last chosen, kept while runs without it are shown
    int m_curves = 0;
    int m_bands = 0;
};

} // namespace tau::widgets
