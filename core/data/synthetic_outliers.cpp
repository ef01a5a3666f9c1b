#include "core/data/synthetic_outliers.h"

#include "core/common/error.h"

#include <torch/torch.h>

namespace tau::core {

namespace {

// A 4 x 4 grid: patches of 7 x 7 pixels on 28 x 28 images, 8 x 8 on 32 x 32 (big enough to keep strokes and
// texture, small enough that no object survives the shuffle).
constexpr int64_t kGrid = 4;

torch::TensorOptions cpuFloat()
{
    return torch::TensorOptions().dtype(torch::kFloat).device(torch::kCPU);
}

} // namespace

torch::Tensor jigsawOutliers(const torch::Tensor& images, int64_t grid, torch::Generator& generator)
{
    const int64_t n = images.size(0), channels = images.size(1);
    const int64_t patchRows = images.size(2) / grid, patchColumns = images.size(3) / grid;
    TORCH_CHECK(patchRows > 0 && patchColumns > 0, "images of ", images.size(2), "x", images.size(3),
                " are too small for a ", grid, "x", grid, " jigsaw");
    using torch::indexing::Slice;
    const auto tiled = Slice(0, grid * patchRows), tiledColumns = Slice(0, grid * patchColumns);
    const torch::Tensor patches = images.index({Slice(), Slice(), tiled, tiledColumns})
                                      .reshape({n, channels, grid, patchRows, grid, patchColumns})
                                      .permute({0, 2, 4, 1, 3, 5})
                                      .reshape({n, grid * grid, channels, patchRows, patchColumns});
    // A uniformly random permutation per image: the ranks of independent uniform keys.
    const torch::Tensor order =
        torch::argsort(torch::rand({n, grid * grid}, generator, cpuFloat()), /*dim=*/1, /*descending=*/false).to(images.device());
    const torch::Tensor shuffled = patches.gather(1, order.view({n, grid * grid, 1, 1, 1}).expand_as(patches));
    torch::Tensor result = images.clone();
    result.index_put_({Slice(), Slice(), tiled, tiledColumns},
                      shuffled.reshape({n, grid, grid, channels, patchRows, patchColumns})
                          .permute({0, 3, 1, 4, 2, 5})
                          .reshape({n, channels, grid * patchRows, grid * patchColumns}));
    return result;
}

torch::Tensor smoothFieldOutliers(int64_t count, const torch::Tensor& like, int64_t grid, double low, double high,
                                  torch::Generator& generator)
{
    namespace F = torch::nn::functional;
    const torch::Tensor coarse = torch::rand({count, like.size(1), grid, grid}, generator, cpuFloat()) *
                                     (high - low) + low;
    return F::interpolate(coarse, F::InterpolateFuncOptions()
                                      .size(std::vector<int64_t>{like.size(2), like.size(3)})
                                      .mode(torch::kBilinear)
                                      .align_corners(false))
        .to(like.device(), like.scalar_type());
}

torch::Tensor syntheticOutliers(const torch::Tensor& views, const std::vector<std::string>& families, int64_t count,
                                torch::Generator& generator)
{
    if (views.size(0) == 0 || families.empty()) {
        throw TauError("synthetic outliers need a non-empty batch and at least one family");
    }
    const double low = views.min().item<double>(), high = views.max().item<double>();
    std::vector<torch::Tensor> parts;
    const auto familyCount = int64_t(families.size());
    for (int64_t f = 0; f < familyCount; ++f) {
        const int64_t share = count / familyCount + (f < count % familyCount ? 1 : 0);
        if (share == 0) {
            continue;
        }
        const std::string& family = families[size_t(f)];
        if (family == "jigsaw") {
            const torch::Tensor sources =
                torch::randint(views.size(0), {share}, generator, torch::TensorOptions().dtype(torch::kLong));
            parts.push_back(jigsawOutliers(views.index_select(0, sources.to(views.device())), kGrid, generator));
        } else if (family == "smooth_field") {
            parts.push_back(smoothFieldOutliers(share, views, kGrid, low, high, generator));
        } else {
            throw TauError("unknown synthetic outlier family '" + family + "' (known: jigsaw, smooth_field)");
        }
    }
    return parts.empty() ? views.narrow(0, 0, 0) : torch::cat(parts);
}

} // namespace tau::core
