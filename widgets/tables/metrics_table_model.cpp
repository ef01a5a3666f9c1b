#include "widgets/tables/metrics_table_model.h"

namespace tau::widgets {

namespace {

const MetricValue* metricOf(const MetricRow& row, int column)
{
    switch (column) {
    case MetricsTableModel::Auroc:
        return &row.auroc;
    case MetricsTableModel::Fpr95:
        return &row.fpr95;
    case MetricsTableModel::AuprIn:
        return &row.auprIn;
    case MetricsTableModel::AuprOut:
        return &row.auprOut;
    default:
        return nullptr;
    }
}

QString formatted(const MetricValue& metric)
{
    QString text = QString::number(metric.value, 'f', 4);
    if (metric.interval) {
        text += QStringLiteral(" [%1, %2]").arg(metric.interval->first, 0, 'f', 3).arg(metric.interval->second, 0, 'f', 3);
    }
    return text;
}

} // namespace

MetricsTableModel::MetricsTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void MetricsTableModel::setRows(const QVector<MetricRow>& rows)
{
    beginResetModel();
    m_rows = rows;
    endResetModel();
}

int MetricsTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int MetricsTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant MetricsTableModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) {
        return {};
    }
    const MetricRow& row = m_rows[index.row()];
    const MetricValue* metric = metricOf(row, index.column());
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Run:
            return row.run;
        case OodSet:
            return row.oodSet;
        case Score:
            return row.score;
        default:
            return formatted(*metric);
        }
    }
    if (role == Qt::UserRole) {
        if (metric != nullptr) {
            return metric->value;
        }
        return index.column() == Run ? row.run : (index.column() == OodSet ? row.oodSet : row.score);
    }
    if (role == Qt::TextAlignmentRole && metric != nullptr) {
        return int(Qt::AlignRight | Qt::AlignVCenter);
    }
    if (role == Qt::ToolTipRole && metric != nullptr && index.column() == Fpr95) {
        return tr("False-positive rate when 95% of in-distribution images are kept (lower is better)");
    }
    return {};
}

QVariant MetricsTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    static const char* const titles[] = {"Run", "OOD set", "Score", "AUROC ↑", "FPR@95 ↓", "AUPR-In ↑", "AUPR-Out ↑"};
    return section >= 0 && section < ColumnCount ? tr(titles[section]) : QVariant();
}

} // namespace tau::widgets
