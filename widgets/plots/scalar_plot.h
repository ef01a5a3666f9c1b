#pragma once

#include <QMap>
#include <QVector>
#include <QWidget>

class QComboBox;
class QCustomPlot;
class QCPGraph;
class QCPItemText;

namespace tau::widgets {

/**
 * Free-form scalars of a run by name (kNN top-1 from logging.knn_every, or whatever a writer put under "scalars"
 * in metrics.jsonl) against the step (or the dashboard's x-axis): one series at a time, chosen by name; names appear as points arrive. Before
 * any point the plot says where scalars come from.
 */
class ScalarPlot : public QWidget
{
    Q_OBJECT

public:
    explicit ScalarPlot(QWidget* parent = nullptr);

    void addPoint(const QString& name, double step, double value);
    void clear();
    /** The x-axis title: callers convert the x values they add (step, epoch, images seen, minutes). */
    /** The x axis' unit; @p wholeNumbers: ticks at whole values only (steps, epochs, images; not minutes). */
    void setXLabel(const QString& label, bool wholeNumbers = true);

    QStringList names() const { return m_series.keys(); }
    QString shownName() const;
    void showSeries(const QString& name);
    int shownPointCount() const;
    QCustomPlot* plot() const { return m_plot; }

protected:
    void changeEvent(QEvent* event) override;

private:
    void redraw();

    QComboBox* m_choice;
    QCustomPlot* m_plot;
    QCPGraph* m_graph;
    QCPItemText* m_emptyNote;
    QMap<QString, QVector<QPair<double, double>>> m_series;
};

} // namespace tau::widgets
