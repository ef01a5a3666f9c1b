#pragma once

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
    double grayscaleProbability = 0.2;             ///< RGB only
    double blurProbability = 0.5;
    double blurSigmaMin = 0.1, blurSigmaMax = 2.0;
    double flipProbability = 0.5;
    std::vector<double> mean; ///< per channel; Normalize is the last step
    std::vector<double> std;
};

/**
 * Makes random views of a batch on tensors, all images at once on the batch's device: crop and flip as one
 * affine resampling, jitter as per-image factors, blur as a grouped separable convolution.
 * Randomness comes from torch's default CPU generator, so a seeded run is reproducible and its RNG state can
 * be checkpointed.
 *
 * Grayscale inputs skip saturation and grayscale, as in METHOD.md. Hue jitter is not applied yet (it only
 * matters for RGB sets, which come with the dataset work).
 */
class ViewAugmenter
{
public:
    explicit ViewAugmenter(AugmentationOptions options);

    /** @param images uint8 [B, C, H, W]; @return float [B, C, crop, crop], normalised. */
    torch::Tensor randomView(const torch::Tensor& images) const;

    /** The evaluation transform: no randomness, only scaling to [0, 1] and Normalize. */
    torch::Tensor evaluationView(const torch::Tensor& images) const;

private:
    torch::Tensor cropAndFlip(const torch::Tensor& images) const;
    torch::Tensor jitter(const torch::Tensor& images) const;
    torch::Tensor randomGrayscale(const torch::Tensor& images) const;
    torch::Tensor blur(const torch::Tensor& images) const;
    torch::Tensor normalize(const torch::Tensor& images) const;

    AugmentationOptions m_options;
};

} // namespace tau::core
