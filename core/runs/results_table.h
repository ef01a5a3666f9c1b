#pragma once

// Results across runs, as plain text: the OOD metrics of several runs' eval folders grouped into methods (runs
// whose configs differ only in their seed are one method), mean ± std over each group, and one evaluation's
// metrics with their intervals. Torch-free and Qt-free: tau export table writes them on a headless build, and the
// explorer's Results dialog and OOD tab show the same rows (app/bridge/results_table.h converts them for Qt).

#include "core/io/evaluation_files.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tau::core {

/** One row of the results table: a method (a group of runs alike but for the seed) and one of its scores. */
struct ResultRow
{
    std::string method;            ///< the system's title, and what tells it from other groups of that system
    std::string score;
    std::vector<std::string> runs; ///< the runs of the group, in the order given
    std::map<std::string, std::vector<double>> auroc; ///< [OOD set] one value per run that has it
    std::map<std::string, std::vector<double>> fpr95;
    std::vector<double> linearTop1; ///< the newest tau linear-eval of each run that has one (the encoder's accuracy)
};

enum class TableFormat
{
    Csv,
    Latex,
    Markdown
};

/**
 * Groups @p evaluations (each one run's eval folder, as readEvaluationFolder read it): runs whose config.yaml
 * agree on everything but seed, exp_name and runs_dir form one method; a folder whose run has no readable config
 * stands alone. Each method's rows follow the score catalogue's order.
 */
std::vector<ResultRow> groupResults(const std::vector<EvaluationFolderData>& evaluations);

/** "0.767 ± 0.076" (mean ± sample std; one value alone; "–" for none), in LaTeX with $\pm$ and "--". */
std::string meanAndSpread(const std::vector<double>& values, bool latex = false);

/** The OOD sets of @p rows, in alphabetical order (as metrics.json keeps them). */
std::vector<std::string> resultSets(const std::vector<ResultRow>& rows);

/**
 * The near-OOD sets among @p sets: those that are classes of the ID dataset held out of training (its name, '@'
 * and classes: fashion_mnist@8+9 for an ID set fashion_mnist@0+...+7 or fashion_mnist). The others are far-OOD.
 */
std::vector<std::string> defaultNearSets(const std::vector<std::string>& sets, const std::string& inDataset);

/**
 * The table as LaTeX or Markdown (an AUROC and an FPR@95 table, methods x sets, mean ± std, with the number of
 * runs, the mean over the sets, the near-OOD and far-OOD means when @p nearSets splits the sets shown, each
 * score's cost per image at inference (methods/score_catalog.h) and the linear top-1 where measured) or CSV (one
 * line per method, score and set: n, auroc_mean, auroc_std, fpr95_mean, fpr95_std, linear_top1_mean,
 * linear_top1_std; std empty for one run). FPR@95: the share of OOD images accepted at the threshold that keeps
 * 95% of the ID set (ID positive).
 * @param sets the OOD sets, in this order (empty: every set of the rows, alphabetically)
 */
std::string resultsTableText(const std::vector<ResultRow>& rows, TableFormat format, const std::string& inDataset,
                             const std::vector<std::string>& sets = {}, const std::vector<std::string>& nearSets = {});

/** The format an output file's extension names (.tex, .md, else CSV). */
TableFormat tableFormatOf(const std::string& path);

/** @p text with LaTeX's special characters of dataset and score names (_ and &) escaped. */
std::string latexEscaped(std::string text);

/** A metric of one evaluation with its bootstrap interval where there is one. */
struct MetricWithInterval
{
    double value = 0;
    std::optional<Interval> interval;
};

/** One line of an evaluation's metrics table: a run's score against one OOD set. */
struct MetricsTableRow
{
    std::string run;
    std::string oodSet;
    std::string score;
    MetricWithInterval auroc, fpr95, auprIn, auprOut;
};

/** The lines of @p evaluation (of run @p run), OOD set by OOD set, each set's scores alphabetically. */
std::vector<MetricsTableRow> metricsTableRows(const EvaluationFolderData& evaluation, const std::string& run);

/**
 * The metrics as a LaTeX tabular (values to 3 decimals, intervals in brackets, a Run column when the rows come from
 * several runs) or as CSV (run, ood, score, then each metric with its _low and _high bounds, empty without).
 */
std::string metricsTableText(const std::vector<MetricsTableRow>& rows, bool latex, const std::string& inDataset);

/** What tau export table is asked for. */
struct ResultsTableRequest
{
    std::vector<std::string> evalFolders; ///< one or more RUN/eval/<name> folders of tau ood
    std::string output;                   ///< its extension picks the format (.tex, .md, .csv)
    std::vector<std::string> sets;        ///< the OOD sets to show, in this order (empty: every set)
    std::optional<std::vector<std::string>> nearSets; ///< the near-OOD sets (none: defaultNearSets)
};

/**
 * Writes the table @p request asks for: one folder (no --sets, not Markdown) as its metrics table, else the
 * results across runs.
 * @throws TauError naming the folder or option at fault (folders of different ID sets, an unknown OOD set) or the
 *         file that could not be written
 */
void writeResultsTable(const ResultsTableRequest& request);

} // namespace tau::core
