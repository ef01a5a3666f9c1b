#pragma once

#include "core/data/outlier_families.h"

#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace tau::core {

/**
 * @p count synthetic outliers made from @p views (normalised float [B, C, H, W]), the families drawn in equal
 * shares in the order given (the first families take the remainder). Every random choice comes from
 * @p generator, so a step's outliers are reproducible. The result has the views' dtype and device.
 * @throws TauError for an unknown family or an empty batch.
 */
torch::Tensor syntheticOutliers(const torch::Tensor& views, const std::vector<std::string>& families, int64_t count,
                                torch::Generator& generator);

/** Jigsaw outliers: each of @p images cut into a grid x grid of patches, shuffled (remainder rows/columns kept). */
torch::Tensor jigsawOutliers(const torch::Tensor& images, int64_t grid, torch::Generator& generator);

/**
 * @p count smooth random fields with the channels, size, dtype and device of @p like's images: uniform on
 * [low, high] at grid x grid, bilinearly upsampled.
 */
torch::Tensor smoothFieldOutliers(int64_t count, const torch::Tensor& like, int64_t grid, double low, double high,
                                  torch::Generator& generator);

} // namespace tau::core
