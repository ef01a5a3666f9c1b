#include "core/data/augmentation.h"

#include <torch/torch.h>

#include <cmath>

namespace tau::core {

namespace F = torch::nn::functional;

namespace {

/** Uniform samples in [low, high) on the CPU generator, moved to @p device. */
torch::Tensor uniform(int64_t n, double low, double high, const torch::Device& device)
{
    return (torch::rand({n}, torch::kDouble) * (high - low) + low).to(device, torch::kFloat);
}

torch::Tensor bernoulliMask(int64_t n, double probability, const torch::Device& device)
{
    return (torch::rand({n}, torch::kDouble) < probability).to(device);
}

/** ITU-R 601 luma, as torchvision's rgb_to_grayscale. Keeps the channel dimension. */
torch::Tensor luma(const torch::Tensor& images)
{
    if (images.size(1) == 1) {
        return images;
    }
    return (0.299 * images.select(1, 0) + 0.587 * images.select(1, 1) + 0.114 * images.select(1, 2)).unsqueeze(1);
}

torch::Tensor perImage(const torch::Tensor& values)
{
    return values.view({-1, 1, 1, 1});
}

} // namespace

ViewAugmenter::ViewAugmenter(AugmentationOptions options) : m_options(std::move(options)) {}

torch::Tensor ViewAugmenter::randomView(const torch::Tensor& images) const
{
    torch::Tensor view = images.to(torch::kFloat).div_(255.0);
    view = cropAndFlip(view);
    view = jitter(view);
    view = randomGrayscale(view);
    view = blur(view);
    return normalize(view);
}

torch::Tensor ViewAugmenter::evaluationView(const torch::Tensor& images) const
{
    torch::Tensor view = images.to(torch::kFloat).div_(255.0);
    if (view.size(2) != m_options.cropSize || view.size(3) != m_options.cropSize) {
        view = F::interpolate(view, F::InterpolateFuncOptions()
                                        .size(std::vector<int64_t>{m_options.cropSize, m_options.cropSize})
                                        .mode(torch::kBilinear)
                                        .align_corners(false));
    }
    return normalize(view);
}

torch::Tensor ViewAugmenter::cropAndFlip(const torch::Tensor& images) const
{
    const int64_t n = images.size(0);
    const auto device = images.device();
    // RandomResizedCrop: area fraction and log-uniform aspect ratio give the box's width and height as
    // fractions of the image side; the centre is uniform over the positions that keep the box inside.
    const torch::Tensor area = uniform(n, m_options.minScale, m_options.maxScale, device);
    const torch::Tensor ratio =
        uniform(n, std::log(m_options.minRatio), std::log(m_options.maxRatio), device).exp();
    const torch::Tensor width = (area * ratio).sqrt().clamp_max(1.0);
    const torch::Tensor height = (area / ratio).sqrt().clamp_max(1.0);
    const torch::Tensor centreX = uniform(n, -1.0, 1.0, device) * (1.0 - width);
    const torch::Tensor centreY = uniform(n, -1.0, 1.0, device) * (1.0 - height);
    const torch::Tensor flip = torch::where(bernoulliMask(n, m_options.flipProbability, device),
                                            torch::full({n}, -1.0f, images.options()),
                                            torch::full({n}, 1.0f, images.options()));

    torch::Tensor theta = torch::zeros({n, 2, 3}, images.options());
    theta.select(1, 0).select(1, 0).copy_(width * flip);
    theta.select(1, 0).select(1, 2).copy_(centreX);
    theta.select(1, 1).select(1, 1).copy_(height);
    theta.select(1, 1).select(1, 2).copy_(centreY);
    const torch::Tensor grid = F::affine_grid(theta, {n, images.size(1), m_options.cropSize, m_options.cropSize},
                                              /*align_corners=*/false);
    return F::grid_sample(images, grid,
                          F::GridSampleFuncOptions().mode(torch::kBilinear).padding_mode(torch::kBorder).align_corners(
                              false));
}

torch::Tensor ViewAugmenter::jitter(const torch::Tensor& images) const
{
    const int64_t n = images.size(0);
    const auto device = images.device();
    const torch::Tensor apply = bernoulliMask(n, m_options.jitterProbability, device);
    const auto factor = [&](double strength) {
        const torch::Tensor sampled = uniform(n, std::max(0.0, 1.0 - strength), 1.0 + strength, device);
        return perImage(torch::where(apply, sampled, torch::ones_like(sampled)));
    };
    // Brightness scales, contrast blends with the image's mean grey, saturation with its own grey image.
    torch::Tensor out = (images * factor(m_options.brightness)).clamp(0.0, 1.0);
    const torch::Tensor meanGrey = luma(out).mean({1, 2, 3}, /*keepdim=*/true);
    const torch::Tensor contrast = factor(m_options.contrast);
    out = (contrast * out + (1.0 - contrast) * meanGrey).clamp(0.0, 1.0);
    if (out.size(1) == 3) {
        const torch::Tensor saturation = factor(m_options.saturation);
        out = (saturation * out + (1.0 - saturation) * luma(out)).clamp(0.0, 1.0);
    }
    return out;
}

torch::Tensor ViewAugmenter::randomGrayscale(const torch::Tensor& images) const
{
    if (images.size(1) != 3) {
        return images;
    }
    const torch::Tensor apply = perImage(bernoulliMask(images.size(0), m_options.grayscaleProbability, images.device()));
    return torch::where(apply, luma(images).expand_as(images), images);
}

torch::Tensor ViewAugmenter::blur(const torch::Tensor& images) const
{
    const int64_t n = images.size(0);
    const int64_t channels = images.size(1);
    const int64_t side = std::min(images.size(2), images.size(3));
    // Kernel covers three sigmas of the widest blur, but reflection padding needs it narrower than the image.
    const int64_t radius = std::min<int64_t>(static_cast<int64_t>(std::ceil(3.0 * m_options.blurSigmaMax)), side - 1);
    if (radius < 1 || m_options.blurProbability <= 0.0) {
        return images;
    }
    const auto device = images.device();
    const torch::Tensor apply = bernoulliMask(n, m_options.blurProbability, device);
    const torch::Tensor sigma = uniform(n, m_options.blurSigmaMin, m_options.blurSigmaMax, device);
    const torch::Tensor offsets = torch::arange(-radius, radius + 1, images.options());
    torch::Tensor kernel = (-offsets.pow(2).unsqueeze(0) / (2.0 * sigma.pow(2).unsqueeze(1))).exp();
    kernel = kernel / kernel.sum(1, /*keepdim=*/true);
    const torch::Tensor identity = (offsets == 0).to(images.scalar_type()).unsqueeze(0).expand_as(kernel);
    kernel = torch::where(apply.unsqueeze(1), kernel, identity);

    // One group per (image, channel): a single grouped convolution blurs the whole batch.
    const int64_t width = 2 * radius + 1;
    const torch::Tensor perChannel = kernel.repeat_interleave(channels, 0);
    torch::Tensor flat = images.reshape({1, n * channels, images.size(2), images.size(3)});
    flat = F::pad(flat, F::PadFuncOptions({radius, radius, 0, 0}).mode(torch::kReflect));
    flat = F::conv2d(flat, perChannel.view({n * channels, 1, 1, width}), F::Conv2dFuncOptions().groups(n * channels));
    flat = F::pad(flat, F::PadFuncOptions({0, 0, radius, radius}).mode(torch::kReflect));
    flat = F::conv2d(flat, perChannel.view({n * channels, 1, width, 1}), F::Conv2dFuncOptions().groups(n * channels));
    return flat.view_as(images);
}

torch::Tensor ViewAugmenter::normalize(const torch::Tensor& images) const
{
    if (m_options.mean.empty()) {
        return images;
    }
    const auto options = images.options();
    const torch::Tensor mean = torch::tensor(m_options.mean, torch::kDouble).to(options).view({1, -1, 1, 1});
    const torch::Tensor std = torch::tensor(m_options.std, torch::kDouble).to(options).view({1, -1, 1, 1});
    return (images - mean) / std;
}

} // namespace tau::core
