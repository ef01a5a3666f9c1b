#pragma once

#include "app/bridge/results_table.h"

#include <QDialog>

class QListWidget;
class QTableWidget;

namespace tau::app {

/**
 * Results across runs: methods (runs alike but for the seed) x the OOD sets ticked on the left, AUROC and FPR@95
 * as mean ± sample std, the mean over the sets and the linear top-1 where measured; saved as LaTeX, Markdown or CSV
 * with tau export table's writer.
 */
class ResultsDialog : public QDialog
{
    Q_OBJECT

public:
    ResultsDialog(const QVector<ResultRow>& rows, const QString& inDataset, QWidget* parent = nullptr);

    /** The OOD sets ticked, in the list's order. */
    QStringList chosenSets() const;
    /** The table's text in @p format for the sets ticked (what Save writes). */
    QString tableText(TableFormat format) const;

private:
    void fillTable();
    void save();

    QVector<ResultRow> m_rows;
    QString m_inDataset;
    QListWidget* m_sets;
    QTableWidget* m_table;
};

} // namespace tau::app
