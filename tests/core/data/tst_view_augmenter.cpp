#include "core/data/augmentation.h"
#include "tests/support/test_support.h"

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <fstream>

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

} // namespace

class TestViewAugmenter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fullCropWithoutFlipIsIdentity();
    void flipMirrorsEveryImage();
    void evaluationViewNormalises();
    void randomViewsHaveShapeAndVary();
    void seedMakesViewsReproducible();
    void blurKeepsMeanAndSmooths();
    void jitterStaysInRange();
    void hueShiftMatchesTorchvision();
};

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

QTEST_APPLESS_MAIN(TestViewAugmenter)
#include "tst_view_augmenter.moc"
