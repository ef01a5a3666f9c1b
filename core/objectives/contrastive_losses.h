#pragma once

#include "core/schema/experiment_config.h"

#include <torch/types.h>

namespace tau::core {

/** Settings shared by the SimCLR-family losses (the README's "What it trains"). */
struct ContrastiveLossOptions
{
    double t = 0.1;     ///< global temperature
    double eps = 1e-6;  ///< added to the denominator, as the original
    /** true: the denominator excludes only k = i (NT-Xent); false (the repo's TaU default): also the positive. */
    bool simclrMask = false;
    /** true: the numerator of a view-2 anchor uses the view-1 c (the repo's behaviour); false: the anchor's own. */
    bool firstViewNumerator = false;
};

/** The loss settings of a config's loss section. */
ContrastiveLossOptions contrastiveLossOptions(const LossConfig& config);

/**
 * The anchors one process of a data-parallel job computes the loss for. With the batch's N pairs split over
 * count processes in batch order, process rank holds images [rank * b, (rank + 1) * b), b = N / count, and its
 * anchors are those images' rows in both views: a 2b x 2N share of the (2N)^2 similarity matrix. The loss of a
 * shard is the mean over its own anchors, so the mean over all shards is the whole batch's loss, and so are its
 * gradients. The default shard is the whole batch.
 */
struct AnchorShard
{
    int64_t rank = 0;
    int64_t count = 1;
};

/**
 * SimCLR's NT-Xent on two views of N images: mean over the 2N anchors of
 * -log(exp(z_i.z_p/t) / (sum_{k != i} exp(z_i.z_k/t) + eps)), z the L2-normalised rows of loc.
 * The positive is always in the denominator; options.simclrMask and firstViewNumerator are ignored.
 */
torch::Tensor ntXentLoss(const torch::Tensor& loc1, const torch::Tensor& loc2, const ContrastiveLossOptions& options,
                         AnchorShard shard = {});

/**
 * TaU-SimCLR: as NT-Xent with every similarity of anchor i scaled by c_i = sigmoid(r_i), so that anchor's
 * temperature is t / c_i. @p r1, @p r2 are the raw temperature logits, shape [N].
 */
torch::Tensor tauSimclrLoss(const torch::Tensor& loc1, const torch::Tensor& r1, const torch::Tensor& loc2,
                            const torch::Tensor& r2, const ContrastiveLossOptions& options, AnchorShard shard = {});

} // namespace tau::core
