#include "core/data/augmentation.h"

#include <QtTest>

#include <torch/torch.h>

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
};

void TestViewAugmenter::fullCropWithoutFlipIsIdentity()
{
    const torch::Tensor images = randomImages(4, 1, 28);
    const torch::Tensor view = ViewAugmenter(identityOptions(28)).randomView(images);
    const torch::Tensor expected = images.to(torch::kFloat) / 255.0;
    QVERIFY2(torch::allclose(view, expected, 1e-5, 1e-5), "a full-size crop must reproduce the image");
}

void TestViewAugmenter::flipMirrorsEveryImage()
{
    AugmentationOptions options = identityOptions(28);
    options.flipProbability = 1.0;
    const torch::Tensor images = randomImages(3, 3, 28);
    const torch::Tensor view = ViewAugmenter(options).randomView(images);
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
    AugmentationOptions options;
    options.cropSize = 28;
    const torch::Tensor images = randomImages(16, 1, 28);
    const ViewAugmenter augmenter(options);
    const torch::Tensor a = augmenter.randomView(images);
    const torch::Tensor b = augmenter.randomView(images);
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
    torch::manual_seed(5);
    const torch::Tensor first = augmenter.randomView(images);
    torch::manual_seed(5);
    const torch::Tensor second = augmenter.randomView(images);
    QVERIFY(torch::equal(first, second));
}

void TestViewAugmenter::blurKeepsMeanAndSmooths()
{
    AugmentationOptions options = identityOptions(28);
    options.blurProbability = 1.0;
    options.blurSigmaMin = options.blurSigmaMax = 2.0;
    const torch::Tensor images = randomImages(4, 1, 28);
    const torch::Tensor sharp = images.to(torch::kFloat) / 255.0;
    const torch::Tensor blurred = ViewAugmenter(options).randomView(images);
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
    AugmentationOptions options = identityOptions(28);
    options.jitterProbability = 1.0;
    options.brightness = options.contrast = options.saturation = 0.9;
    const torch::Tensor view = ViewAugmenter(options).randomView(randomImages(16, 3, 28));
    QVERIFY(view.min().item<double>() >= 0.0);
    QVERIFY(view.max().item<double>() <= 1.0);
}

QTEST_APPLESS_MAIN(TestViewAugmenter)
#include "tst_view_augmenter.moc"
