#pragma once

#include <ATen/core/Generator.h>
#include <torch/types.h>

#include <vector>

namespace tau::core {

/** The SimCLR view recipe (METHOD.md §5); every probability and range is a field. */
struct AugmentationOptions
{
    int64_t cropSize = 28;
    double minScale = 0.2, maxScale = 1.0;         ///< RandomResizedCrop area fraction
    double minRatio = 3.0 / 4.0, maxRatio = 4.0 / 3.0; ///< RandomResizedCrop aspect ratio
    double jitterProbability = 0.8;
    double brightness = 0.4, contrast = 0.4, saturation = 0.4; ///< ColorJitter strengths
    double hue = 0.1;                                          ///< ColorJitter hue shift (RGB only)
    double grayscaleProbability = 0.2;             ///< RGB only
    double blurProbability = 0.5;
    double blurSigmaMin = 0.1, blurSigmaMax = 2.0;
    double flipProbability = 0.5;
    std::vector<double> mean; ///< per channel; Normalize is the last step
    std::vector<double> std;
};

/**
 * The random stream of one image: a splitmix64 sequence, so an image's views depend only on its own seed and
 * not on which batch, shard or process it is drawn in (what keeps distributed training equal to one process).
 */
class ImageRandom
{
public:
    explicit ImageRandom(uint64_t seed) : m_state(seed) {}
    /** Uniform in [0, 1) from the top 53 bits: the same numbers on every platform. */
    double uniform();
    double uniform(double low, double high) { return low + (high - low) * uniform(); }

private:
    uint64_t m_state;
};

/** The per-image seed of view drawing: a mix of the run's seed, the global step and the image's dataset index. */
uint64_t imageViewSeed(uint64_t seed, uint64_t step, uint64_t imageIndex);

/** Rotates the hue of RGB images in [0, 1] by @p shift [B] (in turns, -0.5..0.5), as torchvision's adjust_hue. */
torch::Tensor adjustHue(const torch::Tensor& rgb, const torch::Tensor& shift);

/**
 * Makes random views of a batch on tensors, all images at once on the batch's device: crop and flip as one
 * affine resampling, jitter as per-image factors, blur as a grouped separable convolution.
 * Randomness comes from one ImageRandom per image: the trainer seeds each from (seed, step, image index), so
 * views are reproducible, independent of thread timing and of how the batch is split over processes, and can be
 * made ahead of time on a loader thread.
 *
 * Grayscale inputs skip saturation, hue and grayscale, as in METHOD.md.
 */
class ViewAugmenter
{
public:
    explicit ViewAugmenter(AugmentationOptions options);

    /** @param images uint8 [B, C, H, W]; @return float [B, C, crop, crop], normalised. */
    torch::Tensor randomView(const torch::Tensor& images, std::vector<ImageRandom>& random) const;
    /** The same, with each image's stream seeded from @p generator (for callers without image indices). */
    torch::Tensor randomView(const torch::Tensor& images, at::Generator& generator) const;

    const AugmentationOptions& options() const { return m_options; }

    /** The evaluation transform: no randomness, only scaling to [0, 1] and Normalize. */
    torch::Tensor evaluationView(const torch::Tensor& images) const;

private:
    torch::Tensor cropAndFlip(const torch::Tensor& images, std::vector<ImageRandom>& random) const;
    torch::Tensor jitter(const torch::Tensor& images, std::vector<ImageRandom>& random) const;
    torch::Tensor randomGrayscale(const torch::Tensor& images, std::vector<ImageRandom>& random) const;
    torch::Tensor blur(const torch::Tensor& images, std::vector<ImageRandom>& random) const;
    torch::Tensor normalize(const torch::Tensor& images) const;

    AugmentationOptions m_options;
};

} // namespace tau::core
