#pragma once

// What a score function of the catalogue (core/methods/score_catalog.h) is given.

#include "core/evaluation/model_pass.h"
#include "core/evaluation/ood_evaluation.h"

#include <vector>

namespace tau::core {

/** A per-batch score sees the batch, the model (for scores that run it again) and the evaluation's settings. */
struct ScoreBatch
{
    const PassBatch& batch;
    const EvaluatedModel& model;
    const std::vector<TrainingObjective*>& ensemble; ///< further members, for `ensemble`
    const OodEvaluationOptions& options;
};

/** The features of one scored set that reference scores use (on the CPU). */
struct SetFeatures
{
    torch::Tensor embeddings; ///< float [N, d]: the L2-normalised projection loc
    torch::Tensor features;   ///< float [N, D]: the backbone features h
    torch::Tensor labels;     ///< int64 [N]; -1 where unlabelled
    torch::Tensor certainty;  ///< double [N]: c = sigmoid(r) of a model that learns a temperature; else undefined
};

/** A reference score sees one set's features and the reference sets'. */
struct ReferenceQuery
{
    const SetFeatures& query;
    const SetFeatures& trainReference; ///< the ID training set (empty unless a score asked for it)
    const SetFeatures& testReference;  ///< the ID test set
    bool queryIsTestReference;         ///< the query is the ID test set itself
    const OodEvaluationOptions& options;
};

} // namespace tau::core
