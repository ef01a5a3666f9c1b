#pragma once

// Results across runs for the explorer's Results dialog: core/runs/results_table.h's rows and text, in Qt's types.
// The grouping, the statistics and every table format live there, so tau export table writes them headless.

#include "app/bridge/evaluation_views.h"
#include "core/runs/results_table.h"

#include <QMap>
#include <QString>
#include <QStringList>
#include <QVector>

namespace tau::app {

/** core::ResultRow in Qt's types: a method (a group of runs alike but for the seed) and one of its scores. */
struct ResultRow
{
    QString method;    ///< the system's title, and what tells it from other groups of that system
    QString score;
    QStringList runs;  ///< the runs of the group, in the order given
    QMap<QString, QVector<double>> auroc; ///< [OOD set] one value per run that has it
    QMap<QString, QVector<double>> fpr95;
    QVector<double> linearTop1; ///< the newest tau linear-eval of each run that has one (the encoder's accuracy)
};

using TableFormat = core::TableFormat;

/** core::groupResults over @p evaluations: runs alike but for the seed form one method. */
QVector<ResultRow> groupResults(const QVector<EvaluationFolder>& evaluations);

/** core::meanAndSpread: "0.767 ± 0.076" (mean ± sample std; one value alone; "–" for none). */
QString meanAndSpread(const QVector<double>& values, bool latex = false);

/** The OOD sets of @p rows, in alphabetical order (as metrics.json keeps them). */
QStringList resultSets(const QVector<ResultRow>& rows);

/** core::defaultNearSets: the sets of held-out classes of the ID dataset (fashion_mnist@8+9). */
QStringList defaultNearSets(const QStringList& sets, const QString& inDataset);

/** core::resultsTableText: LaTeX, Markdown or CSV, of @p sets (empty: every set) with near/far means. */
QString resultsTableText(const QVector<ResultRow>& rows, TableFormat format, const QString& inDataset,
                         const QStringList& sets = {}, const QStringList& nearSets = {});

/** The format an output file's extension names (.tex, .md, else CSV). */
TableFormat tableFormatOf(const QString& path);

} // namespace tau::app
