#pragma once

// Results across runs: eval folders of several runs grouped into methods (runs whose configs differ only in their
// seed are one method), each OOD metric as mean ± std over the group's runs.

#include "app/bridge/evaluation_views.h"

#include <QMap>
#include <QString>
#include <QStringList>
#include <QVector>

namespace tau::app {

/** One row of the results table: a method (a group of runs alike but for the seed) and one of its scores. */
struct ResultRow
{
    QString method;    ///< the system's title, and what tells it from other groups of that system
    QString score;
    QStringList runs;  ///< the runs of the group, in the order given
    QMap<QString, QVector<double>> auroc; ///< [OOD set] one value per run that has it
    QMap<QString, QVector<double>> fpr95;
    QVector<double> linearTop1; ///< the newest tau linear-eval of each run that has one (the encoder's accuracy)
};

enum class TableFormat
{
    Csv,
    Latex,
    Markdown
};

/**
 * Groups @p evaluations (each one run's eval folder): runs whose config.yaml agree on everything but seed,
 * exp_name and runs_dir form one method; a folder whose run has no readable config stands alone.
 */
QVector<ResultRow> groupResults(const QVector<EvaluationFolder>& evaluations);

/** "0.767 ± 0.076" (mean ± sample std; one value alone; "–" for none), in LaTeX with $\pm$ and "--". */
QString meanAndSpread(const QVector<double>& values, bool latex = false);

/** The OOD sets of @p rows, in alphabetical order (as metrics.json keeps them). */
QStringList resultSets(const QVector<ResultRow>& rows);

/**
 * The near-OOD sets among @p sets: those that are classes of the ID dataset held out of training (its name, '@'
 * and classes: fashion_mnist@8+9 for an ID set fashion_mnist@0+...+7 or fashion_mnist). The others are far-OOD.
 */
QStringList defaultNearSets(const QStringList& sets, const QString& inDataset);

/**
 * The table as LaTeX or Markdown (an AUROC and an FPR@95 table, methods x sets, mean ± std, with the number of
 * runs, the mean over the sets, the near-OOD and far-OOD means when @p nearSets splits the sets shown, each
 * score's cost per image at inference (core/methods/score_catalog.h) and the linear top-1 where measured) or CSV (one line per method, score and set: n,
 * auroc_mean, auroc_std, fpr95_mean, fpr95_std, linear_top1_mean, linear_top1_std; std empty for one run).
 * FPR@95: the share of OOD images accepted at the threshold that keeps 95% of the ID set (ID positive).
 * @param sets the OOD sets, in this order (empty: every set of the rows, alphabetically)
 */
QString resultsTableText(const QVector<ResultRow>& rows, TableFormat format, const QString& inDataset,
                         const QStringList& sets = {}, const QStringList& nearSets = {});

/** The format an output file's extension names (.tex, .md, else CSV). */
TableFormat tableFormatOf(const QString& path);

} // namespace tau::app
