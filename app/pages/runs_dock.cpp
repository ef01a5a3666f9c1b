#include "app/pages/runs_dock.h"

#include "app/bridge/results_table.h"
#include "app/models/runs_model.h"
#include "app/pages/results_dialog.h"

#include "core/common/error.h"
#include "core/config/config_loader.h"
#include "core/io/run_directory.h"
#include "core/runs/run_index.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QPushButton>
#include <QSaveFile>
#include <QDir>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

namespace tau::app {

RunsDock::RunsDock(QWidget* parent)
    : QDockWidget(tr("Runs"), parent)
    , m_model(new RunsModel(this))
    , m_sorted(new QSortFilterProxyModel(this))
    , m_view(new QTableView)
{
    setObjectName(QStringLiteral("runsDock"));
    m_sorted->setSourceModel(m_model);
    m_sorted->setSortRole(Qt::UserRole); // numbers sort as numbers
    m_sorted->setFilterKeyColumn(-1);    // the filter matches any column: name, method, tag, note...
    m_sorted->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_view->setObjectName(QStringLiteral("runsView"));
    m_view->setModel(m_sorted);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(RunsModel::Name, Qt::AscendingOrder);
    m_view->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed);
    for (int column = 0; column < RunsModel::ColumnCount; ++column) {
        m_view->setColumnHidden(column, !RunsModel::shownByDefault(column));
    }
    m_view->horizontalHeader()->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_view->horizontalHeader(), &QHeaderView::customContextMenuRequested, this, [this] { chooseColumns(); });
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents); // many columns: each as wide as it needs
    m_view->horizontalHeader()->setSectionResizeMode(RunsModel::Note, QHeaderView::Interactive);
    m_view->horizontalHeader()->resizeSection(RunsModel::Note, 160);
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6); // compact rows
    m_view->setToolTip(tr("Select a run to see its curves; select several to compare their losses; double-click "
                          "one to analyse it (or its Tags or Note to edit them); click a header to sort"));
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &RunsDock::selectionShouldShow);
    connect(m_model, &RunsModel::runUpdated, this, [this](const QString& directory) {
        if (selectedRuns().contains(directory)) {
            Q_EMIT selectionShouldShow();
        }
    });
    connect(m_view, &QTableView::doubleClicked, this, [this](const QModelIndex& index) {
        if (index.column() != RunsModel::Tags && index.column() != RunsModel::Note) {
            Q_EMIT analyseRequested(m_model->runDirectory(m_sorted->mapToSource(index).row()));
        }
    });
    connect(m_model, &RunsModel::notesNotSaved, this,
            [this](const QString& message) { QMessageBox::warning(this, tr("Notes not saved"), message); });
    auto* content = new QWidget;
    auto* layout = new QVBoxLayout(content);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(buildToolbar());
    layout->addWidget(m_view, 1);
    setWidget(content);
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
        directories << m_model->runDirectory(m_sorted->mapToSource(row).row());
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

QWidget* RunsDock::buildToolbar()
{
    auto* bar = new QWidget;
    auto* layout = new QHBoxLayout(bar);
    layout->setContentsMargins(2, 2, 2, 0);
    m_filter = new QLineEdit;
    m_filter->setObjectName(QStringLiteral("runsFilter"));
    m_filter->setPlaceholderText(tr("Filter runs (name, method, dataset, tag, note...)"));
    m_filter->setClearButtonEnabled(true);
    connect(m_filter, &QLineEdit::textChanged, m_sorted, &QSortFilterProxyModel::setFilterFixedString);
    auto* columns = new QToolButton;
    columns->setObjectName(QStringLiteral("runsColumns"));
    columns->setText(tr("Columns"));
    columns->setToolTip(tr("Choose the columns shown (also by right-clicking the header)"));
    connect(columns, &QToolButton::clicked, this, [this] { chooseColumns(); });
    auto* diff = new QToolButton;
    diff->setObjectName(QStringLiteral("runsDiff"));
    diff->setText(tr("Diff"));
    diff->setToolTip(tr("The config keys in which the selected runs differ"));
    connect(diff, &QToolButton::clicked, this, &RunsDock::showDifferences);
    auto* results = new QToolButton;
    results->setObjectName(QStringLiteral("runsResults"));
    results->setText(tr("Results"));
    results->setToolTip(tr("The selected runs' OOD results as methods x sets, mean ± std over seeds"));
    connect(results, &QToolButton::clicked, this, &RunsDock::showResults);
    layout->addWidget(m_filter, 1);
    layout->addWidget(columns);
    layout->addWidget(diff);
    layout->addWidget(results);
    return bar;
}

void RunsDock::chooseColumns()
{
    QMenu menu;
    for (int column = 0; column < RunsModel::ColumnCount; ++column) {
        QAction* action = menu.addAction(m_model->headerData(column, Qt::Horizontal).toString());
        action->setCheckable(true);
        action->setChecked(!m_view->isColumnHidden(column));
        action->setEnabled(column != RunsModel::Name); // a row needs its name
        connect(action, &QAction::toggled, this, [this, column](bool shown) { m_view->setColumnHidden(column, !shown); });
    }
    menu.exec(QCursor::pos());
}

QVector<QStringList> RunsDock::configDifferences(const QStringList& runs, QString& error)
{
    std::vector<core::ExperimentConfig> configs;
    for (const QString& run : runs) {
        try {
            configs.push_back(core::loadConfigFile(core::RunPaths{run.toStdString()}.config()));
        } catch (const core::TauError& failure) {
            error = QString::fromStdString(failure.what());
            return {};
        }
    }
    QVector<QStringList> rows;
    for (const auto& [key, values] : core::differingConfigKeys(configs)) {
        if (key == "exp_name") {
            continue; // every run has its own name: not a setting
        }
        QStringList row{QString::fromStdString(key)};
        for (const std::string& value : values) {
            row << QString::fromStdString(value);
        }
        rows << row;
    }
    return rows;
}

void RunsDock::showDifferences()
{
    const QStringList runs = selectedRuns();
    if (runs.size() < 2) {
        QMessageBox::information(this, tr("Diff"), tr("Select two or more runs to compare their configs."));
        return;
    }
    QString error;
    const QVector<QStringList> rows = configDifferences(runs, error);
    if (!error.isEmpty()) {
        QMessageBox::warning(this, tr("Diff"), error);
        return;
    }
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Config keys that differ"));
    auto* table = new QTableWidget(int(rows.size()), int(runs.size()) + 1);
    table->setObjectName(QStringLiteral("diffTable"));
    QStringList headers{tr("key")};
    for (const QString& run : runs) {
        headers << QDir(run).dirName();
    }
    table->setHorizontalHeaderLabels(headers);
    for (int row = 0; row < rows.size(); ++row) {
        for (int column = 0; column < rows[row].size(); ++column) {
            table->setItem(row, column, new QTableWidgetItem(rows[row][column]));
        }
    }
    table->resizeColumnsToContents();
    table->verticalHeader()->hide();
    auto* layout = new QVBoxLayout(&dialog);
    if (rows.isEmpty()) {
        layout->addWidget(new QLabel(tr("The selected runs' configs agree on every key but their names.")));
    }
    layout->addWidget(table);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    layout->addWidget(buttons);
    dialog.resize(720, 360);
    dialog.exec();
}

QStringList RunsDock::newestOodFolders(const QStringList& runs)
{
    QStringList folders;
    for (const QString& run : runs) {
        const std::string newest = core::newestEvaluations(run.toStdString()).oodFolder;
        if (!newest.empty()) {
            folders << QString::fromStdString(newest);
        }
    }
    return folders;
}

void RunsDock::showResults()
{
    const QStringList folders = newestOodFolders(selectedRuns());
    if (folders.isEmpty()) {
        QMessageBox::information(this, tr("Results"), tr("Select runs evaluated by tau ood (or Analyse → OOD)."));
        return;
    }
    QVector<EvaluationFolder> evaluations;
    for (const QString& folder : folders) {
        EvaluationFolder evaluation;
        if (const QString error = readEvaluationFolder(folder, evaluation, /*withScores=*/false); !error.isEmpty()) {
            QMessageBox::warning(this, tr("Results"), error);
            return;
        }
        evaluations.append(evaluation);
    }
    ResultsDialog dialog(groupResults(evaluations), evaluations.front().inDataset, this);
    dialog.exec();
}

} // namespace tau::app
