#include "core/data/augmentation.h"

#include "core/data/image_decoder.h"

#include <torch/torch.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace tau::core {

namespace F = torch::nn::functional;

namespace {

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

/** One column of a view table: a value per view [B]. */
torch::Tensor column(const torch::Tensor& table, ViewColumn which)
{
    return table.select(1, which);
}

/** Where a 0/1 column of a view table is set, as a mask [B]. */
torch::Tensor flagged(const torch::Tensor& table, ViewColumn which)
{
    return column(table, which) > 0.5;
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

/** One of ColorJitter's adjustments with a factor per image ([B]), as torchvision's tensor functions. */
torch::Tensor adjust(const torch::Tensor& images, JitterAdjustment adjustment, const torch::Tensor& factor)
{
    const torch::Tensor f = perImage(factor);
    switch (adjustment) {
    case kBrightness: return (images * f).clamp(0.0, 1.0);
    case kContrast: return (f * images + (1.0 - f) * luma(images).mean({1, 2, 3}, /*keepdim=*/true)).clamp(0.0, 1.0);
    case kSaturation: return (f * images + (1.0 - f) * luma(images)).clamp(0.0, 1.0);
    case kHue: break;
    }
    return adjustHue(images, factor);
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

CropBox sampleCropBox(int64_t height, int64_t width, const AugmentationOptions& options, ImageRandom& random)
{
    const double area = double(height * width);
    const double logMin = std::log(options.minRatio), logMax = std::log(options.maxRatio);
    for (int attempt = 0; attempt < 10; ++attempt) {
        const double target = area * random.uniform(options.minScale, options.maxScale);
        const double aspect = std::exp(random.uniform(logMin, logMax));
        // Python's round() rounds halves to even, as nearbyint does in the default rounding mode.
        const auto boxWidth = int64_t(std::nearbyint(std::sqrt(target * aspect)));
        const auto boxHeight = int64_t(std::nearbyint(std::sqrt(target / aspect)));
        if (boxWidth > 0 && boxWidth <= width && boxHeight > 0 && boxHeight <= height) {
            const int64_t top = random.below(height - boxHeight + 1);
            const int64_t left = random.below(width - boxWidth + 1);
            return {top, left, boxHeight, boxWidth};
        }
    }
    // No draw fitted: the whole image, cut to the nearest allowed aspect ratio, centred.
    const double imageRatio = double(width) / double(height);
    int64_t boxWidth = width, boxHeight = height;
    if (imageRatio < options.minRatio) {
        boxHeight = int64_t(std::nearbyint(double(width) / options.minRatio));
    } else if (imageRatio > options.maxRatio) {
        boxWidth = int64_t(std::nearbyint(double(height) * options.maxRatio));
    }
    return {(height - boxHeight) / 2, (width - boxWidth) / 2, boxHeight, boxWidth};
}

ViewParameters sampleView(int64_t height, int64_t width, const AugmentationOptions& options, ImageRandom& random)
{
    ViewParameters view;
    view.source = {height, width};
    view.crop = sampleCropBox(height, width, options, random);
    view.flip = random.uniform() < options.flipProbability;
    view.jitter = random.uniform() < options.jitterProbability;
    // torchvision's ColorJitter.get_params: a random order (randperm(4)), then the four factors.
    for (int i = 3; i > 0; --i) {
        std::swap(view.jitterOrder[size_t(i)], view.jitterOrder[size_t(random.below(i + 1))]);
    }
    view.jitterFactors[kBrightness] = random.uniform(std::max(0.0, 1.0 - options.brightness), 1.0 + options.brightness);
    view.jitterFactors[kContrast] = random.uniform(std::max(0.0, 1.0 - options.contrast), 1.0 + options.contrast);
    view.jitterFactors[kSaturation] = random.uniform(std::max(0.0, 1.0 - options.saturation), 1.0 + options.saturation);
    view.jitterFactors[kHue] = random.uniform(-options.hue, options.hue);
    view.grayscale = random.uniform() < options.grayscaleProbability;
    view.blur = random.uniform() < options.blurProbability;
    view.blurSigma = random.uniform(options.blurSigmaMin, options.blurSigmaMax);
    return view;
}

torch::Tensor viewTable(const std::vector<ViewParameters>& views, ImageExtent stored)
{
    torch::Tensor table = torch::zeros({int64_t(views.size()), kViewColumns}, torch::kDouble);
    auto rows = table.accessor<double, 2>();
    for (size_t i = 0; i < views.size(); ++i) {
        const ViewParameters& v = views[i];
        auto row = rows[int64_t(i)];
        // The box as a fraction of its own image, the file's extent: fractions hold on the stored square too,
        // however that was stretched.
        const double height = double(v.source.height > 0 ? v.source.height : stored.height);
        const double width = double(v.source.width > 0 ? v.source.width : stored.width);
        row[kScaleX] = (v.flip ? -1.0 : 1.0) * double(v.crop.width) / width;
        row[kScaleY] = double(v.crop.height) / height;
        row[kCentreX] = double(2 * v.crop.left + v.crop.width) / width - 1.0;
        row[kCentreY] = double(2 * v.crop.top + v.crop.height) / height - 1.0;
        row[kJitterApplies] = v.jitter ? 1.0 : 0.0;
        for (size_t k = 0; k < 4; ++k) {
            row[kJitterFactor + int64_t(k)] = v.jitterFactors[k];
            row[kJitterOrder + int64_t(k)] = double(v.jitterOrder[k]);
        }
        row[kGrayscaleApplies] = v.grayscale ? 1.0 : 0.0;
        row[kBlurApplies] = v.blur ? 1.0 : 0.0;
        row[kBlurSigma] = v.blurSigma;
    }
    return table.to(torch::kFloat);
}

torch::Tensor applyColorJitter(const torch::Tensor& images, const torch::Tensor& table, bool withHue)
{
    TORCH_CHECK(table.size(0) == images.size(0), "one view per image");
    const bool rgb = images.size(1) == 3;
    const torch::Tensor applies = flagged(table, kJitterApplies);
    const torch::Tensor factors = table.narrow(1, kJitterFactor, 4).to(images.scalar_type());
    const torch::Tensor orders = table.narrow(1, kJitterOrder, 4).to(torch::kLong);
    torch::Tensor out = images;
    for (int64_t position = 0; position < 4; ++position) {
        const torch::Tensor kind = orders.select(1, position);
        const torch::Tensor factor = perImage(factors.gather(1, kind.unsqueeze(1)).squeeze(1));
        // Brightness, contrast and saturation are one blend, towards black, the mean luma and the luma: the
        // very expressions of adjust(), so each image gets the numbers the CPU path gives it.
        const torch::Tensor grey = luma(out);
        const torch::Tensor target =
            torch::where(perImage(kind == kContrast), grey.mean({1, 2, 3}, /*keepdim=*/true),
                         torch::where(perImage(kind == kSaturation), grey, torch::zeros_like(grey)));
        const torch::Tensor blended = (factor * out + (1.0 - factor) * target).clamp(0.0, 1.0);
        torch::Tensor blend = applies.logical_and(kind != kHue);
        if (!rgb) {
            blend = blend.logical_and(kind != kSaturation); // grayscale images: brightness and contrast only
        }
        out = torch::where(perImage(blend), blended, out);
        if (rgb && withHue) {
            const torch::Tensor rotated = adjustHue(out, factors.select(1, kHue));
            out = torch::where(perImage(applies.logical_and(kind == kHue)), rotated, out);
        }
    }
    return out;
}

torch::Tensor applyColorJitter(const torch::Tensor& images, const std::vector<ViewParameters>& views)
{
    TORCH_CHECK(int64_t(views.size()) == images.size(0), "one view per image");
    const bool rgb = images.size(1) == 3;
    torch::Tensor out = images.clone();
    // At each of the four positions, every adjustment runs once on the views that have it there.
    for (size_t position = 0; position < 4; ++position) {
        for (int adjustment = kBrightness; adjustment <= kHue; ++adjustment) {
            if (!rgb && (adjustment == kSaturation || adjustment == kHue)) {
                continue; // grayscale images: brightness and contrast only (the README's "Configs")
            }
            std::vector<int64_t> chosen;
            std::vector<double> factors;
            for (size_t i = 0; i < views.size(); ++i) {
                if (views[i].jitter && views[i].jitterOrder[position] == adjustment) {
                    chosen.push_back(int64_t(i));
                    factors.push_back(views[i].jitterFactors[size_t(adjustment)]);
                }
            }
            const bool noShift = adjustment == kHue && std::all_of(factors.begin(), factors.end(),
                                                                   [](double shift) { return shift == 0.0; });
            if (chosen.empty() || noShift) {
                continue; // (hue: 0, the option that turns it off, would convert to HSV and back for nothing)
            }
            const torch::Tensor index = torch::tensor(chosen, torch::kLong).to(images.device());
            const torch::Tensor factor = torch::tensor(factors, torch::kDouble).to(images.device(), images.scalar_type());
            const torch::Tensor subset = out.index_select(0, index);
            out.index_copy_(0, index, adjust(subset, JitterAdjustment(adjustment), factor));
        }
    }
    return out;
}

ViewAugmenter::ViewAugmenter(AugmentationOptions options) : m_options(std::move(options)) {}

std::vector<ViewParameters> ViewAugmenter::sampleViews(const torch::Tensor& images, std::vector<ImageRandom>& random,
                                                     const std::vector<ImageExtent>* sources) const
{
    TORCH_CHECK(int64_t(random.size()) == images.size(0), "one random stream per image");
    TORCH_CHECK(sources == nullptr || sources->size() == random.size(), "one source extent per image");
    std::vector<ViewParameters> views;
    views.reserve(random.size());
    for (size_t i = 0; i < random.size(); ++i) {
        const ImageExtent source = sources != nullptr ? (*sources)[i] : ImageExtent{images.size(2), images.size(3)};
        views.push_back(sampleView(source.height, source.width, m_options, random[i]));
    }
    return views;
}

torch::Tensor ViewAugmenter::randomView(const torch::Tensor& images, std::vector<ImageRandom>& random,
                                        const std::vector<ImageExtent>* sources) const
{
    const std::vector<ViewParameters> views = sampleViews(images, random, sources);
    if (!images.is_cuda()) {
        return applyView(images, views);
    }
    // The parameters cross once, from pinned memory, queued on the stream like the kernels that read them.
    const torch::Tensor table =
        viewTable(views, {images.size(2), images.size(3)}).pin_memory().to(images.device(), /*non_blocking=*/true);
    return applyViewTable(images, table);
}

torch::Tensor ViewAugmenter::applyView(const torch::Tensor& images, const std::vector<ViewParameters>& views) const
{
    const torch::Tensor table = viewTable(views, {images.size(2), images.size(3)}).to(images.device());
    torch::Tensor view = images.to(torch::kFloat).div_(255.0);
    view = cropAndFlip(view, table);
    view = applyColorJitter(view, views);
    view = randomGrayscale(view, table);
    view = blur(view, table);
    return normalize(view);
}

torch::Tensor ViewAugmenter::applyViewTable(const torch::Tensor& images, const torch::Tensor& table) const
{
    TORCH_CHECK(table.dim() == 2 && table.size(0) == images.size(0) && table.size(1) == kViewColumns,
                "a view table has one row of ", int(kViewColumns), " columns per image");
    torch::Tensor view = images.to(torch::kFloat).div_(255.0);
    view = cropAndFlip(view, table);
    view = applyColorJitter(view, table, m_options.hue != 0.0);
    view = randomGrayscale(view, table);
    view = blur(view, table);
    return normalize(view);
}

torch::Tensor ViewAugmenter::randomView(const torch::Tensor& images, at::Generator& generator,
                                        const std::vector<ImageExtent>* sources) const
{
    const torch::Tensor seeds = torch::randint(std::numeric_limits<int64_t>::max(), {images.size(0)}, generator, torch::kLong);
    std::vector<ImageRandom> random;
    for (int64_t i = 0; i < seeds.size(0); ++i) {
        random.emplace_back(uint64_t(seeds[i].item<int64_t>()));
    }
    return randomView(images, random, sources);
}

torch::Tensor ViewAugmenter::evaluationView(const torch::Tensor& images) const
{
    torch::Tensor view = images.to(torch::kFloat).div_(255.0);
    const int64_t crop = m_options.cropSize;
    if (view.size(2) != crop || view.size(3) != crop) {
        // Stored images are square: Resize scales them to resize x resize, CenterCrop keeps the middle.
        const int64_t resize = evaluationResize(int(crop));
        view = F::interpolate(view, F::InterpolateFuncOptions()
                                        .size(std::vector<int64_t>{resize, resize})
                                        .mode(torch::kBilinear)
                                        .align_corners(false)
                                        .antialias(resize < view.size(2)));
        const auto offset = int64_t(std::nearbyint(double(resize - crop) / 2.0));
        view = view.narrow(2, offset, crop).narrow(3, offset, crop);
    }
    return normalize(view);
}

torch::Tensor ViewAugmenter::cropAndFlip(const torch::Tensor& images, const torch::Tensor& table) const
{
    const int64_t n = images.size(0);
    // Each pixel box as an affine map of the output onto the image: the view table's scale and centre columns.
    torch::Tensor theta = torch::zeros({n, 2, 3}, images.options());
    theta.select(1, 0).select(1, 0).copy_(column(table, kScaleX));
    theta.select(1, 0).select(1, 2).copy_(column(table, kCentreX));
    theta.select(1, 1).select(1, 1).copy_(column(table, kScaleY));
    theta.select(1, 1).select(1, 2).copy_(column(table, kCentreY));
    const torch::Tensor grid = F::affine_grid(theta, {n, images.size(1), m_options.cropSize, m_options.cropSize},
                                              /*align_corners=*/false);
    return F::grid_sample(images, grid,
                          F::GridSampleFuncOptions().mode(torch::kBilinear).padding_mode(torch::kBorder).align_corners(
                              false));
}

torch::Tensor ViewAugmenter::randomGrayscale(const torch::Tensor& images, const torch::Tensor& table) const
{
    if (images.size(1) != 3) {
        return images;
    }
    const torch::Tensor apply = perImage(flagged(table, kGrayscaleApplies));
    return torch::where(apply, luma(images).expand_as(images), images);
}

torch::Tensor ViewAugmenter::blur(const torch::Tensor& images, const torch::Tensor& table) const
{
    const int64_t n = images.size(0);
    const int64_t channels = images.size(1);
    const int64_t side = std::min(images.size(2), images.size(3));
    // Kernel covers three sigmas of the widest blur, but reflection padding needs it narrower than the image.
    const int64_t radius = std::min<int64_t>(static_cast<int64_t>(std::ceil(3.0 * m_options.blurSigmaMax)), side - 1);
    if (radius < 1 || m_options.blurProbability <= 0.0) {
        return images;
    }
    const torch::Tensor apply = flagged(table, kBlurApplies);
    const torch::Tensor sigma = column(table, kBlurSigma).to(images.scalar_type());
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
