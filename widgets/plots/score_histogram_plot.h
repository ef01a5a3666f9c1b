#pragma once

#include "widgets/export/figure_export.h"

#include <QVector>
#include <QWidget>

class QCustomPlot;

namespace tau::widgets {

/** The scores one set got from one score function. */
struct ScoreSample
{
    QString setName; ///< as files spell it (the CSV's set column)
    QString title;   ///< for people ("Gaussian noise"); the name when empty
    bool inDistribution = false;
    QVector<double> values;
};

/**
 * ID-vs-OOD score histograms on shared bins, each normalised to a density so sets of different sizes compare:
 * the in-distribution set filled, every OOD set as an outline in a style of its own. Where they overlap, the
 * score cannot tell them apart. When one set's peak towers over another's, the density axis is logarithmic, so
 * every set stays visible.
 */
class ScoreHistogramPlot : public QWidget
{
    Q_OBJECT

public:
    explicit ScoreHistogramPlot(QWidget* parent = nullptr);

    /** @p scoreTitle names the score on the axis ("TaU c"). */
    void setSamples(const QString& scoreTitle, const QVector<ScoreSample>& samples, int bins = 40);
    QCustomPlot* plot() const { return m_plot; }
    bool logarithmicDensity() const { return m_logarithmic; }
    PaperLayout paperLayout() const { return PaperLayout{}; }
    /** The histograms as CSV: set,bin_low,bin_high,density. */
    QString toCsv() const;

private:
    QCustomPlot* m_plot;
    bool m_logarithmic = false;
    QVector<double> m_edges;
    QVector<QPair<QString, QVector<double>>> m_densities;
};

/** Density histogram of @p values on @p edges (bins.size()+1 edges; the last bin includes its right edge). */
QVector<double> densityHistogram(const QVector<double>& values, const QVector<double>& edges);

} // namespace tau::widgets
