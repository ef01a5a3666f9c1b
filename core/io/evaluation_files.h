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

/** The detection metrics of the README's "OOD detection" for one score on one ID/OOD pair (higher score = more ID). */
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

/** How an evaluation was made: what a reader needs to compare its numbers with another's, or to redo them. */
struct EvaluationProtocol
{
    bool recorded = false;                 ///< false: a metrics.json from before protocols were written
    std::map<std::string, int64_t> images; ///< images scored per set, the ID set included
    int64_t limit = 0;                     ///< at most this many images per set; 0: all
    uint64_t seed = 0;                     ///< chose the limited images, the noise sets and the bootstrap
    int bootstrap = 0;                     ///< resamplings of the 95% intervals; 0: none
    /** Reference scores (kNN, Mahalanobis, ...): where kNN's neighbours come from (class means: the training set). */
    bool hasReference = false;
    std::string reference;        ///< "train" (the ID training set) or "test" (the ID test set, each query left out)
    int64_t referenceImages = 0;  ///< how many reference images there were
    int knnK = 0;
    std::string knnAggregate;     ///< mean or max distance to the k nearest
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
    EvaluationProtocol protocol;
};

/** Writes metrics.json, scores.csv and every roc_<ood>_<score>.csv of @p data into data.folder (made if needed). */
void writeEvaluationFolder(const EvaluationFolderData& data);

/**
 * Reads an evaluation folder back: metrics.json, every ROC file it names and, with @p withScores, scores.csv.
 * @throws DataError naming the missing or malformed file and what was expected in it.
 */
EvaluationFolderData readEvaluationFolder(const std::string& folder, bool withScores = true);

/** One embedded image of embedding.csv (tau embed): its index in the set, label, c and 2-D coordinates. */
struct EmbeddedPoint
{
    int64_t index = 0;
    int64_t label = -1;
    std::optional<double> certainty; ///< empty for a run without a temperature
    double pcaX = 0, pcaY = 0;
    std::optional<double> tsneX, tsneY; ///< when t-SNE was computed
};

/** Writes @p folder/embedding.csv: index,label,c,pca_x,pca_y[,tsne_x,tsne_y] (t-SNE columns when the points have them). */
void writeEmbeddingTable(const std::string& folder, const std::vector<EmbeddedPoint>& points);

/** Reads @p folder/embedding.csv back. @throws DataError naming the file and what is wrong. */
std::vector<EmbeddedPoint> readEmbeddingTable(const std::string& folder);

/** The metrics.json of tau knn or tau linear-eval. */
struct AccuracyRecord
{
    bool linear = false; ///< linear evaluation (linear_top1), else weighted kNN (knn_top1)
    std::string dataset;
    double top1 = 0;
    std::vector<double> history;              ///< linear evaluation: the test accuracy after every epoch
    std::map<std::string, double> settings;   ///< k and temperature, or epochs and learning_rate
    std::string features;                     ///< which features were evaluated
    std::string protocol;                     ///< linear evaluation: "ours" or "original" (LinearProtocol)
    long long trainImages = 0, testImages = 0;
};

/** Writes @p folder/metrics.json of an accuracy evaluation (made if needed). */
void writeAccuracyMetrics(const std::string& folder, const AccuracyRecord& record);

/**
 * What kind of results an eval folder holds (by its metrics.json), the accuracies of tau knn / linear-eval, and the
 * headline of a tau ood folder: without reading its ROC and score files.
 */
struct EvaluationSummary
{
    bool present = false;       ///< metrics.json exists and is a JSON object
    bool oodDetection = false;  ///< written by tau ood (a "results" object): readEvaluationFolder reads it
    std::optional<double> linearTop1; ///< tau linear-eval
    std::optional<double> knnTop1;    ///< tau knn
    std::vector<std::string> scores;  ///< tau ood: its scores, in readEvaluationFolder's order
    std::optional<double> meanAuroc;  ///< tau ood: the AUROC of the first score, averaged over the sets that have it
    int aurocSets = 0;                ///< how many OOD sets meanAuroc averages
};

/** A look at @p folder's metrics.json; a missing or unreadable one is not present. */
EvaluationSummary summarizeEvaluationFolder(const std::string& folder);

/** The name of a ROC file in an evaluation folder. */
std::string rocFileName(const std::string& oodSet, const std::string& score);

} // namespace tau::core
