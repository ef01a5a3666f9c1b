#pragma once

#include "core/io/evaluation_files.h"

#include <cstdint>
#include <vector>

namespace tau::core {

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
