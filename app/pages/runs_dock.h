#pragma once

#include <QDockWidget>
#include <QStringList>
#include <QVector>

class QLineEdit;
class QSortFilterProxyModel;
class QTableView;

namespace tau::app {

class RunsModel;

/**
 * The Runs panel, an experiment table: every run under the runs folder (sub-folders too), live (RunsModel rescans
 * it), with columns from each run's config and results, sortable, filtered by the text box, columns chosen from
 * the Columns menu, tags and a note per run edited in place. Selecting runs asks for their curves; double-clicking
 * one asks for it to be analysed; Diff shows the config keys in which the selected runs differ.
 */
class RunsDock : public QDockWidget
{
    Q_OBJECT

public:
    explicit RunsDock(QWidget* parent = nullptr);

    void setRunsRoot(const QString& root);
    QString runsRoot() const;
    /** The selected runs' directories, in selection order. */
    QStringList selectedRuns() const;
    void clearSelection();
    /** Reads the runs folder again now. */
    void refresh();

    RunsModel* model() const { return m_model; }
    QTableView* view() const { return m_view; }
    QLineEdit* filter() const { return m_filter; }
    /** The config keys whose values differ between @p runs (rows: key, then a value per run). */
    static QVector<QStringList> configDifferences(const QStringList& runs, QString& error);
    /** Shows configDifferences of the selected runs in a dialog. */
    void showDifferences();
    /** The newest tau ood folder of each of @p runs (runs without one are left out). */
    static QStringList newestOodFolders(const QStringList& runs);
    /** The selected runs' newest OOD results as methods x sets, mean ± std over seeds, with LaTeX/CSV export. */
    void showResults();

Q_SIGNALS:
    /** The selection changed, or a selected run wrote new records. */
    void selectionShouldShow();
    void analyseRequested(const QString& runDirectory);

private:
    QWidget* buildToolbar();
    void chooseColumns();

    RunsModel* m_model;
    QSortFilterProxyModel* m_sorted;
    QTableView* m_view;
    QLineEdit* m_filter = nullptr;
};

} // namespace tau::app
