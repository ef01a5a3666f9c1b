#include "core/evaluation/ood_metrics.h"

#include "core/common/error.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

namespace tau::core {

namespace {

/** Scores with their class, sorted by decreasing score: the order a threshold sweeps them in. */
struct Labelled
{
    double score;
    bool positive;
};

std::vector<Labelled> sortedDescending(const std::vector<double>& positives, const std::vector<double>& negatives)
{
    std::vector<Labelled> all;
    all.reserve(positives.size() + negatives.size());
    // A NaN score ranks below every number, the least in-distribution: it counts as minus infinity.
    const auto ranked = [](double s) { return std::isnan(s) ? -std::numeric_limits<double>::infinity() : s; };
    for (const double s : positives) {
        all.push_back({ranked(s), true});
    }
    for (const double s : negatives) {
        all.push_back({ranked(s), false});
    }
    // A NaN score ranks below every number (the least in-distribution), and NaNs tie with each other: a strict
    // weak order, where `>` on NaN would make std::sort undefined.
    std::sort(all.begin(), all.end(), [](const Labelled& a, const Labelled& b) {
        return !std::isnan(a.score) && (std::isnan(b.score) || a.score > b.score);
    });
    return all;
}

void requireBoth(const std::vector<double>& positives, const std::vector<double>& negatives)
{
    if (positives.empty() || negatives.empty()) {
        throw TauError("OOD metrics need scores for both the in-distribution and the OOD set");
    }
}

/** (true positives, false positives) after each run of equal scores, from the highest score down. */
void sweep(const std::vector<Labelled>& sorted, std::vector<double>& truePositives, std::vector<double>& falsePositives,
           std::vector<double>& thresholds)
{
    double tp = 0, fp = 0;
    for (size_t i = 0; i < sorted.size(); ++i) {
        (sorted[i].positive ? tp : fp) += 1;
        const bool tiesNext = i + 1 < sorted.size() &&
                              (sorted[i + 1].score == sorted[i].score ||
                               (std::isnan(sorted[i + 1].score) && std::isnan(sorted[i].score)));
        if (!tiesNext) {
            truePositives.push_back(tp);
            falsePositives.push_back(fp);
            thresholds.push_back(sorted[i].score);
        }
    }
}

std::vector<double> negated(const std::vector<double>& values)
{
    std::vector<double> result(values.size());
    // NaN is minus infinity (see sortedDescending), so its negation is plus infinity.
    std::transform(values.begin(), values.end(), result.begin(),
                   [](double v) { return std::isnan(v) ? std::numeric_limits<double>::infinity() : -v; });
    return result;
}

Interval percentileInterval(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    const auto at = [&](double q) {
        const double position = q * double(values.size() - 1);
        const size_t lower = size_t(std::floor(position));
        const size_t upper = std::min(values.size() - 1, lower + 1);
        return values[lower] + (values[upper] - values[lower]) * (position - double(lower));
    };
    return {at(0.025), at(0.975)};
}

} // namespace

double areaUnderRoc(const std::vector<double>& idScores, const std::vector<double>& oodScores)
{
    requireBoth(idScores, oodScores);
    // Mann-Whitney U with midranks: ties between an ID and an OOD score count one half.
    std::vector<Labelled> all = sortedDescending(idScores, oodScores);
    std::reverse(all.begin(), all.end()); // ascending
    long double positiveRankSum = 0;
    size_t i = 0;
    while (i < all.size()) {
        size_t j = i;
        while (j + 1 < all.size() && all[j + 1].score == all[i].score) {
            ++j;
        }
        const long double midrank = (long double)(i + j) / 2.0L + 1.0L;
        for (size_t k = i; k <= j; ++k) {
            if (all[k].positive) {
                positiveRankSum += midrank;
            }
        }
        i = j + 1;
    }
    const long double nPos = idScores.size(), nNeg = oodScores.size();
    return double((positiveRankSum - nPos * (nPos + 1) / 2.0L) / (nPos * nNeg));
}

RocCurve rocCurve(const std::vector<double>& idScores, const std::vector<double>& oodScores)
{
    requireBoth(idScores, oodScores);
    std::vector<double> tps, fps, thresholds;
    sweep(sortedDescending(idScores, oodScores), tps, fps, thresholds);
    RocCurve curve;
    curve.fpr.push_back(0.0);
    curve.tpr.push_back(0.0);
    curve.thresholds.push_back(std::numeric_limits<double>::infinity());
    for (size_t i = 0; i < tps.size(); ++i) {
        curve.tpr.push_back(tps[i] / double(idScores.size()));
        curve.fpr.push_back(fps[i] / double(oodScores.size()));
        curve.thresholds.push_back(thresholds[i]);
    }
    return curve;
}

double averagePrecision(const std::vector<double>& positives, const std::vector<double>& negatives)
{
    requireBoth(positives, negatives);
    std::vector<double> tps, fps, thresholds;
    sweep(sortedDescending(positives, negatives), tps, fps, thresholds);
    // AP = sum over thresholds of (recall_n - recall_{n-1}) * precision_n, without interpolation.
    long double sum = 0, previousRecall = 0;
    for (size_t i = 0; i < tps.size(); ++i) {
        const long double recall = tps[i] / (long double)positives.size();
        const long double precision = tps[i] / (long double)(tps[i] + fps[i]);
        sum += (recall - previousRecall) * precision;
        previousRecall = recall;
    }
    return double(sum);
}

double fprAtTpr(const std::vector<double>& positives, const std::vector<double>& negatives, double tpr)
{
    const RocCurve curve = rocCurve(positives, negatives);
    for (size_t i = 0; i < curve.tpr.size(); ++i) {
        if (curve.tpr[i] >= tpr - 1e-12) {
            return curve.fpr[i];
        }
    }
    return 1.0;
}

OodMetrics computeOodMetrics(const std::vector<double>& idScores, const std::vector<double>& oodScores)
{
    OodMetrics metrics;
    metrics.auroc = areaUnderRoc(idScores, oodScores);
    metrics.fpr95 = fprAtTpr(idScores, oodScores, 0.95);
    metrics.fpr95OodPositive = fprAtTpr(negated(oodScores), negated(idScores), 0.95);
    metrics.auprIn = averagePrecision(idScores, oodScores);
    metrics.auprOut = averagePrecision(negated(oodScores), negated(idScores));
    return metrics;
}

OodMetricIntervals bootstrapIntervals(const std::vector<double>& idScores, const std::vector<double>& oodScores,
                                      int samples, uint64_t seed)
{
    std::mt19937_64 random(seed);
    std::vector<double> auroc, fpr95, fpr95Ood, auprIn, auprOut;
    std::vector<double> idSample(idScores.size()), oodSample(oodScores.size());
    for (int s = 0; s < samples; ++s) {
        std::uniform_int_distribution<size_t> pickId(0, idScores.size() - 1), pickOod(0, oodScores.size() - 1);
        for (double& v : idSample) {
            v = idScores[pickId(random)];
        }
        for (double& v : oodSample) {
            v = oodScores[pickOod(random)];
        }
        const OodMetrics m = computeOodMetrics(idSample, oodSample);
        auroc.push_back(m.auroc);
        fpr95.push_back(m.fpr95);
        fpr95Ood.push_back(m.fpr95OodPositive);
        auprIn.push_back(m.auprIn);
        auprOut.push_back(m.auprOut);
    }
    return {percentileInterval(auroc), percentileInterval(fpr95), percentileInterval(fpr95Ood),
            percentileInterval(auprIn), percentileInterval(auprOut)};
}

} // namespace tau::core
