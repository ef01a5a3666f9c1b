#pragma once

#include <QAbstractTableModel>
#include <QVector>

#include <optional>

namespace tau::widgets {

/** A metric with its bootstrap interval when one was computed. */
struct MetricValue
{
    double value = 0;
    std::optional<QPair<double, double>> interval;
};

/** One score of one run on one OOD set. */
struct MetricRow
{
    QString run;
    QString oodSet;
    QString score;
    MetricValue auroc;
    MetricValue fpr95;
    MetricValue auprIn;
    MetricValue auprOut;
};

/**
 * The OOD metrics as a table (run, OOD set, score, AUROC, FPR@95, AUPR-In, AUPR-Out), intervals shown next to
 * the values. Qt::UserRole gives the plain number, so a QSortFilterProxyModel with that sort role sorts by value.
 */
class MetricsTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column
    {
        Run,
        OodSet,
        Score,
        Auroc,
        Fpr95,
        AuprIn,
        AuprOut,
        ColumnCount
    };

    explicit MetricsTableModel(QObject* parent = nullptr);

    void setRows(const QVector<MetricRow>& rows);
    const QVector<MetricRow>& rows() const { return m_rows; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QVector<MetricRow> m_rows;
};

} // namespace tau::widgets
