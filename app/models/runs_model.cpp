#include "app/models/runs_model.h"

#include "core/common/error.h"
#include "core/io/run_directory.h"
#include "core/methods/score_catalog.h"
#include "core/io/run_notes.h"

#include <QColor>
#include <QFileInfo>

#include <cmath>
#include <filesystem>
#include <limits>

namespace tau::app {

namespace {
constexpr int kPollMs = 2000;

bool sameSummary(const core::RunSummary& a, const core::RunSummary& b)
{
    return a.state == b.state && a.epochsDone == b.epochsDone && a.lastLoss == b.lastLoss && a.system == b.system &&
           a.knnTop1 == b.knnTop1 && a.linearTop1 == b.linearTop1 && a.meanAuroc == b.meanAuroc && a.tags == b.tags &&
           a.note == b.note;
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
    const QString root = QString::fromStdString(directory);
    const QDateTime evaluated = QFileInfo(root + QStringLiteral("/eval")).lastModified();
    const QDateTime noted = QFileInfo(root + QStringLiteral("/notes.json")).lastModified();
    if (cached.size != metrics.size() || cached.modified != metrics.lastModified() || cached.summary.state == "running" ||
        cached.evaluated != evaluated || cached.noted != noted || cached.summary.directory.empty()) {
        cached.size = metrics.size();
        cached.modified = metrics.lastModified();
        cached.evaluated = evaluated;
        cached.noted = noted;
        cached.summary = core::summarizeRun(directory);
        // Named by its path under the runs folder: runs/study/tau_s1 shows as study/tau_s1.
        cached.summary.name = std::filesystem::path(directory).lexically_relative(m_root.toStdString()).string();
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

namespace {

QString optionalNumber(const std::optional<double>& value)
{
    return value ? QString::number(*value, 'f', 3) : QString();
}

QVariant sortKey(const core::RunSummary& run, int column)
{
    switch (column) {
    case RunsModel::BatchSize: return run.batchSize;
    case RunsModel::LearningRate: return run.learningRate;
    case RunsModel::Temperature: return run.temperature;
    case RunsModel::Seed: return run.seed;
    case RunsModel::TrainSubset: return run.trainSubset;
    case RunsModel::Epochs: return run.epochsDone;
    case RunsModel::LastLoss: return std::isfinite(run.lastLoss) ? run.lastLoss : std::numeric_limits<double>::max();
    case RunsModel::KnnTop1: return run.knnTop1.value_or(-1.0); // not evaluated: below every result
    case RunsModel::LinearTop1: return run.linearTop1.value_or(-1.0);
    case RunsModel::MeanAuroc: return run.meanAuroc.value_or(-1.0);
    default: return {};
    }
}

} // namespace

bool RunsModel::shownByDefault(int column)
{
    return column != Encoder && column != Temperature && column != TrainSubset && column != LinearTop1;
}

Qt::ItemFlags RunsModel::flags(const QModelIndex& index) const
{
    const Qt::ItemFlags base = QAbstractTableModel::flags(index);
    return index.column() == Tags || index.column() == Note ? base | Qt::ItemIsEditable : base;
}

bool RunsModel::setData(const QModelIndex& index, const QVariant& value, int role)
{
    if (role != Qt::EditRole || !index.isValid() || index.row() >= int(m_runs.size()) ||
        (index.column() != Tags && index.column() != Note)) {
        return false;
    }
    core::RunSummary& run = m_runs[size_t(index.row())];
    core::RunNotes notes{run.tags, run.note};
    if (index.column() == Tags) {
        notes.tags = core::parseTags(value.toString().toStdString());
    } else {
        notes.note = value.toString().toStdString();
    }
    try {
        core::writeRunNotes(run.directory, notes);
    } catch (const core::TauError& error) {
        Q_EMIT notesNotSaved(QString::fromStdString(error.what()));
        return false;
    }
    run.tags = notes.tags;
    run.note = notes.note;
    m_cache.erase(run.directory); // the next scan reads the notes back
    Q_EMIT dataChanged(index, index);
    return true;
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
        case Encoder: return QString::fromStdString(run.encoder);
        case BatchSize: return run.batchSize;
        case LearningRate: return QString::number(run.learningRate, 'g', 4);
        case Temperature: return QString::number(run.temperature, 'g', 4);
        case Seed: return run.seed;
        case TrainSubset: return run.trainSubset > 0 ? QString::number(run.trainSubset) : tr("all");
        case Epochs: return QStringLiteral("%1/%2").arg(run.epochsDone).arg(run.totalEpochs);
        case LastLoss:
            if (!run.hasLoss) {
                return QString(); // nothing recorded yet: a 0.0000 would read as a loss
            }
            return std::isfinite(run.lastLoss) ? QString::number(run.lastLoss, 'f', 4) : QStringLiteral("NaN");
        case KnnTop1: return optionalNumber(run.knnTop1);
        case LinearTop1: return optionalNumber(run.linearTop1);
        case MeanAuroc:
            // Which score and how many sets: a mean over three far-OOD sets is not one over a near-OOD set.
            return run.meanAuroc ? QStringLiteral("%1 · %2, %3 %4")
                                       .arg(optionalNumber(run.meanAuroc),
                                            QString::fromStdString(core::scoreTitle(run.aurocScore)))
                                       .arg(run.aurocSets)
                                       .arg(run.aurocSets == 1 ? tr("set") : tr("sets"))
                                 : QString();
        case Tags: {
            QStringList tags;
            for (const std::string& tag : run.tags) {
                tags << QString::fromStdString(tag);
            }
            return tags.join(QStringLiteral(", "));
        }
        case Note: return QString::fromStdString(run.note);
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
    if (role == Qt::EditRole && (index.column() == Tags || index.column() == Note)) {
        return data(index, Qt::DisplayRole);
    }
    if (role == Qt::UserRole) {
        const QVariant key = sortKey(run, index.column());
        return key.isValid() ? key : data(index, Qt::DisplayRole);
    }
    if (role == Qt::ToolTipRole) {
        if (index.column() == MeanAuroc && run.meanAuroc) {
            return QString::fromStdString(run.aurocSource);
        }
        if (index.column() == State && !run.writer.empty()) {
            return tr("Being trained by %1: one writer at a time, so Train on it waits until that ends")
                .arg(QString::fromStdString(run.writer));
        }
        return QString::fromStdString(run.directory);
    }
    if (role == Qt::TextAlignmentRole && sortKey(run, index.column()).isValid()) {
        return int(Qt::AlignRight | Qt::AlignVCenter);
    }
    return {};
}

QVariant RunsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    static const char* const titles[] = {"Run",    "Method",    "Dataset", "Encoder", "Batch",  "LR",
                                         "t",      "Seed",      "Subset",  "Epochs",  "Last loss", "kNN top-1",
                                         "Linear top-1", "Mean AUROC", "Tags",  "Note",    "State"};
    static_assert(sizeof(titles) / sizeof(titles[0]) == ColumnCount, "a title per column");
    return section >= 0 && section < ColumnCount ? tr(titles[section]) : QVariant();
}

} // namespace tau::app
