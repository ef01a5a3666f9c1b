#pragma once

#include <cstdint>
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

/** AUROC with ties counted half (midranks): equal to scikit-learn's roc_auc_score. */
double areaUnderRoc(const std::vector<double>& idScores, const std::vector<double>& oodScores);

RocCurve rocCurve(const std::vector<double>& idScores, const std::vector<double>& oodScores);

/** Average precision of @p positives against @p negatives (scikit-learn's average_precision_score). */
double averagePrecision(const std::vector<double>& positives, const std::vector<double>& negatives);

/** False-positive rate at the first threshold (from the top) whose true-positive rate reaches @p tpr. */
double fprAtTpr(const std::vector<double>& positives, const std::vector<double>& negatives, double tpr);

OodMetrics computeOodMetrics(const std::vector<double>& idScores, const std::vector<double>& oodScores);

/** 95% intervals from @p samples resamplings of both sets with replacement, seeded. */
OodMetricIntervals bootstrapIntervals(const std::vector<double>& idScores, const std::vector<double>& oodScores,
                                      int samples, uint64_t seed);

} // namespace tau::core
