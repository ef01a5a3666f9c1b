#include "core/objectives/contrastive_losses.h"

#include "core/common/autocast.h"
#include "core/common/error.h"

#include <torch/torch.h>

#include <cmath>
#include <limits>

namespace tau::core {

ContrastiveLossOptions contrastiveLossOptions(const LossConfig& config)
{
    ContrastiveLossOptions options;
    options.t = config.t;
    options.eps = config.eps;
    options.simclrMask = config.simclrMask;
    options.firstViewNumerator = config.tauNumerator == "first_view";
    return options;
}

namespace {

void checkPair(const torch::Tensor& loc1, const torch::Tensor& loc2)
{
    TORCH_CHECK(loc1.dim() == 2 && loc1.sizes() == loc2.sizes(), "the two views need equal [N, d] shapes, got ",
                loc1.sizes(), " and ", loc2.sizes());
    TORCH_CHECK(loc1.size(0) >= 2, "a contrastive loss needs at least 2 pairs, got ", loc1.size(0));
}

/** The global rows of @p shard's anchors among the 2N rows [view 1; view 2]: its images in view 1, then in view 2. */
torch::Tensor anchorRows(int64_t pairs, AnchorShard shard, const torch::Device& device)
{
    TORCH_CHECK(shard.count >= 1 && shard.rank >= 0 && shard.rank < shard.count, "anchor shard ", shard.rank,
                " of ", shard.count, " does not exist");
    TORCH_CHECK(pairs % shard.count == 0, "a batch of ", pairs, " pairs does not split into ", shard.count,
                " equal shards");
    const int64_t share = pairs / shard.count;
    const torch::Tensor own =
        torch::arange(shard.rank * share, (shard.rank + 1) * share, torch::TensorOptions(torch::kLong).device(device));
    return torch::cat({own, own + pairs});
}

/** Each anchor's positive: the same image in the other view. */
torch::Tensor positiveRows(const torch::Tensor& rows, int64_t pairs)
{
    return (rows + pairs).remainder(2 * pairs);
}

/**
 * The mean loss of the anchors @p rows in log space: -s_pos + log(sum_kept exp(s_ik) + eps), with s_ik the
 * scaled similarity logits of anchor i (one row of @p logits per anchor, a column for each of the 2N rows).
 * logsumexp and logaddexp keep it finite for small t, and eps enters exactly as in the original's
 * -log(num / (den + eps)).
 */
torch::Tensor meanAnchorLoss(const torch::Tensor& logits, const torch::Tensor& positiveLogits, const torch::Tensor& rows,
                             bool keepPositive, double eps)
{
    const int64_t pairs = logits.size(1) / 2;
    const torch::Tensor anchor = torch::arange(rows.size(0), rows.options());
    torch::Tensor excluded = torch::zeros(logits.sizes(), torch::TensorOptions(torch::kBool).device(logits.device()));
    excluded.index_put_({anchor, rows}, true);
    if (!keepPositive) {
        excluded.index_put_({anchor, positiveRows(rows, pairs)}, true);
    }
    const torch::Tensor kept = logits.masked_fill(excluded, -std::numeric_limits<double>::infinity());
    torch::Tensor logDenominator = torch::logsumexp(kept, /*dim=*/1);
    if (eps > 0.0) {
        logDenominator = torch::logaddexp(logDenominator, torch::full_like(logDenominator, std::log(eps)));
    }
    return (logDenominator - positiveLogits).mean();
}

/** The anchors' cosine similarities: one row per anchor in @p rows, one column per row of [loc1; loc2]. */
struct AnchorCosines
{
    torch::Tensor all;       ///< [anchors, 2N]
    torch::Tensor positive;  ///< [anchors]: each anchor's entry for the same image's other view
};

AnchorCosines anchorCosines(const torch::Tensor& loc1, const torch::Tensor& loc2, const torch::Tensor& rows)
{
    const torch::Tensor z = torch::nn::functional::normalize(
        torch::cat({loc1, loc2}, 0), torch::nn::functional::NormalizeFuncOptions().dim(1));
    const torch::Tensor all = torch::matmul(z.index_select(0, rows), z.t());
    return {all, all.gather(1, positiveRows(rows, loc1.size(0)).unsqueeze(1)).squeeze(1)};
}

} // namespace

torch::Tensor ntXentLoss(const torch::Tensor& loc1, const torch::Tensor& loc2, const ContrastiveLossOptions& options,
                         AnchorShard shard)
{
    checkPair(loc1, loc2);
    const FullPrecisionScope fullPrecisionLoss;
    const torch::Tensor rows = anchorRows(loc1.size(0), shard, loc1.device());
    const AnchorCosines cosines = anchorCosines(fullPrecision(loc1), fullPrecision(loc2), rows);
    return meanAnchorLoss(cosines.all / options.t, cosines.positive / options.t, rows, /*keepPositive=*/true,
                          options.eps);
}

torch::Tensor tauSimclrLoss(const torch::Tensor& loc1, const torch::Tensor& r1, const torch::Tensor& loc2,
                            const torch::Tensor& r2, const ContrastiveLossOptions& options, AnchorShard shard)
{
    checkPair(loc1, loc2);
    TORCH_CHECK(r1.numel() == loc1.size(0) && r2.numel() == loc2.size(0),
                "one temperature logit per image is needed, got ", r1.numel(), " and ", r2.numel());
    const FullPrecisionScope fullPrecisionLoss;
    const int64_t pairs = loc1.size(0);
    const torch::Tensor rows = anchorRows(pairs, shard, loc1.device());
    const AnchorCosines cosines = anchorCosines(fullPrecision(loc1), fullPrecision(loc2), rows);
    const torch::Tensor certainty =
        torch::sigmoid(fullPrecision(torch::cat({r1.reshape(-1), r2.reshape(-1)}, 0))).index_select(0, rows);
    // Only the anchor's own c scales its row: similarities to negatives never use c_k.
    const torch::Tensor logits = certainty.unsqueeze(1) * cosines.all / options.t;

    torch::Tensor numeratorCertainty = certainty;
    if (options.firstViewNumerator) { // view 2's anchors take their image's view-1 c
        numeratorCertainty = torch::sigmoid(fullPrecision(r1.reshape(-1))).index_select(0, rows.remainder(pairs));
    }
    const torch::Tensor positiveLogits = numeratorCertainty * cosines.positive / options.t;
    return meanAnchorLoss(logits, positiveLogits, rows, /*keepPositive=*/options.simclrMask, options.eps);
}

} // namespace tau::core
