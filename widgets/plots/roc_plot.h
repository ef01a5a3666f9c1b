#pragma once

#include "widgets/export/figure_export.h"
#include "widgets/plots/series_style.h"

#include <QVector>
#include <QWidget>

class QCPLayoutGrid;
class QCPMarginGroup;
class QCustomPlot;

namespace tau::widgets {

/** One ROC curve: a score's (or a run's) false- and true-positive rates at every threshold. */
struct RocSeries
{
    QString name;  ///< as files spell it (the CSV's series column): a score, or "run · score"
    QString title; ///< for people, in the legend ("TaU c", "run 2 · kNN"); the name when empty
    SeriesStyle style;
    QVector<double> fpr;
    QVector<double> tpr;
    double auroc = 0;
};

/** The curves of one OOD set. */
struct RocPanel
{
    QString oodName;
    QString title; ///< the set for people ("Gaussian noise"); the name when empty
    QVector<RocSeries> series;
};

/**
 * ROC curves side by side: one square panel per OOD set, wrapping into rows, one curve per score or run in its
 * catalogue style; a legend shared by the panels names the curves, the chance line and the marked operating point
 * (the first threshold keeping 95% of the in-distribution images); each panel lists its AUROCs under its axes.
 */
class RocPlot : public QWidget
{
    Q_OBJECT

public:
    explicit RocPlot(QWidget* parent = nullptr);

    void setPanels(const QVector<RocPanel>& panels);
    /** A logarithmic false-positive axis shows the low-FPR region papers care about. */
    void setLogarithmicFpr(bool logarithmic);

    int panelCount() const { return m_panelCount; }
    /** How many panels share a row now. */
    int panelsPerRow() const { return m_panelsPerRow; }
    QCustomPlot* plot() const { return m_plot; }
    /** How the panels rearrange on paper (rows that fit the width, square axes). */
    PaperLayout paperLayout();

private:
    void rebuild();
    void addPanel(QCPLayoutGrid* grid, int index, QCPMarginGroup* margins);

    QCustomPlot* m_plot;
    int m_panelCount = 0;
    int m_panelsPerRow = 1;
    double m_paperWidth = 0; ///< the width the panels are arranged for; 0 on screen
    bool m_logarithmic = false;
    QVector<RocPanel> m_panels;
};

/** Panels per row for @p panels panels on a figure @p widthPoints wide: as many as fit at ~120 pt, balanced. */
int rocPanelsPerRow(int panels, double widthPoints);

} // namespace tau::widgets
