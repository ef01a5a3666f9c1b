#include "core/objectives/moco_loss.h"

#include "core/common/autocast.h"

#include <torch/torch.h>

namespace tau::core {

namespace F = torch::nn::functional;

namespace {
torch::Tensor normalizeRows(const torch::Tensor& x)
{
    return F::normalize(x, F::NormalizeFuncOptions().dim(1));
}
} // namespace

torch::Tensor mocoLoss(const torch::Tensor& query, const torch::Tensor& key, const torch::Tensor& queue,
                       const torch::Tensor& queryR, double t)
{
    TORCH_CHECK(query.dim() == 2 && query.sizes() == key.sizes(), "query and key need equal [N, d] shapes, got ",
                query.sizes(), " and ", key.sizes());
    TORCH_CHECK(queue.dim() == 2 && queue.size(1) == query.size(1), "the queue needs [K, ", query.size(1),
                "] keys, got ", queue.sizes());
    const FullPrecisionScope fullPrecisionLoss; // its inputs come from the float32 heads
    const torch::Tensor q = normalizeRows(query);
    const torch::Tensor k = normalizeRows(key.detach());
    const torch::Tensor positive = (q * k).sum(1, /*keepdim=*/true);
    const torch::Tensor negative = torch::matmul(q, queue.detach().t());
    torch::Tensor logits = torch::cat({positive, negative}, 1);
    if (queryR.defined()) {
        logits = logits * torch::sigmoid(queryR.reshape({-1, 1}));
    }
    logits = logits / t;
    const torch::Tensor labels = torch::zeros({query.size(0)}, torch::TensorOptions().dtype(torch::kLong).device(q.device()));
    return F::cross_entropy(logits, labels);
}

KeyQueue::KeyQueue(int64_t size, int64_t dim, const torch::Device& device)
    : m_keys(normalizeRows(torch::randn({size, dim})).to(device))
{
}

void KeyQueue::enqueue(const torch::Tensor& keys)
{
    const int64_t n = keys.size(0);
    TORCH_CHECK(m_keys.size(0) % n == 0, "the queue size (", m_keys.size(0), ") must be a multiple of the batch (", n, ")");
    torch::NoGradGuard noGrad;
    m_keys.slice(0, m_position, m_position + n).copy_(normalizeRows(keys.detach()));
    m_position = (m_position + n) % m_keys.size(0);
}

void KeyQueue::restore(const torch::Tensor& keys, int64_t position)
{
    TORCH_CHECK(keys.sizes() == m_keys.sizes(), "saved queue has shape ", keys.sizes(), ", expected ", m_keys.sizes());
    m_keys.copy_(keys);
    m_position = position;
}

} // namespace tau::core
