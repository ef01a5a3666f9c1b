// The scores of a Gaussian density of h fitted to the ID training set: the Mahalanobis score (Lee et al. 2018), the
// standard baseline for contrastive encoders, minus the smallest Mahalanobis distance of h to the class means under
// one covariance shared by the classes; and TaU's c fused with it (tau_mahalanobis).

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
    const auto [eigenvalues, eigenvectors] = torch::linalg_eigh(matrix, "L");
    const double cutoff = eigenvalues.abs().max().item<double>() * double(matrix.size(0)) *
                          std::numeric_limits<double>::epsilon();
    const torch::Tensor kept = eigenvalues.abs() > cutoff;
    const torch::Tensor inverted = torch::where(kept, 1.0 / eigenvalues, torch::zeros_like(eigenvalues));
    return torch::matmul(eigenvectors * inverted.unsqueeze(0), eigenvectors.t());
}

/** The ID training set's class means and the precision of their shared covariance. */
struct ClassGaussian
{
    torch::Tensor means;     ///< double [classes, D]
    torch::Tensor precision; ///< double [D, D]
};

ClassGaussian fitClassGaussian(const SetFeatures& train, const char* score)
{
    const torch::Tensor h = train.features.to(torch::kDouble);
    // Unlabelled reference images form a single class.
    const torch::Tensor labels = train.labels.clamp_min(0);
    if (h.size(0) < 2) {
        throw TauError(std::string("score '") + score + "' needs at least two ID training images for its covariance");
    }
    const torch::Tensor classes = std::get<0>(at::_unique(labels, /*sorted=*/true));
    const torch::Tensor classOf = torch::searchsorted(classes, labels);
    const int64_t count = classes.size(0);
    // Class means, then the covariance of every image around its own class mean (the maximum-likelihood, 1/N).
    const torch::Tensor sums = torch::zeros({count, h.size(1)}, h.options()).index_add_(0, classOf, h);
    const torch::Tensor sizes = torch::bincount(classOf, {}, count).to(torch::kDouble);
    const torch::Tensor means = sums / sizes.unsqueeze(1);
    const torch::Tensor centred = h - means.index_select(0, classOf);
    return {means, symmetricPseudoInverse(torch::matmul(centred.t(), centred) / double(h.size(0)))};
}

/** Minus the smallest squared Mahalanobis distance of each row of @p features to a class mean: double [N]. */
torch::Tensor densityScore(const ClassGaussian& gaussian, const torch::Tensor& features)
{
    // (q - m)' P (q - m) = q'Pq - 2 q'Pm + m'Pm, for every query and class mean at once.
    const torch::Tensor q = features.to(torch::kDouble);
    const torch::Tensor qP = torch::matmul(q, gaussian.precision);
    const torch::Tensor& means = gaussian.means;
    const torch::Tensor distances = ((qP * q).sum(1, true) - 2.0 * torch::matmul(qP, means.t()) +
                                     (torch::matmul(means, gaussian.precision) * means).sum(1).unsqueeze(0))
                                        .clamp_min(0.0);
    return -std::get<0>(distances.min(1));
}

/** @p values in units of @p reference's spread around its mean (sample std; a constant reference: unscaled). */
torch::Tensor standardised(const torch::Tensor& values, const torch::Tensor& reference)
{
    const double spread = reference.std().item<double>();
    return (values - reference.mean()) / (spread > 0.0 ? spread : 1.0);
}

} // namespace

bool mahalanobisNeedsTrainFeatures(const OodEvaluationOptions&)
{
    return true;
}

std::vector<double> mahalanobisScore(const ReferenceQuery& query)
{
    return toVector<double>(densityScore(fitClassGaussian(query.trainReference, "mahalanobis"), query.query.features));
}

// TaU's certainty fused with the Mahalanobis density, each standardised on the ID training images (no OOD image
// takes part): z(c) + z(-d^2). c is bounded to (0, 1), so it can reorder images the density finds alike (near-OOD)
// but cannot outvote a density that finds an image far from every class, the case where c inverts.
std::vector<double> certaintyDensityScore(const ReferenceQuery& query)
{
    const SetFeatures& train = query.trainReference;
    if (!query.query.certainty.defined() || !train.certainty.defined()) {
        throw TauError("score 'tau_mahalanobis' needs the model's certainty c on every image");
    }
    const ClassGaussian gaussian = fitClassGaussian(train, "tau_mahalanobis");
    const torch::Tensor trainDensity = densityScore(gaussian, train.features);
    const torch::Tensor fused = standardised(query.query.certainty.to(torch::kDouble), train.certainty.to(torch::kDouble)) +
                                standardised(densityScore(gaussian, query.query.features), trainDensity);
    return toVector<double>(fused);
}

} // namespace tau::core
