#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tau::core {

/** A histogram with fixed bin edges (edges.size() == counts.size() + 1). */
struct Histogram
{
    std::vector<double> edges;
    std::vector<long long> counts;
    long long below = 0; ///< values under the first edge
    long long above = 0; ///< values over the last edge
};

/** The 5/25/50/75/95 percentiles of a distribution, plus its mean. */
struct Percentiles
{
    double p5 = 0, p25 = 0, p50 = 0, p75 = 0, p95 = 0, mean = 0;
};

/** What the trainer reports after each optimisation step. */
struct StepRecord
{
    int epoch = 0;      ///< 1-based
    long long step = 0; ///< global, 1-based
    long long totalSteps = 0;
    int stepInEpoch = 0;
    int stepsPerEpoch = 0;
    double loss = 0;
    double learningRate = 0;
    double imagesPerSecond = 0;
    double etaSeconds = 0;
    double meanCertainty = 0; ///< mean of c = sigmoid(r) over the batch (0 when the model has no r)
    double meanRawR = 0;
    std::optional<double> meanOutlierCertainty; ///< outlier exposure: mean c of the step's synthetic outliers
    double wallTime = 0; ///< seconds since the Unix epoch when the step ended ("wall_time"; 0: an older file has none)
    std::map<std::string, double> scalars; ///< free-form values by name ("scalars" in metrics.jsonl)
    std::optional<double> gpuMemoryMb; ///< on a GPU: MiB allocated to tensors after the step ("gpu_mem_mb")
    std::optional<double> gpuPeakMb;   ///< on a GPU: the most allocated since the run started ("gpu_peak_mb")
};

/** What the trainer reports at the end of each epoch. */
struct EpochRecord
{
    int epoch = 0;
    int totalEpochs = 0;
    long long step = 0;
    double loss = 0; ///< mean over the epoch's steps
    double learningRate = 0;
    double imagesPerSecond = 0;
    double seconds = 0;
    double wallTime = 0; ///< seconds since the Unix epoch when the epoch ended ("wall_time"; 0: not recorded)
    bool hasTemperature = false; ///< false for objectives without a temperature output (plain SimCLR)
    Histogram certaintyHistogram; ///< c = sigmoid(r) over the epoch's training anchors, fixed bins on [0, 1]
    Percentiles certaintyPercentiles;
    Histogram rawHistogram; ///< raw r, bins spanning the epoch's values (c piles up at 1 when r grows; r still shows differences)
    Percentiles rawPercentiles;
    bool hasOutliers = false; ///< trained with synthetic outliers (outlier exposure): their c below
    Histogram outlierCertaintyHistogram; ///< c of the epoch's synthetic outliers, the bins of certaintyHistogram
    Percentiles outlierCertaintyPercentiles;
    /** Free-form values by name ("scalars" in metrics.jsonl): knn_top1 from logging.knn_every, or any writer's. */
    std::map<std::string, double> scalars;
};

/** Receives training progress. Called on the training thread: implementations must be thread-safe. */
class TrainingObserver
{
public:
    virtual ~TrainingObserver() = default;
    virtual void onTrainingStarted(const std::string& runDirectory, long long totalSteps)
    {
        (void)runDirectory;
        (void)totalSteps;
    }
    virtual void onStep(const StepRecord& record) { (void)record; }
    virtual void onEpochEnd(const EpochRecord& record) { (void)record; }
    virtual void onMessage(const std::string& message) { (void)message; }
};

} // namespace tau::core
