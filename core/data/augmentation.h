#pragma once

#include "core/data/raw_images.h"

#include <ATen/core/Generator.h>
#include <torch/types.h>

#include <algorithm>
#include <array>
#include <vector>

namespace tau::core {

/** The SimCLR view recipe (the README's "Configs"); every probability and range is a field. */
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
    /** Uniform over the integers 0 .. count - 1. */
    int64_t below(int64_t count) { return std::min(count - 1, int64_t(uniform() * double(count))); }

private:
    uint64_t m_state;
};

/** The per-image seed of view drawing: a mix of the run's seed, the global step and the image's dataset index. */
uint64_t imageViewSeed(uint64_t seed, uint64_t step, uint64_t imageIndex);

/** A crop box in pixels: rows [top, top + height) and columns [left, left + width) of the image. */
struct CropBox
{
    int64_t top = 0, left = 0, height = 0, width = 0;
};

/** ColorJitter's adjustments, as indices of ViewParameters::jitterFactors and jitterOrder. */
enum JitterAdjustment
{
    kBrightness,
    kContrast,
    kSaturation,
    kHue
};

/** Everything random about one view of one image, drawn by sampleView from that image's stream. */
struct ViewParameters
{
    ImageExtent source; ///< the image the crop box is drawn on: its file's size (the stored square may be stretched)
    CropBox crop;
    bool flip = false;
    bool jitter = false;                                    ///< ColorJitter applies (jitterProbability)
    std::array<double, 4> jitterFactors{1.0, 1.0, 1.0, 0.0}; ///< brightness, contrast, saturation, hue shift
    std::array<int, 4> jitterOrder{kBrightness, kContrast, kSaturation, kHue}; ///< a random permutation
    bool grayscale = false;
    bool blur = false;
    double blurSigma = 0.0;
};

/**
 * torchvision's RandomResizedCrop.get_params on a height x width image: up to 10 draws of an area fraction and a
 * log-uniform aspect ratio whose rounded box fits, at a uniform integer position; else the whole image cut to the
 * nearest allowed aspect ratio, centred.
 */
CropBox sampleCropBox(int64_t height, int64_t width, const AugmentationOptions& options, ImageRandom& random);

/** One view's parameters with torchvision's distributions (the README's "Configs"), ColorJitter's order permuted per view. */
ViewParameters sampleView(int64_t height, int64_t width, const AugmentationOptions& options, ImageRandom& random);

/**
 * ColorJitter on images in [0, 1] [B, C, H, W]: for each view whose jitter applies, brightness, contrast,
 * saturation and hue (the last two for RGB only) in that view's order, as torchvision's tensor functions compute them.
 */
torch::Tensor applyColorJitter(const torch::Tensor& images, const std::vector<ViewParameters>& views);

/**
 * The columns of a view table: one row per view, everything the device-side path reads about it as numbers, so
 * a batch's parameters reach the GPU as one small copy and no step of the view waits on the host.
 */
enum ViewColumn
{
    kScaleX,            ///< crop and flip as an affine map (align_corners=false): the box's width fraction, negative when flipped
    kScaleY,            ///< the box's height fraction
    kCentreX,           ///< the box's centre, -1..1
    kCentreY,
    kJitterApplies,     ///< 1 where ColorJitter applies
    kJitterFactor,      ///< four columns: brightness, contrast, saturation, hue shift (JitterAdjustment order)
    kJitterOrder = kJitterFactor + 4, ///< four columns: the adjustment at each position of the view's order
    kGrayscaleApplies = kJitterOrder + 4,
    kBlurApplies,
    kBlurSigma,
    kViewColumns
};

/** The views as a float table [views, kViewColumns]; @p stored is the image size where a view has no source extent. */
torch::Tensor viewTable(const std::vector<ViewParameters>& views, ImageExtent stored);

/**
 * The device-side ColorJitter: the same adjustments as applyColorJitter, read from a view table, with no host
 * decisions: at each of the four positions every image is blended towards its adjustment's target and kept where
 * its order puts that adjustment there. It computes what it discards (the hue four times over), which costs
 * little on a GPU and keeps every kernel's shape fixed. @p withHue: false skips the hue (option hue: 0).
 */
torch::Tensor applyColorJitter(const torch::Tensor& images, const torch::Tensor& table, bool withHue);

/** Rotates the hue of RGB images in [0, 1] by @p shift [B] (in turns, -0.5..0.5), as torchvision's adjust_hue. */
torch::Tensor adjustHue(const torch::Tensor& rgb, const torch::Tensor& shift);

/**
 * Makes random views of a batch on tensors, all images at once on the batch's device: each image's parameters
 * drawn on the host as torchvision draws them (sampleView), then crop and flip as one affine resampling, jitter as
 * per-image factors in per-image order, blur as a grouped separable convolution. On a GPU the parameters travel
 * as one view table and the pixels never leave the device (applyViewTable).
 * Randomness comes from one ImageRandom per image: the trainer seeds each from (seed, step, image index), so
 * views are reproducible, independent of thread timing and of how the batch is split over processes, and can be
 * made ahead of time on a loader thread.
 *
 * Grayscale inputs skip saturation, hue and grayscale, as in the README's "What it trains".
 */
class ViewAugmenter
{
public:
    explicit ViewAugmenter(AugmentationOptions options);

    /**
     * @param images uint8 [B, C, H, W]; @return float [B, C, crop, crop], normalised.
     * @param sources each image's extent in its file (ImageDataset::gather), on which its crop box is drawn as
     *        torchvision draws it on the original; null: the stored size.
     */
    torch::Tensor randomView(const torch::Tensor& images, std::vector<ImageRandom>& random,
                             const std::vector<ImageExtent>* sources = nullptr) const;
    /** The same, with each image's stream seeded from @p generator (for callers without image indices). */
    torch::Tensor randomView(const torch::Tensor& images, at::Generator& generator,
                             const std::vector<ImageExtent>* sources = nullptr) const;

    const AugmentationOptions& options() const { return m_options; }

    /** Each image's view parameters, drawn from its stream (what randomView draws before it cuts the views). */
    std::vector<ViewParameters> sampleViews(const torch::Tensor& images, std::vector<ImageRandom>& random,
                                            const std::vector<ImageExtent>* sources = nullptr) const;

    /** The evaluation transform: scaling to [0, 1] and Normalize, after Resize(evaluationResize(crop)) and
     *  CenterCrop(crop) for images stored at another size (a CIFAR image for a 224-pixel model, say). */
    torch::Tensor evaluationView(const torch::Tensor& images) const;

    /**
     * The view that @p views describe (one per image): crop and flip, jitter, grayscale, blur, Normalize. The
     * jitter adjusts only the images that have each adjustment at each position: the least work on a CPU.
     */
    torch::Tensor applyView(const torch::Tensor& images, const std::vector<ViewParameters>& views) const;

    /**
     * The device-side augmenter: the same view from a view table already on the images' device, every step a
     * fixed-shape kernel over the whole batch and nothing read back to the host (applyColorJitter's table form).
     * randomView takes this path for images on a GPU; on the CPU it equals applyView within float rounding.
     */
    torch::Tensor applyViewTable(const torch::Tensor& images, const torch::Tensor& table) const;

private:
    torch::Tensor cropAndFlip(const torch::Tensor& images, const torch::Tensor& table) const;
    torch::Tensor randomGrayscale(const torch::Tensor& images, const torch::Tensor& table) const;
    torch::Tensor blur(const torch::Tensor& images, const torch::Tensor& table) const;
    torch::Tensor normalize(const torch::Tensor& images) const;

    AugmentationOptions m_options;
};

} // namespace tau::core
