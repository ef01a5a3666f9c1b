// Scores read off one forward pass (the README's "OOD detection"): the temperature, HIB's variance, and a classifier's logits.

#include "core/common/tensor_vector.h"
#include "core/evaluation/scores/score_context.h"

#include <torch/torch.h>

namespace tau::core {

namespace F = torch::nn::functional;

std::vector<double> temperatureCertainty(const ScoreBatch& batch)
{
    // float64: c ties at 1 in float32 where r still differs.
    return toVector<double>(torch::sigmoid(batch.batch.output.rawR.to(torch::kDouble)));
}

std::vector<double> squaredTemperatureLogit(const ScoreBatch& batch)
{
    return toVector<double>(batch.batch.output.rawR.to(torch::kDouble).pow(2));
}

std::vector<double> negativeHibVariance(const ScoreBatch& batch)
{
    return toVector<double>(-F::softplus(batch.batch.output.rawR.to(torch::kDouble)).pow(2));
}

std::vector<double> maxSoftmaxProbability(const ScoreBatch& batch)
{
    return toVector<double>(std::get<0>(torch::softmax(batch.batch.output.loc.to(torch::kDouble), 1).max(1)));
}

std::vector<double> energyScore(const ScoreBatch& batch)
{
    return toVector<double>(torch::logsumexp(batch.batch.output.loc.to(torch::kDouble), 1));
}

/** ODIN: a small step against the gradient of the temperature-scaled prediction, then its softmax. */
std::vector<double> odinScore(const ScoreBatch& batch)
{
    torch::AutoGradMode withGradients(true); // the one score that needs gradients (with respect to the input)
    TrainingObjective& model = *batch.model.objective;
    const double temperature = batch.options.odinTemperature;
    torch::Tensor x = batch.batch.inputs.detach().clone().requires_grad_(true);
    const torch::Tensor logits = model.infer(x).loc / temperature;
    const torch::Tensor predicted = logits.argmax(1).detach();
    F::cross_entropy(logits, predicted).backward();
    // The step is taken in pixel units, so in normalised space it is divided by each channel's std.
    const auto& stds = batch.model.transform->options().std;
    const torch::Tensor std = torch::tensor(stds, torch::kFloat).to(x.device()).view({1, -1, 1, 1});
    const torch::Tensor perturbed = (x - batch.options.odinEpsilon * x.grad().sign() / std).detach();
    torch::NoGradGuard noGrad;
    const torch::Tensor scaled = model.infer(perturbed).loc / temperature;
    return toVector<double>(std::get<0>(torch::softmax(scaled.to(torch::kDouble), 1).max(1)));
}

} // namespace tau::core
