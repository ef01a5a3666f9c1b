#pragma once

#include <torch/types.h>

namespace tau::core {

/**
 * Hedged Instance Embeddings (Oh et al. 2019) as the TaU baseline (the README's "What it trains"). Each view of image i is
 * N(loc_i, sigma_i^2 I) with sigma = softplus(r); K reparameterised samples per view give K^2 Euclidean
 * distances d, and the match probability is p = mean sigmoid(-a d + b). The loss is
 *   mean_i BCE(p(view1_i, view2_i), 1) + mean_i BCE(p(view1_i, view2_{i-1}), 0)
 *   + beta (mean_i KL(view1_i || N(0, I)) + mean_i KL(view2_i || N(0, I))).
 * The noise is an argument, so the loss is a deterministic function (testable against a reference).
 * @param noise1, noise2 [N, K, d] standard normal draws; @param a, @param b learnable scalars.
 */
torch::Tensor hibLoss(const torch::Tensor& loc1, const torch::Tensor& r1, const torch::Tensor& loc2,
                      const torch::Tensor& r2, const torch::Tensor& a, const torch::Tensor& b,
                      const torch::Tensor& noise1, const torch::Tensor& noise2, double beta);

/** KL(N(loc, sigma^2 I) || N(0, I)) per row, in closed form: 0.5 (d sigma^2 + |loc|^2 - d - 2 d log sigma). */
torch::Tensor isotropicGaussianKl(const torch::Tensor& loc, const torch::Tensor& sigma);

} // namespace tau::core
