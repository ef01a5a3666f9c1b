#pragma once

// What `tau ood` writes (RUN_DIR/eval/<name>/, read by core/io/evaluation_files) as the OOD view, `tau export` and
// `tau report` show it: widget types only, no LibTorch.

#include "core/io/evaluation_files.h"
#include "widgets/plots/roc_plot.h"
#include "widgets/plots/score_histogram_plot.h"
#include "widgets/tables/metrics_table_model.h"

#include <QMap>
#include <QString>
#include <QStringList>
#include <QVector>

namespace tau::app {

/** One evaluation folder: its metrics, ROC curves and per-image scores. */
struct EvaluationFolder
{
    QString folder;
    QString runName;   ///< the run directory's name, to tell runs apart when comparing
    QString inDataset;
    QStringList scores;
    QStringList oodSets;
    QVector<widgets::MetricRow> rows;
    QMap<QString, QMap<QString, widgets::RocSeries>> roc;  ///< [ood set][score]
    QMap<QString, QMap<QString, QVector<double>>> values; ///< [set][score], the ID set included
    QStringList warnings;
    /** How the numbers were made, for people ("2,000 ID images (MNIST), 2,000 per OOD set (limit 2,000), seed
     *  1337; kNN: k = 10, mean distance to 60,000 ID training images"); empty for an older folder. */
    QString protocol;
};

/**
 * Reads metrics.json, every roc_<ood>_<score>.csv and (when @p withScores) scores.csv of @p folder.
 * @return an empty string, or what is missing or malformed, naming the file.
 */
QString readEvaluationFolder(const QString& folder, EvaluationFolder& result, bool withScores = true);

/** An evaluation's protocol as one line for people (EvaluationFolder::protocol). */
QString protocolText(const core::EvaluationProtocol& protocol, const QString& inDataset);

/** A score's title from the catalogue ("TaU c" for tau); an unknown name as it is. */
QString scoreTitle(const QString& score);

/** A dataset's title from the registry ("Gaussian noise"); an unknown name with spaces for underscores. */
QString datasetTitle(const QString& dataset);

/** A score's figure style, fixed by its catalogue row: the same in every figure. */
widgets::SeriesStyle scoreStyle(const QString& score);

/** The style of run @p run (its position among the runs shown); with @p score, that score's dash on it. */
widgets::SeriesStyle runStyle(int run, const QString& score = {});

/**
 * ROC panels for several evaluations side by side: a panel per OOD set, a curve per score, named
 * "run · score" when more than one run is shown.
 */
QVector<widgets::RocPanel> rocPanelsOf(const QVector<EvaluationFolder>& evaluations);

/** Scores of one score function per set, the ID set first, for the histograms (the first evaluation's). */
QVector<widgets::ScoreSample> scoreSamplesOf(const EvaluationFolder& evaluation, const QString& score);

/** The curves of @p panels as CSV: ood,series,fpr,tpr. */
QString rocCurvesCsv(const QVector<widgets::RocPanel>& panels);

/** The metrics as a booktabs LaTeX tabular (@p latex) or CSV; intervals where they were computed. */
QString metricsTableText(const QVector<widgets::MetricRow>& rows, bool latex, const QString& inDataset);

} // namespace tau::app
