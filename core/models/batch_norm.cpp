#include "core/models/batch_norm.h"

#include "core/distributed/communicator.h"

#include <torch/torch.h>

namespace tau::core {

SyncableBatchNormImpl::SyncableBatchNormImpl(int64_t features, double eps, double momentum)
    : m_features(features)
    , m_eps(eps)
    , m_momentum(momentum)
{
    weight = register_parameter("weight", torch::ones({features}));
    bias = register_parameter("bias", torch::zeros({features}));
    running_mean = register_buffer("running_mean", torch::zeros({features}));
    running_var = register_buffer("running_var", torch::ones({features}));
    num_batches_tracked = register_buffer("num_batches_tracked", torch::tensor(0, torch::kLong));
}

void SyncableBatchNormImpl::pretty_print(std::ostream& stream) const
{
    stream << "tau::core::SyncableBatchNorm(" << m_features << ", eps=" << m_eps << ", momentum=" << m_momentum
           << (m_communicator != nullptr ? ", synchronised" : "") << ")";
}

torch::Tensor SyncableBatchNormImpl::forward(const torch::Tensor& input)
{
    TORCH_CHECK(input.dim() == 2 || input.dim() == 4, "BatchNorm expects [N, C] or [N, C, H, W], got ",
                input.sizes());
    if (is_training() && m_communicator != nullptr && m_communicator->worldSize() > 1) {
        return globalForward(input);
    }
    if (is_training()) {
        torch::NoGradGuard noGrad;
        num_batches_tracked.add_(1);
    }
    return torch::batch_norm(input, weight, bias, running_mean, running_var, is_training(), m_momentum, m_eps,
                             at::globalContext().userEnabledCuDNN());
}

/**
 * Training-mode batch normalisation over the images of every rank: the global mean first, then the global
 * variance of the centred values (two passes, as exact as one process's), each an all-reduce gradients flow
 * through. Updates the running statistics as torch.nn.BatchNorm does (unbiased variance).
 */
torch::Tensor SyncableBatchNormImpl::globalForward(const torch::Tensor& input)
{
    std::vector<int64_t> reduced{0};
    for (int64_t d = 2; d < input.dim(); ++d) {
        reduced.push_back(d);
    }
    std::vector<int64_t> shape(size_t(input.dim()), 1);
    shape[1] = m_features;

    const torch::Tensor localCount = torch::full({1}, double(input.numel() / m_features), input.options());
    const torch::Tensor sums = allReduceSumWithGradient(*m_communicator, torch::cat({input.sum(reduced), localCount}));
    const torch::Tensor count = sums.slice(0, m_features, m_features + 1);
    const torch::Tensor mean = sums.slice(0, 0, m_features) / count;
    const torch::Tensor centred = input - mean.view(shape);
    const torch::Tensor variance = allReduceSumWithGradient(*m_communicator, centred.pow(2).sum(reduced)) / count;
    const torch::Tensor output = centred * (variance + m_eps).rsqrt().view(shape) * weight.view(shape) + bias.view(shape);
    {
        torch::NoGradGuard noGrad;
        num_batches_tracked.add_(1);
        // Bessel's correction n / (n - 1) as a tensor: reading n back would make every layer wait on the GPU.
        const torch::Tensor unbiased = variance.detach() * (count / (count - 1.0).clamp_min(1.0));
        running_mean.mul_(1.0 - m_momentum).add_(mean.detach(), m_momentum);
        running_var.mul_(1.0 - m_momentum).add_(unbiased, m_momentum);
    }
    return output;
}

void synchronizeBatchNorm(torch::nn::Module& root, Communicator* communicator)
{
    for (const auto& module : root.modules(/*include_self=*/true)) {
        if (auto* norm = dynamic_cast<SyncableBatchNormImpl*>(module.get())) {
            norm->synchronizeOver(communicator);
        }
    }
}

} // namespace tau::core
