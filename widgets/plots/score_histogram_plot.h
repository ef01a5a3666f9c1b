#pragma once

#include <QVector>
#include <QWidget>

class QCustomPlot;

namespace tau::widgets {

/** The scores one set got from one score function. */
struct ScoreSample
{
    QString setName;
    bool inDistribution = false;
    QVector<double> values;
};

/**
 * ID-vs-OOD score histograms on shared bins, each normalised to a density so sets of different sizes compare:
 * the in-distribution set filled, every OOD set as an outline. Where they overlap, the score cannot tell them
 * apart.
 */
class ScoreHistogramPlot : public QWidget
{
    Q_OBJECT

public:
    explicit ScoreHistogramPlot(QWidget* parent = nullptr);

    void setSamples(const QString& scoreName, const QVector<ScoreSample>& samples, int bins = 40);
    QCustomPlot* plot() const { return m_plot; }
    /** The histograms as CSV: set,bin_low,bin_high,density. */
    QString toCsv() const;

private:
    QCustomPlot* m_plot;
    QVector<double> m_edges;
    QVector<QPair<QString, QVector<double>>> m_densities;
};

/** Density histogram of @p values on @p edges (bins.size()+1 edges; the last bin includes its right edge). */
QVector<double> densityHistogram(const QVector<double>& values, const QVector<double>& edges);

} // namespace tau::widgets
