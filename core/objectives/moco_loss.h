#pragma once

#include <torch/types.h>

namespace tau::core {

/**
 * MoCo-v2's InfoNCE (the README's "What it trains"): logits [q.k, q.Q_j] / t with q, k L2-normalised, cross-entropy against
 * the positive (index 0). With @p queryR defined (TaU-MoCo-v2) every logit of row i is first multiplied by
 * c_i = sigmoid(r_i), the query's own certainty; the keys' temperatures are never used.
 * @param query [N, d] query projections (not normalised); @param key [N, d] key projections (gradient stopped
 * here); @param queue [K, d] normalised keys of earlier batches; @param queryR [N] or undefined.
 */
torch::Tensor mocoLoss(const torch::Tensor& query, const torch::Tensor& key, const torch::Tensor& queue,
                       const torch::Tensor& queryR, double t);

/** The FIFO queue of normalised keys. Its size must be a multiple of the batch size, as in the original. */
class KeyQueue
{
public:
    /** Starts from normalised Gaussian noise (the original's initialisation), drawn from torch's CPU RNG. */
    KeyQueue(int64_t size, int64_t dim, const torch::Device& device);

    const torch::Tensor& keys() const { return m_keys; }
    int64_t position() const { return m_position; }

    /** Overwrites the oldest entries with @p keys (normalised here), then advances the write position. */
    void enqueue(const torch::Tensor& keys);

    /** Restores a saved queue (for exact resume). */
    void restore(const torch::Tensor& keys, int64_t position);

private:
    torch::Tensor m_keys;
    int64_t m_position = 0;
};

} // namespace tau::core
