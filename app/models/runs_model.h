#pragma once

#include "core/io/metrics_reader.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QTimer>

#include <map>

namespace tau::app {

/**
 * The runs under a runs folder, one row each: name, method, dataset, epochs done, last loss, state. It
 * rescans every two seconds, so a run started from the CLI appears and its row updates while it trains.
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
        Epochs,
        LastLoss,
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
        core::RunSummary summary;
    };
    std::map<std::string, Cached> m_cache; ///< the rescan runs on the GUI thread: skip unchanged runs
    QTimer m_poll;
};

} // namespace tau::app
