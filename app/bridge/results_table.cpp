#include "app/bridge/results_table.h"

namespace tau::app {

namespace {

std::vector<std::string> toStd(const QStringList& items)
{
    std::vector<std::string> converted;
    for (const QString& item : items) {
        converted.push_back(item.toStdString());
    }
    return converted;
}

QStringList toQt(const std::vector<std::string>& items)
{
    QStringList converted;
    for (const std::string& item : items) {
        converted.append(QString::fromStdString(item));
    }
    return converted;
}

QMap<QString, QVector<double>> toQt(const std::map<std::string, std::vector<double>>& values)
{
    QMap<QString, QVector<double>> converted;
    for (const auto& [key, list] : values) {
        converted.insert(QString::fromStdString(key), QVector<double>(list.begin(), list.end()));
    }
    return converted;
}

std::map<std::string, std::vector<double>> toStd(const QMap<QString, QVector<double>>& values)
{
    std::map<std::string, std::vector<double>> converted;
    for (auto it = values.begin(); it != values.end(); ++it) {
        converted[it.key().toStdString()] = std::vector<double>(it.value().begin(), it.value().end());
    }
    return converted;
}

/** What grouping reads of an evaluation: its folder, ID set and each score's AUROC and FPR@95 per OOD set. */
core::EvaluationFolderData coreEvaluationOf(const EvaluationFolder& evaluation)
{
    core::EvaluationFolderData data;
    data.folder = evaluation.folder.toStdString();
    data.inDataset = evaluation.inDataset.toStdString();
    data.oodSets = toStd(evaluation.oodSets);
    for (const widgets::MetricRow& row : evaluation.rows) {
        core::ScoreMetricsRecord& record = data.results[row.oodSet.toStdString()][row.score.toStdString()];
        record.metrics.auroc = row.auroc.value;
        record.metrics.fpr95 = row.fpr95.value;
    }
    return data;
}

core::ResultRow toCore(const ResultRow& row)
{
    return {row.method.toStdString(), row.score.toStdString(), toStd(row.runs), toStd(row.auroc), toStd(row.fpr95),
            std::vector<double>(row.linearTop1.begin(), row.linearTop1.end())};
}

std::vector<core::ResultRow> toCore(const QVector<ResultRow>& rows)
{
    std::vector<core::ResultRow> converted;
    for (const ResultRow& row : rows) {
        converted.push_back(toCore(row));
    }
    return converted;
}

} // namespace

QVector<ResultRow> groupResults(const QVector<EvaluationFolder>& evaluations)
{
    std::vector<core::EvaluationFolderData> data;
    for (const EvaluationFolder& evaluation : evaluations) {
        data.push_back(coreEvaluationOf(evaluation));
    }
    QVector<ResultRow> rows;
    for (const core::ResultRow& row : core::groupResults(data)) {
        rows.append({QString::fromStdString(row.method), QString::fromStdString(row.score), toQt(row.runs),
                     toQt(row.auroc), toQt(row.fpr95), QVector<double>(row.linearTop1.begin(), row.linearTop1.end())});
    }
    return rows;
}

QString meanAndSpread(const QVector<double>& values, bool latex)
{
    return QString::fromStdString(core::meanAndSpread(std::vector<double>(values.begin(), values.end()), latex));
}

QStringList resultSets(const QVector<ResultRow>& rows)
{
    return toQt(core::resultSets(toCore(rows)));
}

QStringList defaultNearSets(const QStringList& sets, const QString& inDataset)
{
    return toQt(core::defaultNearSets(toStd(sets), inDataset.toStdString()));
}

QString resultsTableText(const QVector<ResultRow>& rows, TableFormat format, const QString& inDataset,
                         const QStringList& sets, const QStringList& nearSets)
{
    return QString::fromStdString(
        core::resultsTableText(toCore(rows), format, inDataset.toStdString(), toStd(sets), toStd(nearSets)));
}

TableFormat tableFormatOf(const QString& path)
{
    return core::tableFormatOf(path.toStdString());
}

} // namespace tau::app
