#pragma once

#include "core/runs/run_index.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QTimer>

#include <map>

namespace tau::app {

/**
 * The runs under a runs folder (sub-folders too), one row each: the settings of its config, its results where
 * evaluated, its tags and note (editable, kept in the run's notes.json) and its state. It rescans every two
 * seconds, so a run started from the CLI appears and its row updates while it trains. Qt::UserRole gives the
 * value to sort by (numbers as numbers).
 */
class RunsModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column
    {
        Name,
        Method,
        Dataset,
        Encoder,
        BatchSize,
        LearningRate,
        Temperature,
        Seed,
        TrainSubset,
        Epochs,
        LastLoss,
        KnnTop1,
        LinearTop1,
        MeanAuroc,
        Tags,
        Note,
        State,
        ColumnCount
    };

    explicit RunsModel(QObject* parent = nullptr);

    void setRunsRoot(const QString& root);
    QString runsRoot() const { return m_root; }
    QString runDirectory(int row) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    /** Tags ("a, b") and Note are edited in place and written to the run's notes.json. */
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;

    /** The columns a new view shows; the others are one click away in the column chooser. */
    static bool shownByDefault(int column);

Q_SIGNALS:
    /** Writing notes.json failed: what went wrong, naming the file. */
    void notesNotSaved(const QString& message);

public:

public Q_SLOTS:
    /** Rescans the folder: rows are inserted, updated and removed in place, so selections survive. */
    void refresh();

Q_SIGNALS:
    /** A run's metrics changed (it is training): views of it should reload. */
    void runUpdated(const QString& directory);

private:
    /** The summary of @p directory, re-read only when its metrics file changed or the run is live. */
    core::RunSummary summaryOf(const std::string& directory);

    QString m_root;
    std::vector<core::RunSummary> m_runs;
    struct Cached
    {
        qint64 size = -1;
        QDateTime modified;
        QDateTime evaluated; ///< RUN/eval, which a new evaluation changes
        QDateTime noted;     ///< RUN/notes.json
        core::RunSummary summary;
    };
    std::map<std::string, Cached> m_cache; ///< the rescan runs on the GUI thread: skip unchanged runs
    QTimer m_poll;
};

} // namespace tau::app
