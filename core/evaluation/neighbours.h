#pragma once

#include <torch/types.h>

namespace tau::core {

/** How neighbours are ranked. */
enum class NeighbourMetric
{
    InnerProduct,     ///< largest q.r first: cosine similarity for unit rows
    SquaredEuclidean, ///< smallest |q - r|^2 first
};

struct NeighbourOptions
{
    int64_t k = 10;
    NeighbourMetric metric = NeighbourMetric::InnerProduct;
    /** The queries are the reference rows themselves: no row is its own neighbour. */
    bool excludeSelf = false;
    int64_t chunk = 1024; ///< query rows per block (memory: chunk x reference rows)
    /** Where the search runs (a GPU: the references cross once, the queries block by block); the results come
     *  back to the queries' device. */
    torch::Device device = torch::kCPU;
};

/** The k nearest reference rows of every query: [Q, k] values (inner products or squared distances) and indices. */
struct Neighbours
{
    torch::Tensor values;
    torch::Tensor indices;
};

/**
 * The one nearest-neighbour search of the evaluation (kNN accuracy, the kNN score, t-SNE's affinities): exact,
 * block by block over the queries. k is capped by the number of reference rows available.
 */
Neighbours nearestNeighbours(const torch::Tensor& queries, const torch::Tensor& reference, const NeighbourOptions& options);

} // namespace tau::core
