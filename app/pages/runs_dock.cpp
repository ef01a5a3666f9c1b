#include "app/pages/runs_dock.h"

#include "app/models/runs_model.h"

#include <QDir>
#include <QHeaderView>
#include <QTableView>

namespace tau::app {

RunsDock::RunsDock(QWidget* parent)
    : QDockWidget(tr("Runs"), parent)
    , m_model(new RunsModel(this))
    , m_view(new QTableView)
{
    setObjectName(QStringLiteral("runsDock"));
    m_view->setObjectName(QStringLiteral("runsView"));
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setSectionResizeMode(RunsModel::Name, QHeaderView::ResizeToContents);
    m_view->setToolTip(tr("Select a run to see its curves; select several to compare their losses; double-click "
                          "one to analyse it"));
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &RunsDock::selectionShouldShow);
    connect(m_model, &RunsModel::runUpdated, this, [this](const QString& directory) {
        if (selectedRuns().contains(directory)) {
            Q_EMIT selectionShouldShow();
        }
    });
    connect(m_view, &QTableView::doubleClicked, this,
            [this](const QModelIndex& index) { Q_EMIT analyseRequested(m_model->runDirectory(index.row())); });
    setWidget(m_view);
    m_model->setRunsRoot(QDir::current().absoluteFilePath(QStringLiteral("runs")));
}

void RunsDock::setRunsRoot(const QString& root)
{
    m_model->setRunsRoot(root);
}

QString RunsDock::runsRoot() const
{
    return m_model->runsRoot();
}

QStringList RunsDock::selectedRuns() const
{
    QStringList directories;
    for (const QModelIndex& row : m_view->selectionModel()->selectedRows()) {
        directories << m_model->runDirectory(row.row());
    }
    return directories;
}

void RunsDock::clearSelection()
{
    m_view->clearSelection();
}

void RunsDock::refresh()
{
    m_model->refresh();
}

} // namespace tau::app
