// Cross-entropy on labels, one augmented view per image (the baseline for MSP, ODIN, energy, MC dropout).

#include "core/training/objective.h"

#include <torch/torch.h>

namespace tau::core {

namespace {

class SupervisedObjective : public SingleModelObjective
{
public:
    using SingleModelObjective::SingleModelObjective;

    int views() const override { return 1; }
    StepLoss loss(const TrainingBatch& batch) override
    {
        return {torch::nn::functional::cross_entropy(m_model->forward(batch.view1).loc, batch.labels), torch::Tensor()};
    }
};

} // namespace

std::unique_ptr<TrainingObjective> makeSupervisedObjective(const ExperimentConfig& config, const ModelInput& input,
                                                           const torch::Device& device)
{
    return std::make_unique<SupervisedObjective>(config.model, input, device);
}

} // namespace tau::core
