#include "core/evaluation/neighbours.h"

#include <torch/torch.h>

#include <limits>

namespace tau::core {

Neighbours nearestNeighbours(const torch::Tensor& queries, const torch::Tensor& reference, const NeighbourOptions& options)
{
    const bool similarity = options.metric == NeighbourMetric::InnerProduct;
    const int64_t k = std::min<int64_t>(options.k, reference.size(0) - (options.excludeSelf ? 1 : 0));
    const torch::Tensor references = reference.to(options.device);
    const torch::Tensor referenceNorms = similarity ? torch::Tensor() : references.pow(2).sum(1);
    std::vector<torch::Tensor> values, indices;
    for (int64_t begin = 0; begin < queries.size(0); begin += options.chunk) {
        const torch::Tensor block = queries.slice(0, begin, begin + options.chunk).to(options.device);
        torch::Tensor keys = similarity ? torch::matmul(block, references.t())
                                        : (block.pow(2).sum(1, true) + referenceNorms.unsqueeze(0) -
                                           2.0 * block.matmul(references.t()))
                                              .clamp_min(0.0);
        if (options.excludeSelf) {
            const torch::Tensor rows = torch::arange(block.size(0), keys.options().dtype(torch::kLong));
            const double never = similarity ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
            keys.index_put_({rows, rows + begin}, never);
        }
        auto [nearest, at] = keys.topk(k, 1, /*largest=*/similarity);
        values.push_back(nearest);
        indices.push_back(at);
    }
    if (values.empty()) {
        return {torch::empty({0, k}, reference.options()), torch::empty({0, k}, torch::kLong)};
    }
    // One copy back per search, not per block: a GPU's blocks queue without waiting on the host.
    return {torch::cat(values).to(queries.device()), torch::cat(indices).to(queries.device())};
}

} // namespace tau::core
