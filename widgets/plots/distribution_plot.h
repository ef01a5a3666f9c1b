#pragma once

#include <QMap>
#include <QTimer>
#include <QVector>
#include <QWidget>

#include <functional>

class QCustomPlot;
class QCPBars;
class QCPColorMap;
class QCPItemStraightLine;
class QCPGraph;
class QCPItemText;

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
    /**
     * @param mapValue optional change of variable applied to bin edges and percentiles before drawing (the
     * temperature tau = t / c from the c histograms, say); it must be monotone. The heat map needs equal bins,
     * so with a mapping only the bars, drawn as steps, and the percentile bands are shown.
     */
    explicit DistributionPlot(const QString& quantity, QWidget* parent = nullptr,
                              std::function<double(double)> mapValue = {});

    /**
     * Bins fitted to the data instead of the recorded ones: each epoch's counts spread over bins of equal width
     * that span where it has values (r, whose recorded bins change from epoch to epoch; any mapped quantity,
     * always). The heat map then spans every epoch's range.
     */
    void setFitBinsToData(bool fit);

    void addEpoch(const EpochHistogram& histogram);
    /**
     * A second population of the same epoch, such as the synthetic outliers of outlier exposure beside the
     * training images: drawn as an outline over the latest epoch's bars and as its median across epochs, both
     * named @p label in a legend. Not drawn on a plot with a change of variable.
     */
    void addComparison(const EpochHistogram& histogram, const QString& label);
    void clear();
    /** Draws what was added since the last redraw now (a 10 Hz timer does it otherwise), e.g. before an export. */
    void redraw();

    int epochCount() const { return m_epochs.size(); }
    QCustomPlot* histogramPlot() const { return m_histogramPlot; }
    QCustomPlot* evolutionPlot() const { return m_evolutionPlot; }
    /** The median across epochs as drawn (for tests). */
    QVector<double> medianBand() const;
    /** The comparison population's median across epochs as drawn (for tests); empty without one. */
    QVector<double> comparisonMedian() const;

protected:
    void changeEvent(QEvent* event) override;

private:
    void drawLatest();
    void drawEvolution();
    void drawBands();
    void drawComparison();
    EpochHistogram mapped(const EpochHistogram& histogram) const;
    /** The histogram as drawn: mapped, and on bins fitted to its data where they are. */
    EpochHistogram shown(const EpochHistogram& histogram) const;
    bool fitsBins() const { return m_fitBins || m_mapValue; }

    QString m_quantity;
    QCustomPlot* m_histogramPlot;
    QCustomPlot* m_evolutionPlot;
    QCPBars* m_bars;
    QCPColorMap* m_colorMap;
    QVector<QCPItemStraightLine*> m_percentileLines;
    QCPItemText* m_histogramEmpty;
    QCPItemText* m_evolutionEmpty;
    bool m_fitBins = false;
    QVector<QCPGraph*> m_bands;    ///< p5, p95, p25, p75, p50 across epochs
    std::function<double(double)> m_mapValue;
    QVector<EpochHistogram> m_epochs;
    QMap<int, EpochHistogram> m_comparison; ///< by epoch
    QCPGraph* m_comparisonSteps;  ///< the latest epoch's comparison histogram, as an outline
    QCPGraph* m_comparisonMedian; ///< its median across epochs
    QTimer m_replotTimer;
    bool m_dirty = false;
};

/**
 * The counts of @p histogram spread evenly over each of its bins and gathered into the bins of @p edges
 * (ascending): the same distribution on other bins. Mass outside @p edges is dropped.
 */
QVector<double> resampledCounts(const EpochHistogram& histogram, const QVector<double>& edges);

/**
 * @p bins bins of equal width over where @p histogram has counts; a long thin tail (the temperature t / c as c
 * nears 0) is cut at twice the 5-95 percentile range beyond the percentiles, when they are known.
 */
QVector<double> fittedEdges(const EpochHistogram& histogram, int bins);

} // namespace tau::widgets
