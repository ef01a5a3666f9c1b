#include "core/objectives/hib_loss.h"

#include "core/common/autocast.h"

#include <torch/torch.h>

namespace tau::core {

namespace F = torch::nn::functional;

namespace {

/** Mean over the K x K sample pairs of sigmoid(-a d + b), per image. */
torch::Tensor matchProbability(const torch::Tensor& samples1, const torch::Tensor& samples2, const torch::Tensor& a,
                               const torch::Tensor& b)
{
    // Pairwise distances written out rather than cdist, whose gradient is undefined at distance 0.
    const torch::Tensor difference = samples1.unsqueeze(2) - samples2.unsqueeze(1); // [N, K, K, d]
    const torch::Tensor distance = (difference.pow(2).sum(-1) + 1e-12).sqrt();
    return torch::sigmoid(-a * distance + b).mean({1, 2});
}

} // namespace

torch::Tensor isotropicGaussianKl(const torch::Tensor& loc, const torch::Tensor& sigma)
{
    const double dims = double(loc.size(1));
    const torch::Tensor s = sigma.reshape(-1);
    return 0.5 * (dims * s.pow(2) + loc.pow(2).sum(1) - dims - 2.0 * dims * s.log());
}

torch::Tensor hibLoss(const torch::Tensor& loc1, const torch::Tensor& r1, const torch::Tensor& loc2,
                      const torch::Tensor& r2, const torch::Tensor& a, const torch::Tensor& b,
                      const torch::Tensor& noise1, const torch::Tensor& noise2, double beta)
{
    TORCH_CHECK(loc1.sizes() == loc2.sizes() && loc1.dim() == 2, "the two views need equal [N, d] shapes");
    TORCH_CHECK(noise1.dim() == 3 && noise1.size(0) == loc1.size(0) && noise1.size(2) == loc1.size(1) &&
                    noise1.sizes() == noise2.sizes(),
                "noise must be [N, K, d] for both views");
    const FullPrecisionScope fullPrecisionLoss; // its inputs come from the float32 heads
    const torch::Tensor sigma1 = F::softplus(r1.reshape(-1));
    const torch::Tensor sigma2 = F::softplus(r2.reshape(-1));
    const torch::Tensor samples1 = loc1.unsqueeze(1) + sigma1.view({-1, 1, 1}) * noise1;
    const torch::Tensor samples2 = loc2.unsqueeze(1) + sigma2.view({-1, 1, 1}) * noise2;

    const torch::Tensor positive = matchProbability(samples1, samples2, a, b);
    // The negative of image i is the second view of image i-1 (the batch rolled by one).
    const torch::Tensor negative = matchProbability(samples1, samples2.roll(1, 0), a, b);
    const torch::Tensor matchLoss = F::binary_cross_entropy(positive, torch::ones_like(positive)) +
                                    F::binary_cross_entropy(negative, torch::zeros_like(negative));
    const torch::Tensor kl = isotropicGaussianKl(loc1, sigma1).mean() + isotropicGaussianKl(loc2, sigma2).mean();
    return matchLoss + beta * kl;
}

} // namespace tau::core
