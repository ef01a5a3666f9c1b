#pragma once

// The Export menu of the window, for whichever page is on screen: figures (PDF, SVG, PNG), the data behind a plot
// (CSV) and the OOD metrics table (LaTeX, CSV).

#include "widgets/export/figure_export.h"

#include <QObject>
#include <QString>
#include <QVector>

#include <functional>

class QCustomPlot;
class QMenu;
class QWidget;

namespace tau::app {

/**
 * One exportable plot of a page: its name in the dialogs, the plot, the data behind it as CSV, what its file is
 * called (what it shows and of which run: "roc_curves_run3"; the name when empty) and how it lays out on paper.
 */
struct FigureEntry
{
    QString name;
    QCustomPlot* plot = nullptr;
    std::function<QString()> csv;
    QString fileStem;
    widgets::PaperLayout paper;
};

class ExportActions : public QObject
{
    Q_OBJECT

public:
    /** The plots of the page on screen; *current (when given) is set to the one showing. */
    using FigureList = std::function<QVector<FigureEntry>(int* current)>;
    /** The OOD metrics table (LaTeX when true, else CSV); empty when no evaluation is shown. */
    using MetricsTable = std::function<QString(bool latex)>;

    ExportActions(QWidget* window, FigureList figures, MetricsTable metricsTable);

    /** The Export menu with its three actions. */
    QMenu* buildMenu();

    /** Writes the plot on screen (PDF/SVG/PNG by extension); an empty string or what went wrong. */
    QString exportCurrentFigure(const QString& path, int size, int dpi) const;
    /** The data behind the plot on screen as CSV (empty when there is none). */
    QString currentFigureCsv() const;

Q_SIGNALS:
    void wrote(const QString& path);

private:
    void exportFigureDialog();
    void exportPlotDataDialog();
    void exportMetricsDialog();

    QWidget* m_window;
    FigureList m_figures;
    MetricsTable m_metricsTable;
};

} // namespace tau::app
