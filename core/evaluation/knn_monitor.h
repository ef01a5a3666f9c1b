#pragma once

// kNN top-1 while a run trains (logging.knn_every): how good h is for classes, epoch by epoch, at the cost of two
// feature passes over a few held-out images.

#include "core/common/cancellation.h"
#include "core/schema/experiment_config.h"
#include "core/training/objective.h"
#include "core/training/training_callback.h"

#include <memory>
#include <optional>
#include <vector>

namespace tau::core {

/** A training callback (logging.knn_every): every rank measures, so no rank waits on another. */
class KnnMonitor : public TrainingCallback
{
public:
    explicit KnnMonitor(const ExperimentConfig& config);
    ~KnnMonitor() override;

    /**
     * Loads at most logging.knn_images images of the training split (the reference) and of the test split (the
     * held-out queries), decoded for evaluation. @throws ConfigError when the dataset has no labels.
     */
    void setUp(const TrainingSetUp& setUp) override;

    /** On the epochs due, knn_top1 in the epoch record's scalars. */
    void onEpochEnd(EpochEnd& end) override;

    /** Whether the epoch just finished (@p epochsDone of @p totalEpochs) is one to measure. */
    bool due(int epochsDone, int totalEpochs) const;

    /**
     * The weighted kNN rule (k 200, temperature 0.1, as tau knn) of the test images' normalised h among the
     * reference's, with @p objective in eval mode (put back in training mode after). Empty when cancelled.
     */
    std::optional<double> top1(TrainingObjective& objective, const CancellationToken& cancel) const;

private:
    struct Sets;
    std::unique_ptr<Sets> m_sets;
    ExperimentConfig m_config;
    int m_every;
    torch::Device m_device = torch::kCPU;
};

} // namespace tau::core
