#include "core/distributed/gradient_averager.h"

#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/utils/lambda_post_hook.h>
#include <torch/csrc/autograd/variable.h>
#include <torch/torch.h>

namespace tau::core {

GradientAverager::GradientAverager(Communicator& communicator, const std::vector<torch::Tensor>& parameters,
                                   size_t bucketBytes, size_t firstBucketBytes)
    : m_communicator(communicator)
{
    for (const torch::Tensor& parameter : parameters) {
        if (parameter.requires_grad()) {
            m_parameters.push_back(parameter);
        }
    }
    m_bucketOf.resize(m_parameters.size());
    size_t capacity = firstBucketBytes;
    size_t filled = 0;
    for (size_t i = m_parameters.size(); i-- > 0;) {
        const size_t bytes = size_t(m_parameters[i].numel()) * m_parameters[i].element_size();
        if (m_buckets.empty() || (filled > 0 && filled + bytes > capacity)) {
            if (!m_buckets.empty()) {
                capacity = bucketBytes;
            }
            m_buckets.emplace_back();
            filled = 0;
        }
        m_buckets.back().parameters.push_back(i);
        m_bucketOf[i] = m_buckets.size() - 1;
        filled += bytes;
    }
    if (m_communicator.worldSize() == 1) {
        return; // nothing to average: no hooks
    }
    for (size_t i = 0; i < m_parameters.size(); ++i) {
        auto accumulator = torch::autograd::impl::grad_accumulator(m_parameters[i]);
        accumulator->add_post_hook(std::make_unique<torch::autograd::utils::LambdaPostHook>(
            [this, i](const torch::autograd::variable_list& outputs, const torch::autograd::variable_list&) {
                onGradientReady(i);
                return outputs;
            }));
        m_accumulators.push_back(std::move(accumulator));
    }
}

GradientAverager::~GradientAverager()
{
    for (auto& accumulator : m_accumulators) {
        accumulator->post_hooks().clear();
    }
}

void GradientAverager::prepare()
{
    for (Bucket& bucket : m_buckets) {
        bucket.arrived = 0;
        bucket.pending.reset();
    }
    m_nextToStart = 0;
}

void GradientAverager::onGradientReady(size_t parameter)
{
    Bucket& bucket = m_buckets[m_bucketOf[parameter]];
    ++bucket.arrived;
    startReadyBuckets();
}

void GradientAverager::startReadyBuckets()
{
    while (m_nextToStart < m_buckets.size() &&
           m_buckets[m_nextToStart].arrived >= m_buckets[m_nextToStart].parameters.size()) {
        start(m_buckets[m_nextToStart++]);
        ++m_startedDuringBackward;
    }
}

void GradientAverager::start(Bucket& bucket)
{
    std::vector<torch::Tensor> gradients;
    for (const size_t i : bucket.parameters) {
        const torch::Tensor& gradient = m_parameters[i].grad();
        gradients.push_back(gradient.defined() ? gradient.reshape(-1) : torch::zeros({m_parameters[i].numel()},
                                                                                      m_parameters[i].options()));
    }
    bucket.flat = torch::cat(gradients);
    ++m_started;
    bucket.pending = std::make_unique<Communicator::PendingSum>(m_communicator.startAllReduceSum(bucket.flat));
}

void GradientAverager::finish()
{
    if (m_communicator.worldSize() == 1) {
        return;
    }
    torch::NoGradGuard noGrad;
    for (; m_nextToStart < m_buckets.size(); ++m_nextToStart) {
        start(m_buckets[m_nextToStart]); // parameters this step did not reach
    }
    const double scale = 1.0 / m_communicator.worldSize();
    for (Bucket& bucket : m_buckets) {
        bucket.pending->wait();
        bucket.flat.mul_(scale);
        int64_t offset = 0;
        for (const size_t i : bucket.parameters) {
            torch::Tensor& parameter = m_parameters[i];
            const int64_t count = parameter.numel();
            const torch::Tensor average = bucket.flat.slice(0, offset, offset + count).view_as(parameter);
            if (parameter.grad().defined()) {
                parameter.mutable_grad().copy_(average);
            } else {
                parameter.mutable_grad() = average.clone();
            }
            offset += count;
        }
    }
}

size_t GradientAverager::bytesPerStep() const
{
    size_t bytes = 0;
    for (const torch::Tensor& parameter : m_parameters) {
        bytes += size_t(parameter.numel()) * parameter.element_size();
    }
    return bytes;
}

} // namespace tau::core
