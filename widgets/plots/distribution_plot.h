#pragma once

#include <QTimer>
#include <QVector>
#include <QWidget>

class QCustomPlot;
class QCPBars;
class QCPColorMap;
class QCPItemStraightLine;

namespace tau::widgets {

/** One epoch's histogram of a per-image quantity (c or r) with fixed bin edges. */
struct EpochHistogram
{
    int epoch = 0;
    QVector<double> edges;       ///< counts.size() + 1 values
    QVector<double> counts;
    QVector<double> percentiles; ///< 5, 25, 50, 75, 95 (may be empty)
};

/**
 * The distribution of a per-image quantity during training: the latest epoch as bars with its percentiles
 * marked, and every epoch so far as a heat map (epoch on x, value on y, colour = share of images), so a
 * distribution that drifts or piles up at one end is visible at a glance.
 */
class DistributionPlot : public QWidget
{
    Q_OBJECT

public:
    explicit DistributionPlot(const QString& quantity, QWidget* parent = nullptr);

    void addEpoch(const EpochHistogram& histogram);
    void clear();

    int epochCount() const { return m_epochs.size(); }
    QCustomPlot* histogramPlot() const { return m_histogramPlot; }
    QCustomPlot* evolutionPlot() const { return m_evolutionPlot; }

private:
    void redraw();
    void drawLatest();
    void drawEvolution();

    QString m_quantity;
    QCustomPlot* m_histogramPlot;
    QCustomPlot* m_evolutionPlot;
    QCPBars* m_bars;
    QCPColorMap* m_colorMap;
    QVector<QCPItemStraightLine*> m_percentileLines;
    QVector<EpochHistogram> m_epochs;
    QTimer m_replotTimer;
    bool m_dirty = false;
};

} // namespace tau::widgets
