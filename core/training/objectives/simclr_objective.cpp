// SimCLR and TaU-SimCLR (the README's "What it trains"): one model, two views.

#include "core/objectives/contrastive_losses.h"
#include "core/training/objective.h"

#include <torch/torch.h>

namespace tau::core {

namespace {

class SimclrObjective : public SingleModelObjective
{
public:
    SimclrObjective(const ExperimentConfig& config, const ModelInput& input, const torch::Device& device)
        : SingleModelObjective(config.model, input, device)
        , m_options(contrastiveLossOptions(config.loss))
        , m_learnsTemperature(config.system == "tau_simclr")
    {
    }

    StepLoss loss(const TrainingBatch& batch) override
    {
        const ModelOutput out1 = m_model->forward(batch.view1);
        const ModelOutput out2 = m_model->forward(batch.view2);
        // Negatives come from the global batch; each rank computes its own anchors' rows of the loss.
        const torch::Tensor z1 = gatherBatch(out1.loc), z2 = gatherBatch(out2.loc);
        if (!m_learnsTemperature) {
            return {ntXentLoss(z1, z2, m_options, ownAnchors()), torch::Tensor()};
        }
        return {tauSimclrLoss(z1, gatherBatch(out1.rawR), z2, gatherBatch(out2.rawR), m_options, ownAnchors()),
                torch::cat({out1.rawR, out2.rawR}).detach()};
    }

private:
    ContrastiveLossOptions m_options;
    bool m_learnsTemperature;
};

} // namespace

std::unique_ptr<TrainingObjective> makeSimclrObjective(const ExperimentConfig& config, const ModelInput& input,
                                                       const torch::Device& device)
{
    return std::make_unique<SimclrObjective>(config, input, device);
}

} // namespace tau::core
