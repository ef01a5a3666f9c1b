// The kNN score (Sun et al. 2022; the README's "OOD detection"): minus the mean (or max) Euclidean distance of a unit embedding
// to its k nearest ID reference embeddings.

#include "core/common/device.h"
#include "core/common/tensor_vector.h"
#include "core/evaluation/neighbours.h"
#include "core/evaluation/scores/score_context.h"

#include <torch/torch.h>

namespace tau::core {

bool knnNeedsTrainFeatures(const OodEvaluationOptions& options)
{
    return !options.knnTestReference; // the original's choice is the ID test set
}

std::vector<double> knnDistanceScore(const ReferenceQuery& query)
{
    const OodEvaluationOptions& options = query.options;
    const SetFeatures& reference = options.knnTestReference ? query.testReference : query.trainReference;
    NeighbourOptions search;
    search.k = options.knnK;
    search.excludeSelf = options.knnTestReference && query.queryIsTestReference; // not its own neighbour
    search.device = resolveDevice(options.device); // 10,000 queries against 60,000 references: a GPU's work
    const Neighbours nearest = nearestNeighbours(query.query.embeddings, reference.embeddings, search);
    // Unit vectors: |q - r| = sqrt(2 - 2 q.r).
    const torch::Tensor distances = (2.0 - 2.0 * nearest.values).clamp_min(0.0).sqrt();
    const torch::Tensor aggregate = options.knnAggregate != "max" ? distances.mean(1) : std::get<0>(distances.max(1));
    return toVector<double>(-aggregate);
}

} // namespace tau::core
