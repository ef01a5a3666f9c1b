// TaU-SimCLR with outlier exposure (docs/results.md, "Beyond the paper"): the TaU-SimCLR loss on the step's two
// views, plus loss.outlier_weight x the mean of -log(1 - c) over synthetic outliers made from the same views, so
// the temperature head learns to give low certainty to inputs unlike the training images instead of
// extrapolating. The outliers share the views' forward passes (half with each view): BatchNorm sees them as part
// of the batch, as in Hendrycks et al.'s outlier exposure, and never as a batch of their own.

#include "core/data/synthetic_outliers.h"
#include "core/objectives/contrastive_losses.h"
#include "core/training/objective.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

namespace tau::core {

namespace {

class OutlierExposureObjective : public SingleModelObjective
{
public:
    OutlierExposureObjective(const ExperimentConfig& config, const ModelInput& input, const torch::Device& device)
        : SingleModelObjective(config.model, input, device)
        , m_options(contrastiveLossOptions(config.loss))
        , m_weight(config.loss.outlierWeight)
        , m_fraction(config.loss.outlierFraction)
        , m_families(config.loss.outlierFamilies)
        , m_seed(static_cast<uint64_t>(config.seed))
    {
    }

    StepLoss loss(const TrainingBatch& batch) override
    {
        const int64_t n = batch.view1.size(0);
        const int64_t count = std::max<int64_t>(2, std::llround(m_fraction * double(n)));
        torch::Tensor outliers = syntheticOutliers(batch.view1, m_families, count, nextGenerator());
        const int64_t firstHalf = count / 2;
        const ModelOutput out1 = m_model->forward(torch::cat({batch.view1, outliers.narrow(0, 0, firstHalf)}));
        const ModelOutput out2 =
            m_model->forward(torch::cat({batch.view2, outliers.narrow(0, firstHalf, count - firstHalf)}));

        const torch::Tensor r1 = out1.rawR.reshape(-1).narrow(0, 0, n), r2 = out2.rawR.reshape(-1).narrow(0, 0, n);
        const torch::Tensor contrastive =
            tauSimclrLoss(gatherBatch(out1.loc.narrow(0, 0, n)), gatherBatch(r1), gatherBatch(out2.loc.narrow(0, 0, n)),
                          gatherBatch(r2), m_options, ownAnchors());
        const torch::Tensor outlierR = torch::cat({out1.rawR.reshape(-1).narrow(0, n, firstHalf),
                                                   out2.rawR.reshape(-1).narrow(0, n, count - firstHalf)});
        // -log(1 - sigmoid(r)) = softplus(r): finite for any r, and its gradient fades once c is near 0.
        const torch::Tensor exposure = torch::nn::functional::softplus(outlierR).mean();
        return {contrastive + m_weight * exposure, torch::cat({r1, r2}).detach(), outlierR.detach()};
    }

    void saveExtras(torch::serialize::OutputArchive& archive) override
    {
        archive.write("outlier_draws", torch::tensor(static_cast<int64_t>(m_draws)));
    }

    void loadExtras(torch::serialize::InputArchive& archive) override
    {
        torch::Tensor draws;
        archive.read("outlier_draws", draws);
        m_draws = static_cast<uint64_t>(draws.item<int64_t>());
    }

private:
    /** One generator per step, from the seed, the rank and the step's draw: a resumed run draws the same outliers. */
    torch::Generator& nextGenerator()
    {
        const uint64_t rank = m_communicator != nullptr ? uint64_t(m_communicator->rank()) : 0;
        m_generator = at::detail::createCPUGenerator(m_seed * 1000003ULL + rank * 7919ULL + m_draws * 2654435761ULL);
        ++m_draws;
        return m_generator;
    }

    ContrastiveLossOptions m_options;
    double m_weight;
    double m_fraction;
    std::vector<std::string> m_families;
    uint64_t m_seed;
    uint64_t m_draws = 0;
    torch::Generator m_generator;
};

} // namespace

std::unique_ptr<TrainingObjective> makeOutlierExposureObjective(const ExperimentConfig& config, const ModelInput& input,
                                                                const torch::Device& device)
{
    return std::make_unique<OutlierExposureObjective>(config, input, device);
}

} // namespace tau::core
