#pragma once

#include <QDockWidget>
#include <QStringList>

class QTableView;

namespace tau::app {

class RunsModel;

/**
 * The Runs panel: every run under the runs folder, live (RunsModel rescans it). Selecting runs asks for their
 * curves; double-clicking one asks for it to be analysed.
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

Q_SIGNALS:
    /** The selection changed, or a selected run wrote new records. */
    void selectionShouldShow();
    void analyseRequested(const QString& runDirectory);

private:
    RunsModel* m_model;
    QTableView* m_view;
};

} // namespace tau::app
