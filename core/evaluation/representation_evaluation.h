#pragma once

// Torch-free: the CLI starts these through this header.

#include "core/common/cancellation.h"
#include "core/distributed/distributed_environment.h"
#include "core/evaluation/evaluation_target.h"
#include "core/evaluation/ood_evaluation.h"
#include "core/schema/experiment_config.h"

#include <string>
#include <vector>

namespace tau::core {

/** Where the results go when RepresentationOptions::name is empty: RUN_DIR/eval/knn and RUN_DIR/eval/linear. */
inline const char* const kKnnEvaluationName = "knn";
inline const char* const kLinearEvaluationName = "linear";

/** How linear evaluation trains its classifier (README, "Representations"; docs/results.md says which was used). */
enum class LinearProtocol
{
    /** Ours: h of the un-augmented training images, computed once; SGD lr 0.1, momentum 0.9, no weight decay. */
    FrozenFeatures,
    /** The original's TransferSystem: h of a fresh augmented view of every training image each epoch (the frozen
     *  encoder in eval mode); SGD lr 1e-4, momentum 0.9, weight decay 1e-6 (useOriginalLinearProtocol). */
    AugmentedViews
};

/** Weighted kNN and linear evaluation of a checkpoint's frozen features h (the README's "Representations, embeddings and rankings"). */
struct RepresentationOptions : EvaluationTarget
{
    // name empty: kKnnEvaluationName or kLinearEvaluationName; limit: at most N test images (a seeded choice)
    long long limitTrain = 0; ///< at most N training images (a seeded choice); 0: all
    int knnK = 200;
    double knnTemperature = 0.1;
    int epochs = 100;         ///< linear evaluation
    double learningRate = 0.1;
    double momentum = 0.9;
    double weightDecay = 0.0;
    LinearProtocol protocol = LinearProtocol::FrozenFeatures;
    /** tau knn / linear-eval --nproc: the job the feature passes are split over; rank 0 writes. null: alone. */
    std::shared_ptr<Communicator> communicator;
};

struct RepresentationResult
{
    std::string directory;
    double top1 = 0;                   ///< test accuracy in [0, 1]
    std::vector<double> history;       ///< linear evaluation: test accuracy after each epoch
    bool cancelled = false;
};

/**
 * Weighted kNN top-1 (Wu et al. 2018): cosine similarity of normalised h to the k nearest training images,
 * votes weighted by exp(similarity / temperature). Writes eval/<name>/metrics.json.
 */
RepresentationResult evaluateKnnAccuracy(const RepresentationOptions& options, EvaluationObserver& observer,
                                         const CancellationToken& cancel);

/** The original's linear-evaluation protocol and its hyper-parameters (its config/transfer/ files). */
void useOriginalLinearProtocol(RepresentationOptions& options);

/**
 * A linear classifier on the frozen encoder's h, SGD with momentum and a cosine schedule to 0; h of the training
 * images as options.protocol says, of the test images on the evaluation transform. The test accuracy after
 * every epoch goes to metrics.json, with the protocol.
 */
RepresentationResult evaluateLinear(const RepresentationOptions& options, EvaluationObserver& observer,
                                    const CancellationToken& cancel);

/** What trainLinearClassifier learned: the test accuracy after every epoch, the weights [classes x dim] and bias. */
struct LinearClassifier
{
    std::vector<double> history;
    std::vector<float> weight, bias;
};

/** evaluateLinear's classifier on features already computed (so it can be checked against a reference loop). */
LinearClassifier trainLinearClassifier(const std::vector<float>& trainFeatures, const std::vector<int64_t>& trainLabels,
                                       const std::vector<float>& testFeatures, const std::vector<int64_t>& testLabels,
                                       int64_t dim, int64_t classes, const RepresentationOptions& options);

/** The weighted kNN rule on features already computed: fraction of test labels predicted right. The neighbour
 *  search runs on @p device (a config's device name: "cpu", "cuda:0", ...). */
double weightedKnnTop1(const std::vector<float>& trainFeatures, const std::vector<int64_t>& trainLabels,
                       const std::vector<float>& testFeatures, const std::vector<int64_t>& testLabels, int64_t dim,
                       int k, double temperature, const std::string& device = "cpu");

} // namespace tau::core
