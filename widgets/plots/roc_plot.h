#pragma once

#include <QVector>
#include <QWidget>

class QCustomPlot;

namespace tau::widgets {

/** One ROC curve: a score's (or a run's) false- and true-positive rates at every threshold. */
struct RocSeries
{
    QString name;
    QVector<double> fpr;
    QVector<double> tpr;
    double auroc = 0;
};

/** The curves of one OOD set. */
struct RocPanel
{
    QString oodName;
    QVector<RocSeries> series;
};

/**
 * ROC curves side by side: one panel per OOD set, one curve per score or run, AUROC in the legend, the chance
 * diagonal, and the point where each curve first keeps 95% of the in-distribution images marked.
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
    QCustomPlot* plot() const { return m_plot; }

private:
    QCustomPlot* m_plot;
    int m_panelCount = 0;
    bool m_logarithmic = false;
    QVector<RocPanel> m_panels;
};

} // namespace tau::widgets
