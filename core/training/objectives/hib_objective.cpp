// Hedged Instance Embeddings (the README's "What it trains"): a Gaussian per view, sigma = softplus(r), K samples each.

#include "core/objectives/hib_loss.h"
#include "core/training/objective.h"

#include <torch/torch.h>

namespace tau::core {

namespace {

/** The learnable scalars of HIB's match probability, as a module so they are saved with the model. */
class HibScalarsImpl : public torch::nn::Module
{
public:
    HibScalarsImpl()
        : a(register_parameter("a", torch::full({}, 0.5)))
        , b(register_parameter("b", torch::full({}, 0.0)))
    {
    }
    torch::Tensor a, b;
};
TORCH_MODULE(HibScalars);

class HibObjective : public SingleModelObjective
{
public:
    HibObjective(const ExperimentConfig& config, const ModelInput& input, const torch::Device& device)
        : SingleModelObjective(config.model, input, device)
        , m_beta(config.loss.beta)
        , m_samples(config.loss.samples)
    {
        m_scalars->to(device);
    }

    std::vector<torch::Tensor> parameters() override
    {
        std::vector<torch::Tensor> all = m_model->parameters();
        all.push_back(m_scalars->a);
        all.push_back(m_scalars->b);
        return all;
    }

    StepLoss loss(const TrainingBatch& batch) override
    {
        const ModelOutput out1 = m_model->forward(batch.view1);
        const ModelOutput out2 = m_model->forward(batch.view2);
        // Pairs span the global batch; every rank draws the whole batch's noise from the same generator state.
        const torch::Tensor loc1 = gatherBatch(out1.loc), loc2 = gatherBatch(out2.loc);
        const std::vector<int64_t> shape = {loc1.size(0), m_samples, loc1.size(1)};
        // Drawn from the global generator on the training thread: its state is in every checkpoint.
        const torch::Tensor noise1 = torch::randn(shape).to(loc1.options());
        const torch::Tensor noise2 = torch::randn(shape).to(loc1.options());
        return {hibLoss(loc1, gatherBatch(out1.rawR), loc2, gatherBatch(out2.rawR), m_scalars->a, m_scalars->b, noise1,
                        noise2, m_beta),
                torch::Tensor()};
    }

    void saveExtras(torch::serialize::OutputArchive& archive) override
    {
        torch::serialize::OutputArchive scalars;
        m_scalars->save(scalars);
        archive.write("hib", scalars);
    }
    void loadExtras(torch::serialize::InputArchive& archive) override
    {
        torch::serialize::InputArchive scalars;
        archive.read("hib", scalars);
        m_scalars->load(scalars);
    }

private:
    HibScalars m_scalars;
    double m_beta;
    int64_t m_samples;
};

} // namespace

std::unique_ptr<TrainingObjective> makeHibObjective(const ExperimentConfig& config, const ModelInput& input,
                                                    const torch::Device& device)
{
    return std::make_unique<HibObjective>(config, input, device);
}

} // namespace tau::core
