#include "core/common/error.h"
#include "core/data/augmentation.h"
#include "core/data/synthetic_outliers.h"
#include "tests/support/test_support.h"

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>

using namespace tau::core;

namespace {

AugmentationOptions identityOptions(int64_t size)
{
    AugmentationOptions options;
    options.cropSize = size;
    options.minScale = options.maxScale = 1.0;
    options.minRatio = options.maxRatio = 1.0;
    options.jitterProbability = 0.0;
    options.grayscaleProbability = 0.0;
    options.blurProbability = 0.0;
    options.flipProbability = 0.0;
    return options;
}

at::Generator seeded(uint64_t seed)
{
    return at::detail::createCPUGenerator(seed);
}

torch::Tensor randomImages(int64_t n, int64_t channels, int64_t size)
{
    torch::manual_seed(11);
    return torch::randint(0, 256, {n, channels, size, size}, torch::kUInt8);
}

constexpr int kSamples = 20000; // draws per distribution, on each side

/** Two-sample Kolmogorov-Smirnov statistic: the largest gap between the two empirical distribution functions. */
double ksStatistic(std::vector<double> a, std::vector<double> b)
{
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    size_t i = 0, j = 0;
    double largest = 0;
    while (i < a.size() && j < b.size()) {
        const double x = std::min(a[i], b[j]);
        while (i < a.size() && a[i] <= x) {
            ++i;
        }
        while (j < b.size() && b[j] <= x) {
            ++j;
        }
        largest = std::max(largest, std::abs(double(i) / double(a.size()) - double(j) / double(b.size())));
    }
    return largest;
}

/** The KS statistic two samples of kSamples each stay under with probability 0.999 when drawn alike. */
double ksCritical()
{
    return 1.95 * std::sqrt(2.0 / kSamples);
}

/** Whether two rates of kSamples draws each agree within 4.5 standard errors. */
bool ratesAgree(double a, double b)
{
    const double p = std::clamp((a + b) / 2, 1e-3, 1 - 1e-3);
    return std::abs(a - b) <= 4.5 * std::sqrt(p * (1 - p) * 2.0 / kSamples);
}

AugmentationOptions simclrOptions()
{
    AugmentationOptions options; // the defaults in the README's "Configs", as torchvision's transforms in the reference
    options.cropSize = 32;
    return options;
}

std::vector<ViewParameters> ourViews(int64_t height, int64_t width)
{
    std::vector<ViewParameters> views;
    for (int i = 0; i < kSamples; ++i) {
        ImageRandom random(imageViewSeed(7, 0, uint64_t(i)));
        views.push_back(sampleView(height, width, simclrOptions(), random));
    }
    return views;
}

/** Area fraction, log aspect ratio and whether the box spans a full side, of each box. */
struct BoxStatistics
{
    std::vector<double> area, logAspect;
    double fullSide = 0;
};

BoxStatistics statisticsOf(const std::vector<CropBox>& boxes, int64_t height, int64_t width)
{
    BoxStatistics statistics;
    for (const CropBox& box : boxes) {
        statistics.area.push_back(double(box.height * box.width) / double(height * width));
        statistics.logAspect.push_back(std::log(double(box.width) / double(box.height)));
        statistics.fullSide += (box.height == height || box.width == width) ? 1.0 / double(boxes.size()) : 0.0;
    }
    return statistics;
}

std::vector<float> values(const torch::Tensor& tensor)
{
    const torch::Tensor flat = tensor.contiguous().view(-1).to(torch::kFloat);
    return {flat.data_ptr<float>(), flat.data_ptr<float>() + flat.numel()};
}

} // namespace

class TestViewAugmenter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cropBoxesFollowTorchvision_data();
    void cropBoxesFollowTorchvision();
    void jitterOrderAndFactorsFollowTorchvision();
    void applyRatesAndBlurFollowTorchvision();
    void jitterMatchesTorchvisionInEachOrder();
    void normalisationMatchesTorchvision();
    void deviceSidePathEqualsTheCpuPath_data();
    void deviceSidePathEqualsTheCpuPath();
    void fullCropWithoutFlipIsIdentity();
    void flipMirrorsEveryImage();
    void evaluationViewNormalises();
    void randomViewsHaveShapeAndVary();
    void seedMakesViewsReproducible();
    void blurKeepsMeanAndSmooths();
    void jitterStaysInRange();
    void hueShiftMatchesTorchvision();
    void jigsawOutliersShuffleEachViewsPatches();
    void smoothFieldOutliersAreSmoothAndInRange();
    void outlierFamiliesShareTheCountAndAreReproducible();

private:
    nlohmann::json m_torchvision; ///< what augmentation_reference.py drew and computed
    torch::Tensor m_jitterImages;  ///< [6, 3, 5, 5] uint8, sent to the reference as floats in [0, 1]
    std::vector<ViewParameters> m_jitterViews;
};

void TestViewAugmenter::initTestCase()
{
    torch::manual_seed(5);
    m_jitterImages = torch::randint(0, 256, {6, 3, 5, 5}, torch::kUInt8);
    // Strong factors, and an order per image that puts each adjustment first somewhere.
    const std::vector<std::array<int, 4>> orders = {{0, 1, 2, 3}, {3, 2, 1, 0}, {1, 3, 0, 2},
                                                    {2, 0, 3, 1}, {1, 0, 2, 3}, {3, 1, 2, 0}};
    nlohmann::json factors = nlohmann::json::array(), orderList = nlohmann::json::array();
    for (size_t i = 0; i < orders.size(); ++i) {
        ViewParameters view;
        view.jitter = true;
        view.jitterOrder = orders[i];
        view.jitterFactors = {0.6 + 0.15 * double(i), 1.4 - 0.15 * double(i), 0.65 + 0.13 * double(i), -0.1 + 0.04 * double(i)};
        m_jitterViews.push_back(view);
        factors.push_back(view.jitterFactors);
        orderList.push_back(view.jitterOrder);
    }
    QTemporaryDir dir;
    const QString input = dir.filePath("in.json"), output = dir.filePath("out.json");
    std::ofstream(input.toStdString()) << nlohmann::json{
        {"samples", kSamples},
        {"sizes", {{32, 32}, {32, 96}, {96, 32}}},
        {"jitter",
         {{"images", values(m_jitterImages.to(torch::kFloat) / 255.0)},
          {"shape", m_jitterImages.sizes().vec()},
          {"factors", factors},
          {"orders", orderList}}}}.dump();
    const auto result = tau::test::runReferenceScript("augmentation_reference.py", {input, output});
    QVERIFY2(result.exitCode == 0, result.standardError.constData());
    m_torchvision = nlohmann::json::parse(tau::test::readFile(output).toStdString());
}

void TestViewAugmenter::cropBoxesFollowTorchvision_data()
{
    QTest::addColumn<int>("height");
    QTest::addColumn<int>("width");
    QTest::newRow("32x32") << 32 << 32;
    QTest::newRow("32x96 (wider than 4:3)") << 32 << 96;
    QTest::newRow("96x32 (taller than 3:4)") << 96 << 32;
}

void TestViewAugmenter::cropBoxesFollowTorchvision()
{
    QFETCH(int, height);
    QFETCH(int, width);
    std::vector<CropBox> ours, theirs;
    for (const ViewParameters& view : ourViews(height, width)) {
        const CropBox& box = view.crop;
        QVERIFY(box.top >= 0 && box.left >= 0 && box.height > 0 && box.width > 0);
        QVERIFY(box.top + box.height <= height && box.left + box.width <= width);
        ours.push_back(box);
    }
    for (const auto& box : m_torchvision["crops"][std::to_string(height) + "x" + std::to_string(width)]) {
        theirs.push_back({box[0], box[1], box[2], box[3]});
    }
    const BoxStatistics a = statisticsOf(ours, height, width), b = statisticsOf(theirs, height, width);
    const double areaGap = ksStatistic(a.area, b.area), aspectGap = ksStatistic(a.logAspect, b.logAspect);
    QVERIFY2(areaGap < ksCritical(), qPrintable(QStringLiteral("area KS %1 >= %2").arg(areaGap).arg(ksCritical())));
    QVERIFY2(aspectGap < ksCritical(), qPrintable(QStringLiteral("aspect KS %1").arg(aspectGap)));
    QVERIFY2(ratesAgree(a.fullSide, b.fullSide),
             qPrintable(QStringLiteral("boxes spanning a side: %1 here, %2 in torchvision").arg(a.fullSide).arg(b.fullSide)));
    // Positions too: the box's left edge relative to the room it has.
    std::vector<double> leftA, leftB;
    for (const CropBox& box : ours) {
        leftA.push_back(box.width < width ? double(box.left) / double(width - box.width) : 0.5);
    }
    for (const CropBox& box : theirs) {
        leftB.push_back(box.width < width ? double(box.left) / double(width - box.width) : 0.5);
    }
    QVERIFY2(ksStatistic(leftA, leftB) < ksCritical(), "crop positions differ from torchvision's");
}

void TestViewAugmenter::jitterOrderAndFactorsFollowTorchvision()
{
    const std::vector<ViewParameters> views = ourViews(32, 32);
    std::map<std::array<int, 4>, int> ourOrders, theirOrders;
    std::array<std::vector<double>, 4> ourFactors, theirFactors;
    for (const ViewParameters& view : views) {
        ++ourOrders[view.jitterOrder];
        for (size_t k = 0; k < 4; ++k) {
            ourFactors[k].push_back(view.jitterFactors[k]);
        }
    }
    for (size_t i = 0; i < size_t(kSamples); ++i) {
        ++theirOrders[m_torchvision["jitter_orders"][i].get<std::array<int, 4>>()];
        for (size_t k = 0; k < 4; ++k) {
            theirFactors[k].push_back(m_torchvision["jitter_factors"][i][k].get<double>());
        }
    }
    // All 24 orders, each about equally often (chi-square, 23 degrees of freedom, p = 0.001: 49.7).
    QCOMPARE(int(ourOrders.size()), 24);
    QCOMPARE(int(theirOrders.size()), 24);
    const double expected = double(kSamples) / 24.0;
    double chiSquare = 0;
    for (const auto& [order, count] : ourOrders) {
        chiSquare += (count - expected) * (count - expected) / expected;
    }
    QVERIFY2(chiSquare < 49.7, qPrintable(QStringLiteral("orders far from uniform: chi-square %1").arg(chiSquare)));
    for (size_t k = 0; k < 4; ++k) {
        const double gap = ksStatistic(ourFactors[k], theirFactors[k]);
        QVERIFY2(gap < ksCritical(), qPrintable(QStringLiteral("jitter factor %1: KS %2").arg(k).arg(gap)));
    }
}

void TestViewAugmenter::applyRatesAndBlurFollowTorchvision()
{
    const AugmentationOptions options = simclrOptions();
    double flips = 0, jitters = 0, grays = 0, blurs = 0;
    std::vector<double> sigmas, theirSigmas;
    for (const ViewParameters& view : ourViews(32, 32)) {
        flips += view.flip;
        jitters += view.jitter;
        grays += view.grayscale;
        blurs += view.blur;
        sigmas.push_back(view.blurSigma);
    }
    // RandomHorizontalFlip(0.5), RandomApply(ColorJitter, 0.8), RandomGrayscale(0.2), RandomApply(blur, 0.5).
    QVERIFY(ratesAgree(flips / kSamples, options.flipProbability));
    QVERIFY(ratesAgree(jitters / kSamples, options.jitterProbability));
    QVERIFY(ratesAgree(grays / kSamples, options.grayscaleProbability));
    QVERIFY(ratesAgree(blurs / kSamples, options.blurProbability));
    for (const auto& sigma : m_torchvision["blur_sigmas"]) {
        theirSigmas.push_back(sigma.get<double>());
    }
    QVERIFY2(ksStatistic(sigmas, theirSigmas) < ksCritical(), "blur sigma differs from GaussianBlur.get_params");
}

void TestViewAugmenter::jitterMatchesTorchvisionInEachOrder()
{
    const torch::Tensor images = m_jitterImages.to(torch::kFloat) / 255.0;
    const torch::Tensor ours = applyColorJitter(images, m_jitterViews);
    const torch::Tensor theirs = torch::tensor(m_torchvision["jittered"].get<std::vector<float>>()).view_as(images);
    // Float32 through four adjustments; the hue's trip through HSV divides by the chroma, which amplifies the
    // rounding of the factors (torchvision blends with a Python float): 1e-4, far below the order's effect.
    const double worst = (ours - theirs).abs().max().item<double>();
    QVERIFY2(worst < 1e-4, qPrintable(QString::number(worst)));
    // The device-side form, from a view table, meets the same reference.
    const torch::Tensor table = viewTable(m_jitterViews, {5, 5});
    const double worstOfTable = (applyColorJitter(images, table, /*withHue=*/true) - theirs).abs().max().item<double>();
    QVERIFY2(worstOfTable < 1e-4, qPrintable(QString::number(worstOfTable)));
    // The order matters for these factors: the same adjustments in a fixed order give other images.
    std::vector<ViewParameters> fixedOrder = m_jitterViews;
    for (ViewParameters& view : fixedOrder) {
        view.jitterOrder = {kBrightness, kContrast, kSaturation, kHue};
    }
    QVERIFY((applyColorJitter(images, fixedOrder) - theirs).abs().max().item<double>() > 1e-3);
}

void TestViewAugmenter::normalisationMatchesTorchvision()
{
    AugmentationOptions options = identityOptions(5);
    options.mean = {0.485, 0.456, 0.406};
    options.std = {0.229, 0.224, 0.225};
    const torch::Tensor ours = ViewAugmenter(options).evaluationView(m_jitterImages);
    const torch::Tensor theirs =
        torch::tensor(m_torchvision["normalized"].get<std::vector<float>>()).view_as(ours);
    const double worst = (ours - theirs).abs().max().item<double>();
    QVERIFY2(worst < 1e-5, qPrintable(QString::number(worst)));
}

void TestViewAugmenter::deviceSidePathEqualsTheCpuPath_data()
{
    QTest::addColumn<int>("channels");
    QTest::addColumn<double>("hue");
    QTest::newRow("rgb") << 3 << 0.1;
    QTest::newRow("rgb without hue") << 3 << 0.0;
    QTest::newRow("grayscale") << 1 << 0.1;
}

void TestViewAugmenter::deviceSidePathEqualsTheCpuPath()
{
    QFETCH(int, channels);
    QFETCH(double, hue);
    AugmentationOptions options = simclrOptions();
    options.hue = hue;
    options.jitterProbability = 0.9; // nearly every view jittered, so every order and adjustment occurs
    options.mean.assign(size_t(channels), 0.45);
    options.std.assign(size_t(channels), 0.25);
    const ViewAugmenter augmenter(options);
    const torch::Tensor images = randomImages(96, channels, 40); // stored larger than the crop: resampling
    std::vector<ImageRandom> random;
    for (uint64_t i = 0; i < uint64_t(images.size(0)); ++i) {
        random.emplace_back(imageViewSeed(3, 8, i));
    }
    const std::vector<ViewParameters> views = augmenter.sampleViews(images, random);
    std::set<std::array<int, 4>> orders;
    for (const ViewParameters& view : views) {
        orders.insert(view.jitterOrder);
    }
    QVERIFY2(orders.size() >= 20, "the sample should hold most of ColorJitter's 24 orders");

    const torch::Tensor cpuPath = augmenter.applyView(images, views);
    const torch::Tensor devicePath = augmenter.applyViewTable(images, viewTable(views, {40, 40}));
    QCOMPARE(devicePath.sizes().vec(), (std::vector<int64_t>{96, channels, 32, 32}));
    const double worst = (devicePath - cpuPath).abs().max().item<double>();
    QVERIFY2(worst < 1e-5, qPrintable(QStringLiteral("the paths differ by %1").arg(worst)));
    // Not equal by accident: other parameters give other views.
    std::vector<ImageRandom> other;
    for (uint64_t i = 0; i < uint64_t(images.size(0)); ++i) {
        other.emplace_back(imageViewSeed(3, 9, i));
    }
    const torch::Tensor otherViews = augmenter.applyViewTable(images, viewTable(augmenter.sampleViews(images, other), {40, 40}));
    QVERIFY((otherViews - cpuPath).abs().max().item<double>() > 0.1);
}

void TestViewAugmenter::fullCropWithoutFlipIsIdentity()
{
    auto generator = seeded(17);
    const torch::Tensor images = randomImages(4, 1, 28);
    const torch::Tensor view = ViewAugmenter(identityOptions(28)).randomView(images, generator);
    const torch::Tensor expected = images.to(torch::kFloat) / 255.0;
    QVERIFY2(torch::allclose(view, expected, 1e-5, 1e-5), "a full-size crop must reproduce the image");
}

void TestViewAugmenter::flipMirrorsEveryImage()
{
    auto generator = seeded(17);
    AugmentationOptions options = identityOptions(28);
    options.flipProbability = 1.0;
    const torch::Tensor images = randomImages(3, 3, 28);
    const torch::Tensor view = ViewAugmenter(options).randomView(images, generator);
    const torch::Tensor expected = images.to(torch::kFloat).flip({3}) / 255.0;
    QVERIFY(torch::allclose(view, expected, 1e-5, 1e-5));
}

void TestViewAugmenter::evaluationViewNormalises()
{
    AugmentationOptions options = identityOptions(28);
    options.mean = {0.2860};
    options.std = {0.3530};
    const torch::Tensor images = randomImages(2, 1, 28);
    const torch::Tensor view = ViewAugmenter(options).evaluationView(images);
    const torch::Tensor expected = (images.to(torch::kFloat) / 255.0 - 0.2860) / 0.3530;
    QVERIFY(torch::allclose(view, expected, 1e-5, 1e-5));
}

void TestViewAugmenter::randomViewsHaveShapeAndVary()
{
    auto generator = seeded(17);
    AugmentationOptions options;
    options.cropSize = 28;
    const torch::Tensor images = randomImages(16, 1, 28);
    const ViewAugmenter augmenter(options);
    const torch::Tensor a = augmenter.randomView(images, generator);
    const torch::Tensor b = augmenter.randomView(images, generator);
    QCOMPARE(a.sizes(), images.sizes());
    QCOMPARE(a.scalar_type(), torch::kFloat);
    QVERIFY(torch::isfinite(a).all().item<bool>());
    QVERIFY2(!torch::allclose(a, b), "two views of the same batch must differ");
}

void TestViewAugmenter::seedMakesViewsReproducible()
{
    AugmentationOptions options;
    options.cropSize = 28;
    const torch::Tensor images = randomImages(8, 3, 28);
    const ViewAugmenter augmenter(options);
    auto firstGenerator = seeded(5);
    auto secondGenerator = seeded(5);
    const torch::Tensor first = augmenter.randomView(images, firstGenerator);
    const torch::Tensor second = augmenter.randomView(images, secondGenerator);
    QVERIFY(torch::equal(first, second));
}

void TestViewAugmenter::blurKeepsMeanAndSmooths()
{
    auto generator = seeded(17);
    AugmentationOptions options = identityOptions(28);
    options.blurProbability = 1.0;
    options.blurSigmaMin = options.blurSigmaMax = 2.0;
    const torch::Tensor images = randomImages(4, 1, 28);
    const torch::Tensor sharp = images.to(torch::kFloat) / 255.0;
    const torch::Tensor blurred = ViewAugmenter(options).randomView(images, generator);
    // A normalised kernel keeps the mean (reflection at the border changes it only slightly)...
    QVERIFY(std::abs(blurred.mean().item<double>() - sharp.mean().item<double>()) < 0.01);
    // ...and removes most of the pixel-to-pixel variation of noise.
    const auto roughness = [](const torch::Tensor& x) {
        return (x.slice(3, 1) - x.slice(3, 0, -1)).abs().mean().item<double>();
    };
    QVERIFY(roughness(blurred) < 0.25 * roughness(sharp));
}

void TestViewAugmenter::jitterStaysInRange()
{
    auto generator = seeded(17);
    AugmentationOptions options = identityOptions(28);
    options.jitterProbability = 1.0;
    options.brightness = options.contrast = options.saturation = 0.9;
    const torch::Tensor view = ViewAugmenter(options).randomView(randomImages(16, 3, 28), generator);
    QVERIFY(view.min().item<double>() >= 0.0);
    QVERIFY(view.max().item<double>() <= 1.0);
}

void TestViewAugmenter::hueShiftMatchesTorchvision()
{
    torch::manual_seed(21);
    const torch::Tensor images = torch::rand({6, 3, 5, 5});
    const torch::Tensor shifts = torch::tensor({-0.5, -0.3, -0.05, 0.0, 0.1, 0.45}, torch::kFloat);
    QTemporaryDir dir;
    const QString input = dir.filePath("in.json"), output = dir.filePath("out.json");
    const torch::Tensor flat = images.contiguous().view(-1);
    std::ofstream(input.toStdString()) << nlohmann::json{
        {"images", std::vector<float>(flat.data_ptr<float>(), flat.data_ptr<float>() + flat.numel())},
        {"shape", images.sizes().vec()},
        {"shifts", std::vector<float>(shifts.data_ptr<float>(), shifts.data_ptr<float>() + 6)}}.dump();
    const auto result = tau::test::runReferenceScript("adjust_hue_reference.py", {input, output});
    QVERIFY2(result.exitCode == 0, result.standardError.constData());
    const auto expected = nlohmann::json::parse(tau::test::readFile(output).toStdString()).get<std::vector<float>>();
    const torch::Tensor reference = torch::tensor(expected).view_as(images);
    const torch::Tensor shifted = adjustHue(images, shifts);
    const double worst = (shifted - reference).abs().max().item<double>();
    QVERIFY2(worst < 1e-5, qPrintable(QString::number(worst)));
}

namespace {

/** The patches of a grid x grid jigsaw of one image [C, H, W], each flattened: [grid * grid, C * p * q]. */
torch::Tensor patchesOf(const torch::Tensor& image, int64_t grid)
{
    const int64_t c = image.size(0), p = image.size(1) / grid, q = image.size(2) / grid;
    return image.reshape({c, grid, p, grid, q}).permute({1, 3, 0, 2, 4}).reshape({grid * grid, c * p * q});
}

} // namespace

/** Every jigsaw outlier holds exactly the 16 patches of one of the views, in another order. */
void TestViewAugmenter::jigsawOutliersShuffleEachViewsPatches()
{
    torch::manual_seed(5);
    const torch::Tensor views = torch::randn({6, 3, 28, 28}); // continuous values: no two patches are equal
    torch::Generator generator = seeded(9);
    const torch::Tensor outliers = jigsawOutliers(views.repeat({2, 1, 1, 1}), 4, generator);
    QCOMPARE(outliers.sizes(), (torch::IntArrayRef{12, 3, 28, 28}));
    int reordered = 0;
    for (int64_t i = 0; i < outliers.size(0); ++i) {
        const torch::Tensor source = patchesOf(views[i % 6], 4), shuffled = patchesOf(outliers[i], 4);
        // Each outlier patch is one source patch, and every source patch is used once.
        const torch::Tensor matches = (shuffled.unsqueeze(1) == source.unsqueeze(0)).all(2); // [16, 16]
        QVERIFY2(matches.sum(1).eq(1).all().item<bool>() && matches.sum(0).eq(1).all().item<bool>(),
                 qPrintable(QString("outlier %1 is not a permutation of its view's patches").arg(i)));
        reordered += torch::equal(shuffled, source) ? 0 : 1;
    }
    QCOMPARE(reordered, 12);
    // 30 x 30: the 7 x 7 patches cover 28 x 28, and the last two rows and columns stay where they were.
    const torch::Tensor odd = torch::randn({2, 1, 30, 30});
    const torch::Tensor oddOutliers = jigsawOutliers(odd, 4, generator);
    using torch::indexing::Slice;
    QVERIFY(torch::equal(oddOutliers.index({Slice(), Slice(), Slice(28, 30)}), odd.index({Slice(), Slice(), Slice(28, 30)})));
    QVERIFY(torch::equal(oddOutliers.index({Slice(), Slice(), Slice(), Slice(28, 30)}),
                         odd.index({Slice(), Slice(), Slice(), Slice(28, 30)})));
}

/**
 * Smooth fields stay within [low, high], cover it, and change by at most (high - low) / 7 between neighbouring
 * pixels: a 4 x 4 field bilinearly upsampled to 28 x 28 has no steeper slope (an unsmoothed one would).
 */
void TestViewAugmenter::smoothFieldOutliersAreSmoothAndInRange()
{
    const torch::Tensor like = torch::zeros({1, 3, 28, 28}, torch::kDouble);
    torch::Generator generator = seeded(3);
    const double low = -0.8, high = 2.0;
    const torch::Tensor fields = smoothFieldOutliers(200, like, 4, low, high, generator);
    QCOMPARE(fields.sizes(), (torch::IntArrayRef{200, 3, 28, 28}));
    QCOMPARE(fields.scalar_type(), torch::kDouble);
    QVERIFY(fields.min().item<double>() >= low - 1e-6 && fields.max().item<double>() <= high + 1e-6);
    QVERIFY(fields.min().item<double>() < low + 0.2 * (high - low) && fields.max().item<double>() > high - 0.2 * (high - low));
    using torch::indexing::Slice;
    const double slopeLimit = (high - low) / 7.0 + 1e-6;
    const torch::Tensor rows = (fields.index({Slice(), Slice(), Slice(1)}) - fields.index({Slice(), Slice(), Slice(0, -1)})).abs();
    const torch::Tensor columns =
        (fields.index({Slice(), Slice(), Slice(), Slice(1)}) - fields.index({Slice(), Slice(), Slice(), Slice(0, -1)})).abs();
    QVERIFY2(rows.max().item<double>() <= slopeLimit && columns.max().item<double>() <= slopeLimit,
             qPrintable(QString("steepest step %1, limit %2").arg(std::max(rows.max().item<double>(), columns.max().item<double>())).arg(slopeLimit)));
    // The channels are drawn independently (a colour field, not a grey one).
    QVERIFY(!torch::allclose(fields.select(1, 0), fields.select(1, 1)));
}

/** Families take equal shares in order (the first the remainder), and one generator seed gives one set of outliers. */
void TestViewAugmenter::outlierFamiliesShareTheCountAndAreReproducible()
{
    torch::manual_seed(2);
    const torch::Tensor views = torch::randn({8, 1, 28, 28});
    const double low = views.min().item<double>(), high = views.max().item<double>();
    torch::Generator first = seeded(17), second = seeded(17);
    const torch::Tensor a = syntheticOutliers(views, {"jigsaw", "smooth_field"}, 7, first);
    const torch::Tensor b = syntheticOutliers(views, {"jigsaw", "smooth_field"}, 7, second);
    QCOMPARE(a.size(0), int64_t(7));
    QVERIFY(torch::equal(a, b));
    // Jigsaws first (4: their pixels are the views'), then 3 smooth fields spanning the views' range.
    for (int64_t i = 0; i < 4; ++i) {
        const torch::Tensor sorted = std::get<0>(a[i].flatten().sort());
        bool fromAView = false;
        for (int64_t j = 0; j < views.size(0); ++j) {
            fromAView = fromAView || torch::equal(sorted, std::get<0>(views[j].flatten().sort()));
        }
        QVERIFY2(fromAView, qPrintable(QString("outlier %1 is not a shuffled view").arg(i)));
    }
    const torch::Tensor fields = a.narrow(0, 4, 3);
    QVERIFY(fields.min().item<double>() >= low - 1e-5 && fields.max().item<double>() <= high + 1e-5);
    torch::Generator third = seeded(18);
    QVERIFY(!torch::equal(a, syntheticOutliers(views, {"jigsaw", "smooth_field"}, 7, third)));
    QVERIFY_THROWS_EXCEPTION(TauError, syntheticOutliers(views, {"rotated"}, 4, third));
}

QTEST_APPLESS_MAIN(TestViewAugmenter)
#include "tst_view_augmenter.moc"
