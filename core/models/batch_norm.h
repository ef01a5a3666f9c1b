#pragma once

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <ostream>

namespace tau::core {

class Communicator;

/**
 * BatchNorm (1-d over [N, C], 2-d over [N, C, H, W]) whose batch statistics can span every process of a
 * data-parallel job (sync_bn: true): in training mode with a communicator attached, mean and variance come from
 * all ranks' images together and gradients flow through them, so N processes normalise exactly as one process on
 * the whole batch. Otherwise it computes what torch::nn::BatchNorm does, with the same parameter and buffer names
 * (weight, bias, running_mean, running_var, num_batches_tracked), so checkpoints are those of torch.nn.BatchNorm.
 * (LibTorch's BatchNorm cannot be subclassed from outside: its base's pretty_print is not exported.)
 */
class SyncableBatchNormImpl : public torch::nn::Module
{
public:
    explicit SyncableBatchNormImpl(int64_t features, double eps = 1e-5, double momentum = 0.1);
    torch::Tensor forward(const torch::Tensor& input);
    void pretty_print(std::ostream& stream) const override;

    /** nullptr: per-process statistics. */
    void synchronizeOver(Communicator* communicator) { m_communicator = communicator; }

    torch::Tensor weight, bias, running_mean, running_var, num_batches_tracked;

private:
    torch::Tensor globalForward(const torch::Tensor& input);

    int64_t m_features;
    double m_eps;
    double m_momentum;
    Communicator* m_communicator = nullptr;
};
TORCH_MODULE(SyncableBatchNorm);

/** Attaches @p communicator to every SyncableBatchNorm under @p root (nullptr: per-process statistics again). */
void synchronizeBatchNorm(torch::nn::Module& root, Communicator* communicator);

} // namespace tau::core
