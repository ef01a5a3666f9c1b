#pragma once

// Torch-free API: the CLI and the GUI call these through plain types.

#include "core/common/cancellation.h"
#include "core/evaluation/evaluation_target.h"
#include "core/evaluation/ood_evaluation.h"

#include <functional>
#include <string>
#include <vector>

namespace tau::core {

struct TsneOptions
{
    double perplexity = 30.0;
    int iterations = 1000;
    double learningRate = 0.0; ///< 0: scikit-learn's "auto", max(n / 12 / 4, 50)
    uint64_t seed = 1337;
    int exactLimit = 3000; ///< more points than this use Barnes-Hut (exact t-SNE costs N^2 memory and time)
    double theta = 0.5;    ///< Barnes-Hut accuracy: a cell counts as one point when its size / distance < theta
};

/**
 * Exact t-SNE (van der Maaten and Hinton 2008): per-point bandwidths found by bisection to the perplexity,
 * symmetrised affinities, early exaggeration 12 for the first 250 iterations, momentum 0.5 then 0.8, and
 * per-parameter gains. @p points is row-major [n, dim]; returns [n, 2] row-major.
 * Beyond options.exactLimit points it uses the Barnes-Hut approximation (van der Maaten 2014): affinities to
 * the 3 x perplexity nearest neighbours only, and repulsion from a quadtree.
 * @p progress gets (iteration, iterations). @throws TauError for too few points for the perplexity.
 */
std::vector<double> tsne(const std::vector<float>& points, int64_t dim, const TsneOptions& options,
                         const std::function<void(int, int)>& progress, const CancellationToken& cancel);

/**
 * The first two principal components of @p points (row-major [n, dim]), as [n, 2] row-major: fitted on the first
 * @p fitRows rows (0: all) and every row projected, so OOD points added after the ID ones leave the ID layout as
 * it was.
 */
std::vector<double> pca2(const std::vector<float>& points, int64_t dim, int64_t fitRows = 0);

struct EmbeddingOptions : EvaluationTarget
{
    EmbeddingOptions()
        : EvaluationTarget("embedding")
    {
        limit = 2000; // t-SNE is quadratic in the points: a seeded 2,000 unless asked otherwise
    }

    std::string space = "h"; ///< h (backbone features) or loc (projection)
    bool withTsne = true;
    TsneOptions tsne;
};

struct EmbeddingResult
{
    std::string directory;
    std::string file; ///< embedding.csv: index,label,c,pca_x,pca_y[,tsne_x,tsne_y]
    long long points = 0;
    bool cancelled = false;
};

/** Extracts h or loc for a dataset, projects it with PCA (and t-SNE), and writes eval/<name>/embedding.csv. */
EmbeddingResult embedDataset(const EmbeddingOptions& options, EvaluationObserver& observer,
                             const CancellationToken& cancel);

} // namespace tau::core
