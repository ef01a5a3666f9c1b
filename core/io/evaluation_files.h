#pragma once

// The files of an OOD evaluation folder (RUN_DIR/eval/<name>/: metrics.json, scores.csv, roc_<ood>_<score>.csv),
// written and read here only. Torch-free and Qt-free: the CLI, the GUI and `tau export` share it.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tau::core {

/** ROC points at every distinct threshold, ID as the positive class, thresholds decreasing. */
struct RocCurve
{
    std::vector<double> fpr;
    std::vector<double> tpr;
    std::vector<double> thresholds; ///< the first is +infinity (nothing accepted), as scikit-learn's
};

/** The detection metrics of METHOD.md §7 for one score on one ID/OOD pair (higher score = more ID). */
struct OodMetrics
{
    double auroc = 0;
    double fpr95 = 0;            ///< OOD accepted at the threshold keeping 95% of ID
    double fpr95OodPositive = 0; ///< OpenOOD's convention: ID rejected when 95% of OOD is detected
    double auprIn = 0;           ///< average precision, ID positive
    double auprOut = 0;          ///< average precision, OOD positive, scores negated
};

/** A 95% percentile interval from the bootstrap. */
struct Interval
{
    double low = 0, high = 0;
};

struct OodMetricIntervals
{
    Interval auroc, fpr95, fpr95OodPositive, auprIn, auprOut;
};

/** One score against one OOD set, as metrics.json holds it. */
struct ScoreMetricsRecord
{
    OodMetrics metrics;
    std::optional<OodMetricIntervals> intervals; ///< when the evaluation bootstrapped
    int resamples = 0;
};

/** The scores of every image of one evaluated set (a section of scores.csv). */
struct SetScores
{
    std::string name;
    std::vector<int64_t> labels; ///< -1 where a set has no labels
    std::map<std::string, std::vector<double>> values; ///< [score] one value per image
};

/** Everything an evaluation folder holds. */
struct EvaluationFolderData
{
    std::string folder;
    std::string inDataset;
    std::string checkpoint;
    std::vector<std::string> scores;  ///< in the order they were asked for
    std::vector<std::string> oodSets; ///< in metrics.json's (sorted) order
    std::map<std::string, std::map<std::string, ScoreMetricsRecord>> results; ///< [ood set][score]
    std::map<std::string, std::map<std::string, RocCurve>> roc;               ///< [ood set][score]
    std::vector<std::string> warnings;
    std::vector<SetScores> sets; ///< the ID set first; empty when read without scores
};

/** Writes metrics.json, scores.csv and every roc_<ood>_<score>.csv of @p data into data.folder (made if needed). */
void writeEvaluationFolder(const EvaluationFolderData& data);

/**
 * Reads an evaluation folder back: metrics.json, every ROC file it names and, with @p withScores, scores.csv.
 * @throws DataError naming the missing or malformed file and what was expected in it.
 */
EvaluationFolderData readEvaluationFolder(const std::string& folder, bool withScores = true);

/** What kind of results an eval folder holds (by its metrics.json), and the accuracies of tau knn / linear-eval. */
struct EvaluationSummary
{
    bool present = false;       ///< metrics.json exists and is a JSON object
    bool oodDetection = false;  ///< written by tau ood (it has "results"): readEvaluationFolder reads it
    std::optional<double> linearTop1; ///< tau linear-eval
    std::optional<double> knnTop1;    ///< tau knn
};

/** A look at @p folder's metrics.json; a missing or unreadable one is not present. */
EvaluationSummary summarizeEvaluationFolder(const std::string& folder);

/** The name of a ROC file in an evaluation folder. */
std::string rocFileName(const std::string& oodSet, const std::string& score);

} // namespace tau::core
