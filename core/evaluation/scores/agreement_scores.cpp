// Scores from several embeddings of the same images (the README's "OOD detection"): dropout passes or ensemble members.

#include "core/common/tensor_vector.h"
#include "core/evaluation/scores/score_context.h"

#include <torch/torch.h>

namespace tau::core {

namespace {

torch::Tensor unitRows(const torch::Tensor& x)
{
    return torch::nn::functional::normalize(x.to(torch::kFloat), torch::nn::functional::NormalizeFuncOptions().dim(1));
}

/** Minus the mean over dimensions of the standard deviation across the embeddings. */
std::vector<double> negativeSpread(const std::vector<torch::Tensor>& embeddings)
{
    return toVector<double>(-torch::stack(embeddings).std(0).mean(1));
}

} // namespace

std::vector<double> mcDropoutAgreement(const ScoreBatch& batch)
{
    std::vector<torch::Tensor> passes;
    for (int pass = 0; pass < batch.options.mcPasses; ++pass) {
        passes.push_back(unitRows(batch.model.objective->infer(batch.batch.inputs).loc));
    }
    return negativeSpread(passes);
}

std::vector<double> ensembleAgreement(const ScoreBatch& batch)
{
    std::vector<torch::Tensor> members = {unitRows(batch.batch.output.loc)};
    for (TrainingObjective* member : batch.ensemble) {
        members.push_back(unitRows(member->infer(batch.batch.inputs).loc));
    }
    return negativeSpread(members);
}

} // namespace tau::core
