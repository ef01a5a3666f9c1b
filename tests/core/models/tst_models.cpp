#include "core/models/contrastive_model.h"
#include "core/models/resnet.h"
#include "tests/support/test_support.h"

#include <QtTest>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

using namespace tau::core;

namespace {

std::map<std::string, std::vector<int64_t>> namedShapes(torch::nn::Module& module)
{
    std::map<std::string, std::vector<int64_t>> shapes;
    for (const auto& item : module.named_parameters()) {
        shapes[item.key()] = item.value().sizes().vec();
    }
    for (const auto& item : module.named_buffers()) {
        shapes[item.key()] = item.value().sizes().vec();
    }
    return shapes;
}

int64_t parameterCount(torch::nn::Module& module)
{
    int64_t count = 0;
    for (const auto& p : module.parameters()) {
        count += p.numel();
    }
    return count;
}

} // namespace

class TestModels : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void resnetMatchesTorchvisionLayout_data();
    void resnetMatchesTorchvisionLayout();
    void outputShapes_data();
    void outputShapes();
    void mcDropoutStaysOnAtInference();
    void plainResnetIsDeterministicAtInference();

private:
    nlohmann::json m_torchvision;
};

void TestModels::initTestCase()
{
    const auto result = tau::test::runReferenceScript("torchvision_resnet_reference.py", {});
    QVERIFY2(result.exitCode == 0, result.standardError.constData());
    m_torchvision = nlohmann::json::parse(result.standardOutput.toStdString());
}

void TestModels::resnetMatchesTorchvisionLayout_data()
{
    QTest::addColumn<QString>("reference");
    QTest::addColumn<int>("depth");
    QTest::addColumn<bool>("conv3x3");
    QTest::newRow("ResNet-18, CIFAR stem") << "resnet18" << 18 << true;
    QTest::newRow("ResNet-18, ImageNet stem") << "resnet18_imagenet_stem" << 18 << false;
    QTest::newRow("ResNet-50") << "resnet50" << 50 << false;
}

void TestModels::resnetMatchesTorchvisionLayout()
{
    QFETCH(QString, reference);
    QFETCH(int, depth);
    QFETCH(bool, conv3x3);
    ResNetOptions options;
    options.depth = depth;
    options.conv3x3Stem = conv3x3;
    ResNet model(options);
    const auto& expected = m_torchvision[reference.toStdString()];
    const auto want = expected["shapes"].get<std::map<std::string, std::vector<int64_t>>>();
    const auto got = namedShapes(*model);
    for (const auto& [name, shape] : want) {
        QVERIFY2(got.count(name) == 1, qPrintable(QStringLiteral("missing %1").arg(name.c_str())));
        QVERIFY2(got.at(name) == shape, name.c_str());
    }
    QCOMPARE(got.size(), want.size());
    QCOMPARE(parameterCount(*model), expected["parameters"].get<int64_t>());
    QCOMPARE(model->featureDim(), depth == 18 ? int64_t(512) : int64_t(2048));
    // Initial weights spread as torchvision's: He-normal convolutions, except a 3x3 stem put in afterwards,
    // which keeps PyTorch's default kaiming-uniform (bounded by 1/sqrt(fan-in)). 5% covers the sampling error.
    std::map<std::string, torch::Tensor> parameters;
    for (const auto& item : model->named_parameters()) {
        parameters[item.key()] = item.value();
    }
    for (const auto& [name, spread] : expected["init"].items()) {
        const torch::Tensor weight = parameters.at(name).detach();
        const double std = weight.std().item<double>(), theirs = spread["std"].get<double>();
        QVERIFY2(std::abs(std / theirs - 1.0) < 0.05, qPrintable(QStringLiteral("%1: std %2, torchvision %3")
                                                                       .arg(name.c_str()).arg(std).arg(theirs)));
        if (conv3x3 && name == "conv1.weight") {
            QVERIFY(weight.abs().max().item<double>() <= spread["max"].get<double>() * 1.05);
        }
    }
}

void TestModels::outputShapes_data()
{
    QTest::addColumn<QString>("encoder");
    QTest::addColumn<int>("channels");
    QTest::addColumn<int>("size");
    QTest::addColumn<int>("classes");
    QTest::addColumn<bool>("posterior");
    QTest::addColumn<int>("featureDim");
    QTest::newRow("small CNN, 28x28, TaU head") << "small_cnn" << 1 << 28 << 0 << true << 128;
    QTest::newRow("small CNN, plain head") << "small_cnn" << 1 << 28 << 0 << false << 128;
    QTest::newRow("ResNet-18, 32x32, TaU head") << "resnet18" << 3 << 32 << 0 << true << 512;
    QTest::newRow("ResNet-18, classifier") << "resnet18" << 3 << 32 << 10 << false << 512;
    QTest::newRow("ResNet-50, 64x64, TaU head") << "resnet50" << 3 << 64 << 0 << true << 2048;
}

void TestModels::outputShapes()
{
    QFETCH(QString, encoder);
    QFETCH(int, channels);
    QFETCH(int, size);
    QFETCH(int, classes);
    QFETCH(bool, posterior);
    QFETCH(int, featureDim);
    ModelConfig config;
    config.encoder = encoder.toStdString();
    config.outDim = 16;
    config.posteriorHead = posterior;
    ContrastiveModel model(config, ModelInput{channels, size, classes});
    model->eval();
    torch::NoGradGuard noGrad;
    const ModelOutput out = model->forward(torch::randn({3, channels, size, size}));
    QCOMPARE(out.features.sizes().vec(), (std::vector<int64_t>{3, featureDim}));
    QCOMPARE(out.loc.sizes().vec(), (std::vector<int64_t>{3, classes > 0 ? classes : 16}));
    QCOMPARE(out.rawR.defined(), posterior && classes == 0);
    if (out.rawR.defined()) {
        QCOMPARE(out.rawR.sizes().vec(), (std::vector<int64_t>{3}));
    }
}

void TestModels::mcDropoutStaysOnAtInference()
{
    ModelConfig config;
    config.encoder = "resnet18";
    config.mcDropout = true;
    ContrastiveModel model(config, ModelInput{3, 32});
    model->eval();
    torch::NoGradGuard noGrad;
    const torch::Tensor x = torch::randn({2, 3, 32, 32});
    QVERIFY(!torch::allclose(model->forward(x).loc, model->forward(x).loc));
}

void TestModels::plainResnetIsDeterministicAtInference()
{
    ModelConfig config;
    config.encoder = "resnet18";
    ContrastiveModel model(config, ModelInput{3, 32});
    model->eval();
    torch::NoGradGuard noGrad;
    const torch::Tensor x = torch::randn({2, 3, 32, 32});
    QVERIFY(torch::equal(model->forward(x).loc, model->forward(x).loc));
}

QTEST_APPLESS_MAIN(TestModels)
#include "tst_models.moc"
