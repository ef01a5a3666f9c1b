#include "core/objectives/contrastive_losses.h"

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

/**
 * The loss of every anchor in log space: -s_pos + log(sum_kept exp(s_ik) + eps), with s_ik the scaled
 * similarity logits. logsumexp and logaddexp keep it finite for small t, and eps enters exactly as in
 * the original's -log(num / (den + eps)).
 */
torch::Tensor meanAnchorLoss(const torch::Tensor& logits, const torch::Tensor& positiveLogits, bool keepPositive,
                             double eps)
{
    const int64_t rows = logits.size(0);
    const int64_t pairs = rows / 2;
    const auto indexOptions = torch::TensorOptions().dtype(torch::kLong).device(logits.device());
    const torch::Tensor rowIndex = torch::arange(rows, indexOptions);
    const torch::Tensor positiveIndex = (rowIndex + pairs).remainder(rows);

    torch::Tensor excluded = torch::eye(rows, torch::TensorOptions().dtype(torch::kBool).device(logits.device()));
    if (!keepPositive) {
        excluded.index_put_({rowIndex, positiveIndex}, true);
    }
    const torch::Tensor kept = logits.masked_fill(excluded, -std::numeric_limits<double>::infinity());
    torch::Tensor logDenominator = torch::logsumexp(kept, /*dim=*/1);
    if (eps > 0.0) {
        logDenominator = torch::logaddexp(logDenominator, torch::full_like(logDenominator, std::log(eps)));
    }
    return (logDenominator - positiveLogits).mean();
}

torch::Tensor cosineMatrix(const torch::Tensor& loc1, const torch::Tensor& loc2)
{
    const torch::Tensor z = torch::nn::functional::normalize(
        torch::cat({loc1, loc2}, 0), torch::nn::functional::NormalizeFuncOptions().dim(1));
    return torch::matmul(z, z.t());
}

torch::Tensor positiveEntries(const torch::Tensor& matrix)
{
    const int64_t rows = matrix.size(0);
    const auto indexOptions = torch::TensorOptions().dtype(torch::kLong).device(matrix.device());
    const torch::Tensor rowIndex = torch::arange(rows, indexOptions);
    return matrix.index({rowIndex, (rowIndex + rows / 2).remainder(rows)});
}

} // namespace

torch::Tensor ntXentLoss(const torch::Tensor& loc1, const torch::Tensor& loc2, const ContrastiveLossOptions& options)
{
    checkPair(loc1, loc2);
    const torch::Tensor logits = cosineMatrix(loc1, loc2) / options.t;
    return meanAnchorLoss(logits, positiveEntries(logits), /*keepPositive=*/true, options.eps);
}

torch::Tensor tauSimclrLoss(const torch::Tensor& loc1, const torch::Tensor& r1, const torch::Tensor& loc2,
                            const torch::Tensor& r2, const ContrastiveLossOptions& options)
{
    checkPair(loc1, loc2);
    TORCH_CHECK(r1.numel() == loc1.size(0) && r2.numel() == loc2.size(0),
                "one temperature logit per image is needed, got ", r1.numel(), " and ", r2.numel());
    const torch::Tensor cosines = cosineMatrix(loc1, loc2);
    const torch::Tensor certainty = torch::sigmoid(torch::cat({r1.reshape(-1), r2.reshape(-1)}, 0));
    // Only the anchor's own c scales its row: similarities to negatives never use c_k.
    const torch::Tensor logits = certainty.unsqueeze(1) * cosines / options.t;

    torch::Tensor numeratorCertainty = certainty;
    if (options.firstViewNumerator) {
        const torch::Tensor firstView = torch::sigmoid(r1.reshape(-1));
        numeratorCertainty = torch::cat({firstView, firstView}, 0);
    }
    const torch::Tensor positiveLogits = numeratorCertainty * positiveEntries(cosines) / options.t;
    return meanAnchorLoss(logits, positiveLogits, /*keepPositive=*/options.simclrMask, options.eps);
}

} // namespace tau::core
