#include "core/data/augmentation.h"

#include <torch/torch.h>

#include <array>
#include <cmath>
#include <limits>

namespace tau::core {

namespace F = torch::nn::functional;

namespace {

/** One uniform sample in [low, high) per image, each from that image's own stream, moved to @p device. */
torch::Tensor uniform(double low, double high, const torch::Device& device, std::vector<ImageRandom>& random)
{
    std::vector<double> values;
    values.reserve(random.size());
    for (ImageRandom& stream : random) {
        values.push_back(stream.uniform(low, high));
    }
    return torch::tensor(values, torch::kDouble).to(device, torch::kFloat);
}

torch::Tensor bernoulliMask(double probability, const torch::Device& device, std::vector<ImageRandom>& random)
{
    std::vector<uint8_t> values;
    values.reserve(random.size());
    for (ImageRandom& stream : random) {
        values.push_back(stream.uniform() < probability ? 1 : 0);
    }
    return torch::tensor(values, torch::kUInt8).to(device, torch::kBool);
}

uint64_t splitmix(uint64_t& state)
{
    uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
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

/** RGB in [0, 1] to hue, saturation, value (each [B, H, W]); the hexcone formulas torchvision uses. */
std::array<torch::Tensor, 3> rgbToHsv(const torch::Tensor& rgb)
{
    const torch::Tensor r = rgb.select(1, 0), g = rgb.select(1, 1), b = rgb.select(1, 2);
    const torch::Tensor maxc = std::get<0>(rgb.max(1));
    const torch::Tensor minc = std::get<0>(rgb.min(1));
    const torch::Tensor grey = maxc == minc;
    const torch::Tensor chroma = maxc - minc;
    const torch::Tensor ones = torch::ones_like(maxc);
    const torch::Tensor saturation = chroma / torch::where(grey, ones, maxc);
    const torch::Tensor divisor = torch::where(grey, ones, chroma);
    const torch::Tensor rc = (maxc - r) / divisor, gc = (maxc - g) / divisor, bc = (maxc - b) / divisor;
    const torch::Tensor isR = maxc == r;
    const torch::Tensor isG = (maxc == g).logical_and(isR.logical_not());
    const torch::Tensor isB = isR.logical_not().logical_and((maxc == g).logical_not());
    const torch::Tensor hue = isR * (bc - gc) + isG * (2.0 + rc - bc) + isB * (4.0 + gc - rc);
    return {torch::fmod(hue / 6.0 + 1.0, 1.0), saturation, maxc};
}

torch::Tensor hsvToRgb(const torch::Tensor& hue, const torch::Tensor& saturation, const torch::Tensor& value)
{
    const torch::Tensor sector = torch::floor(hue * 6.0);
    const torch::Tensor fraction = hue * 6.0 - sector;
    const torch::Tensor index = sector.to(torch::kLong).remainder(6);
    const torch::Tensor p = (value * (1.0 - saturation)).clamp(0.0, 1.0);
    const torch::Tensor q = (value * (1.0 - saturation * fraction)).clamp(0.0, 1.0);
    const torch::Tensor t = (value * (1.0 - saturation * (1.0 - fraction))).clamp(0.0, 1.0);
    // For each of the six sectors of the hexcone, which of (v, q, p, t) each channel takes.
    const torch::Tensor choices[3] = {torch::stack({value, q, p, p, t, value}, 1), torch::stack({t, value, value, q, p, p}, 1),
                                      torch::stack({p, p, t, value, value, q}, 1)};
    std::vector<torch::Tensor> channels;
    for (const torch::Tensor& choice : choices) {
        channels.push_back(choice.gather(1, index.unsqueeze(1)).squeeze(1));
    }
    return torch::stack(channels, 1);
}

} // namespace

double ImageRandom::uniform()
{
    return double(splitmix(m_state) >> 11) * 0x1.0p-53;
}

uint64_t imageViewSeed(uint64_t seed, uint64_t step, uint64_t imageIndex)
{
    uint64_t state = seed;
    state = splitmix(state) ^ step;
    state = splitmix(state) ^ imageIndex;
    return splitmix(state);
}

torch::Tensor adjustHue(const torch::Tensor& rgb, const torch::Tensor& shift)
{
    auto [hue, saturation, value] = rgbToHsv(rgb);
    return hsvToRgb(torch::fmod(hue + shift.view({-1, 1, 1}) + 1.0, 1.0), saturation, value);
}

ViewAugmenter::ViewAugmenter(AugmentationOptions options) : m_options(std::move(options)) {}

torch::Tensor ViewAugmenter::randomView(const torch::Tensor& images, std::vector<ImageRandom>& random) const
{
    TORCH_CHECK(int64_t(random.size()) == images.size(0), "one random stream per image");
    torch::Tensor view = images.to(torch::kFloat).div_(255.0);
    view = cropAndFlip(view, random);
    view = jitter(view, random);
    view = randomGrayscale(view, random);
    view = blur(view, random);
    return normalize(view);
}

torch::Tensor ViewAugmenter::randomView(const torch::Tensor& images, at::Generator& generator) const
{
    const torch::Tensor seeds = torch::randint(std::numeric_limits<int64_t>::max(), {images.size(0)}, generator, torch::kLong);
    std::vector<ImageRandom> random;
    for (int64_t i = 0; i < seeds.size(0); ++i) {
        random.emplace_back(uint64_t(seeds[i].item<int64_t>()));
    }
    return randomView(images, random);
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

torch::Tensor ViewAugmenter::cropAndFlip(const torch::Tensor& images, std::vector<ImageRandom>& random) const
{
    const int64_t n = images.size(0);
    const auto device = images.device();
    // RandomResizedCrop: area fraction and log-uniform aspect ratio give the box's width and height as
    // fractions of the image side; the centre is uniform over the positions that keep the box inside.
    const torch::Tensor area = uniform(m_options.minScale, m_options.maxScale, device, random);
    const torch::Tensor ratio =
        uniform(std::log(m_options.minRatio), std::log(m_options.maxRatio), device, random).exp();
    const torch::Tensor width = (area * ratio).sqrt().clamp_max(1.0);
    const torch::Tensor height = (area / ratio).sqrt().clamp_max(1.0);
    const torch::Tensor centreX = uniform(-1.0, 1.0, device, random) * (1.0 - width);
    const torch::Tensor centreY = uniform(-1.0, 1.0, device, random) * (1.0 - height);
    const torch::Tensor flip = torch::where(bernoulliMask(m_options.flipProbability, device, random),
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

torch::Tensor ViewAugmenter::jitter(const torch::Tensor& images, std::vector<ImageRandom>& random) const
{
    const int64_t n = images.size(0);
    const auto device = images.device();
    const torch::Tensor apply = bernoulliMask(m_options.jitterProbability, device, random);
    const auto factor = [&](double strength) {
        const torch::Tensor sampled = uniform(std::max(0.0, 1.0 - strength), 1.0 + strength, device, random);
        return perImage(torch::where(apply, sampled, torch::ones_like(sampled)));
    };
    // Brightness scales, contrast blends with the image's mean grey, saturation with its own grey image, hue
    // rotates in HSV. torchvision shuffles the four; a fixed order keeps the views a function of the seed.
    torch::Tensor out = (images * factor(m_options.brightness)).clamp(0.0, 1.0);
    const torch::Tensor meanGrey = luma(out).mean({1, 2, 3}, /*keepdim=*/true);
    const torch::Tensor contrast = factor(m_options.contrast);
    out = (contrast * out + (1.0 - contrast) * meanGrey).clamp(0.0, 1.0);
    if (out.size(1) == 3) {
        const torch::Tensor saturation = factor(m_options.saturation);
        out = (saturation * out + (1.0 - saturation) * luma(out)).clamp(0.0, 1.0);
        if (m_options.hue > 0.0) {
            const torch::Tensor sampled = uniform(-m_options.hue, m_options.hue, device, random);
            const torch::Tensor shift = torch::where(apply, sampled, torch::zeros_like(sampled)).view({-1, 1, 1});
            out = adjustHue(out, shift.view(-1));
        }
    }
    return out;
}

torch::Tensor ViewAugmenter::randomGrayscale(const torch::Tensor& images, std::vector<ImageRandom>& random) const
{
    if (images.size(1) != 3) {
        return images;
    }
    const torch::Tensor apply = perImage(bernoulliMask(m_options.grayscaleProbability, images.device(), random));
    return torch::where(apply, luma(images).expand_as(images), images);
}

torch::Tensor ViewAugmenter::blur(const torch::Tensor& images, std::vector<ImageRandom>& random) const
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
    const torch::Tensor apply = bernoulliMask(m_options.blurProbability, device, random);
    const torch::Tensor sigma = uniform(m_options.blurSigmaMin, m_options.blurSigmaMax, device, random);
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
