#include "app/models/runs_model.h"

#include "core/io/run_directory.h"

#include <QColor>
#include <QFileInfo>

#include <cmath>

namespace tau::app {

namespace {
constexpr int kPollMs = 2000;

bool sameSummary(const core::RunSummary& a, const core::RunSummary& b)
{
    return a.state == b.state && a.epochsDone == b.epochsDone && a.lastLoss == b.lastLoss && a.system == b.system;
}
} // namespace

RunsModel::RunsModel(QObject* parent) : QAbstractTableModel(parent)
{
    m_poll.setInterval(kPollMs);
    connect(&m_poll, &QTimer::timeout, this, &RunsModel::refresh);
}

core::RunSummary RunsModel::summaryOf(const std::string& directory)
{
    const QFileInfo metrics(QString::fromStdString(core::RunPaths{directory}.metrics()));
    Cached& cached = m_cache[directory];
    // A running run is re-read even when unchanged: it turns "incomplete" once it has been quiet a while.
    if (cached.size != metrics.size() || cached.modified != metrics.lastModified() || cached.summary.state == "running" ||
        cached.summary.directory.empty()) {
        cached.size = metrics.size();
        cached.modified = metrics.lastModified();
        cached.summary = core::summarizeRun(directory);
    }
    return cached.summary;
}

void RunsModel::setRunsRoot(const QString& root)
{
    beginResetModel();
    m_root = root;
    m_cache.clear();
    m_runs.clear();
    for (const std::string& directory : core::listRunDirectories(root.toStdString())) {
        m_runs.push_back(summaryOf(directory));
    }
    endResetModel();
    m_poll.start();
}

QString RunsModel::runDirectory(int row) const
{
    return row >= 0 && row < int(m_runs.size()) ? QString::fromStdString(m_runs[size_t(row)].directory) : QString();
}

void RunsModel::refresh()
{
    std::vector<core::RunSummary> fresh;
    for (const std::string& directory : core::listRunDirectories(m_root.toStdString())) {
        fresh.push_back(summaryOf(directory));
    }
    // Both lists are sorted by name: walk them together.
    size_t oldIndex = 0;
    for (const core::RunSummary& run : fresh) {
        while (oldIndex < m_runs.size() && m_runs[oldIndex].name < run.name) {
            beginRemoveRows({}, int(oldIndex), int(oldIndex));
            m_runs.erase(m_runs.begin() + long(oldIndex));
            endRemoveRows();
        }
        if (oldIndex < m_runs.size() && m_runs[oldIndex].name == run.name) {
            if (!sameSummary(m_runs[oldIndex], run)) {
                m_runs[oldIndex] = run;
                Q_EMIT dataChanged(index(int(oldIndex), 0), index(int(oldIndex), ColumnCount - 1));
                Q_EMIT runUpdated(QString::fromStdString(run.directory));
            }
        } else {
            beginInsertRows({}, int(oldIndex), int(oldIndex));
            m_runs.insert(m_runs.begin() + long(oldIndex), run);
            endInsertRows();
        }
        ++oldIndex;
    }
    if (oldIndex < m_runs.size()) {
        beginRemoveRows({}, int(oldIndex), int(m_runs.size()) - 1);
        m_runs.erase(m_runs.begin() + long(oldIndex), m_runs.end());
        endRemoveRows();
    }
}

int RunsModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_runs.size());
}

int RunsModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RunsModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= int(m_runs.size())) {
        return {};
    }
    const core::RunSummary& run = m_runs[size_t(index.row())];
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Name: return QString::fromStdString(run.name);
        case Method: return QString::fromStdString(run.system);
        case Dataset: return QString::fromStdString(run.dataset);
        case Epochs: return QStringLiteral("%1/%2").arg(run.epochsDone).arg(run.totalEpochs);
        case LastLoss: return std::isfinite(run.lastLoss) ? QString::number(run.lastLoss, 'f', 4) : QStringLiteral("NaN");
        case State: // a distributed run says by how many processes it was trained (rank 0 writes the folder)
            return run.worldSize > 1 ? tr("%1 · %2 processes").arg(QString::fromStdString(run.state)).arg(run.worldSize)
                                     : QString::fromStdString(run.state);
        default: return {};
        }
    }
    if (role == Qt::ForegroundRole && index.column() == State) {
        if (run.state == "running") {
            return QColor(31, 119, 180);
        }
        if (run.state == "failed") {
            return QColor(176, 0, 32);
        }
    }
    if (role == Qt::ToolTipRole) {
        return QString::fromStdString(run.directory);
    }
    if (role == Qt::TextAlignmentRole && (index.column() == Epochs || index.column() == LastLoss)) {
        return int(Qt::AlignRight | Qt::AlignVCenter);
    }
    return {};
}

QVariant RunsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    static const char* const titles[] = {"Run", "Method", "Dataset", "Epochs", "Last loss", "State"};
    return section >= 0 && section < ColumnCount ? tr(titles[section]) : QVariant();
}

} // namespace tau::app
