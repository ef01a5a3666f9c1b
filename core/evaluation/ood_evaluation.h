#pragma once

// Torch-free on purpose: the CLI and the GUI worker start an evaluation through this header.

#include "core/common/cancellation.h"
#include "core/common/evaluation_observer.h"
#include "core/distributed/distributed_environment.h"
#include "core/evaluation/evaluation_target.h"
#include "core/evaluation/ood_metrics.h"
#include "core/schema/experiment_config.h"

#include <map>
#include <string>
#include <vector>

namespace tau::core {

/** What `tau ood` evaluates and how (the README's "OOD detection"); EvaluationTarget::dataset is the ID set. */
struct OodEvaluationOptions : EvaluationTarget
{
    OodEvaluationOptions()
        : EvaluationTarget("ood")
    {
    }

    std::vector<std::string> outDatasets; ///< real sets, or gaussian_noise, uniform_noise, blobs, inverted, vflip
    std::vector<std::string> scores = {"tau"}; ///< names of scoreCatalog() (core/methods/score_catalog.h)
    /** true: scores the run's method cannot give are left out with a warning (comparing runs of several
     *  methods); false: such a score is an error. */
    bool skipUnfitScores = false;
    std::vector<std::string> ensemble;    ///< further checkpoints of the same architecture, for `ensemble`
    int mcPasses = 10;
    int knnK = 10;
    std::string knnAggregate = "mean";    ///< mean or max distance to the k nearest
    bool knnTestReference = false;        ///< the original's choice: ID test set, excluding each query itself
    long long knnReferenceLimit = 0;      ///< at most N reference images (a seeded choice); 0: all
    double odinTemperature = 1000.0;
    double odinEpsilon = 0.0014;
    int bootstrap = 0;                    ///< resamplings for 95% intervals; 0: none
    DataSettings data;
    /** tau ood --nproc: the job the image passes are split over; rank 0 writes the results. null: alone. */
    std::shared_ptr<Communicator> communicator;
};

struct OodScoreResult
{
    OodMetrics metrics;
    OodMetricIntervals intervals; ///< meaningful when bootstrap > 0
};

struct OodEvaluationResult
{
    std::string directory; ///< RUN_DIR/eval/<name>
    bool cancelled = false;
    std::map<std::string, std::map<std::string, OodScoreResult>> results; ///< [ood set][score]
    std::vector<std::string> warnings;
};

/**
 * Scores the in-distribution test set and every OOD set with every requested score (higher = more ID),
 * computes the metrics, and writes metrics.json, scores.csv and roc_<ood>_<score>.csv under
 * RUN_DIR/eval/<name>/. A score whose AUROC is below 0.5 gets a warning; it is never flipped.
 * @throws TauError with a message for the user (a score the model cannot give, a missing dataset, ...).
 */
OodEvaluationResult evaluateOod(const OodEvaluationOptions& options, EvaluationObserver& observer,
                                const CancellationToken& cancel);

} // namespace tau::core
