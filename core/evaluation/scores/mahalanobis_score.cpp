// The Mahalanobis score (Lee et al. 2018), the standard baseline for contrastive encoders: minus the smallest
// Mahalanobis distance of h to the ID training set's class means under one covariance shared by the classes.

#include "core/common/error.h"
#include "core/common/tensor_vector.h"
#include "core/evaluation/scores/score_context.h"

#include <torch/torch.h>

#include <limits>

namespace tau::core {

namespace {

/**
 * The pseudo-inverse of a symmetric matrix, with scikit-learn's (scipy's pinvh) cutoff: eigenvalues at or below
 * max|eigenvalue| x size x machine epsilon count as zero, so features that never vary (dead units) are ignored.
 */
torch::Tensor symmetricPseudoInverse(const torch::Tensor& matrix)
{
    const auto [eigenvalues, eigenvectors] = torch::linalg::eigh(matrix, "L");
    const double cutoff = eigenvalues.abs().max().item<double>() * double(matrix.size(0)) *
                          std::numeric_limits<double>::epsilon();
    const torch::Tensor kept = eigenvalues.abs() > cutoff;
    const torch::Tensor inverted = torch::where(kept, 1.0 / eigenvalues, torch::zeros_like(eigenvalues));
    return torch::matmul(eigenvectors * inverted.unsqueeze(0), eigenvectors.t());
}

} // namespace

bool mahalanobisNeedsTrainFeatures(const OodEvaluationOptions&)
{
    return true;
}

std::vector<double> mahalanobisScore(const ReferenceQuery& query)
{
    const torch::Tensor h = query.trainReference.features.to(torch::kDouble);
    // Unlabelled reference images form a single class.
    const torch::Tensor labels = query.trainReference.labels.clamp_min(0);
    if (h.size(0) < 2) {
        throw TauError("score 'mahalanobis' needs at least two ID training images for its covariance");
    }
    const torch::Tensor classes = std::get<0>(at::_unique(labels, /*sorted=*/true));
    const torch::Tensor classOf = torch::searchsorted(classes, labels);
    const int64_t count = classes.size(0);
    // Class means, then the covariance of every image around its own class mean (the maximum-likelihood, 1/N).
    const torch::Tensor sums = torch::zeros({count, h.size(1)}, h.options()).index_add_(0, classOf, h);
    const torch::Tensor sizes = torch::bincount(classOf, {}, count).to(torch::kDouble);
    const torch::Tensor means = sums / sizes.unsqueeze(1);
    const torch::Tensor centred = h - means.index_select(0, classOf);
    const torch::Tensor precision = symmetricPseudoInverse(torch::matmul(centred.t(), centred) / double(h.size(0)));

    // (q - m)' P (q - m) = q'Pq - 2 q'Pm + m'Pm, for every query and class mean at once.
    const torch::Tensor q = query.query.features.to(torch::kDouble);
    const torch::Tensor qP = torch::matmul(q, precision);
    const torch::Tensor distances = ((qP * q).sum(1, true) - 2.0 * torch::matmul(qP, means.t()) +
                                     (torch::matmul(means, precision) * means).sum(1).unsqueeze(0))
                                        .clamp_min(0.0);
    return toVector<double>(-std::get<0>(distances.min(1)));
}

} // namespace tau::core
