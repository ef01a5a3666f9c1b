#include "core/training/optimizer_factory.h"
#include "tests/support/test_support.h"

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <fstream>

using namespace tau::core;
using nlohmann::json;

class TestOptimizerFactory : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void matchesReference_data();
    void matchesReference();
};

void TestOptimizerFactory::matchesReference_data()
{
    QTest::addColumn<QString>("optimizer");
    QTest::addColumn<bool>("lars");
    QTest::addColumn<QString>("exclusion");
    QTest::newRow("Adam") << "adam" << false << "none";
    QTest::newRow("Adam + LARS") << "adam" << true << "none";
    QTest::newRow("Adam + LARS, bias/BN excluded") << "adam" << true << "ours";
    QTest::newRow("Adam + LARS, the original's exclusion") << "adam" << true << "original";
    QTest::newRow("SGD + LARS") << "sgd" << true << "none";
    QTest::newRow("SGD + LARS, the original's exclusion") << "sgd" << true << "original";
    QTest::newRow("SGD, bias/BN excluded") << "sgd" << false << "ours";
}

void TestOptimizerFactory::matchesReference()
{
    QFETCH(QString, optimizer);
    QFETCH(bool, lars);
    QFETCH(QString, exclusion);
    OptimizerConfig config;
    config.name = optimizer.toStdString();
    config.learningRate = 0.05;
    config.weightDecay = 0.01;
    config.momentum = 0.9;
    config.lars = lars;
    config.larsEta = 0.02;
    config.excludeBnBias = exclusion != "none";
    config.larsOnExcluded = exclusion == "original";

    torch::manual_seed(8);
    std::vector<torch::Tensor> parameters = {torch::randn({4, 3}, torch::kDouble), torch::randn({4}, torch::kDouble),
                                             torch::zeros({2, 2}, torch::kDouble)}; // a zero tensor skips LARS
    for (auto& p : parameters) {
        p.requires_grad_(true);
    }
    std::vector<std::vector<torch::Tensor>> grads;
    for (int step = 0; step < 3; ++step) {
        grads.push_back({torch::randn({4, 3}, torch::kDouble), torch::randn({4}, torch::kDouble),
                         torch::randn({2, 2}, torch::kDouble)});
    }

    const auto flat = [](const torch::Tensor& t) {
        const torch::Tensor c = t.detach().contiguous().view(-1);
        return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
    };
    json spec = {{"optimizer", config.name}, {"lr", config.learningRate}, {"weight_decay", config.weightDecay},
                 {"momentum", config.momentum}, {"lars", lars}, {"eta", config.larsEta}, {"exclusion", exclusion.toStdString()},
                 {"params", json::array()}, {"grads", json::array()}};
    for (const auto& p : parameters) {
        spec["params"].push_back({{"shape", p.sizes().vec()}, {"data", flat(p)}});
    }
    for (const auto& step : grads) {
        json stepJson = json::array();
        for (const auto& g : step) {
            stepJson.push_back(flat(g));
        }
        spec["grads"].push_back(stepJson);
    }
    QTemporaryDir dir;
    const QString input = dir.filePath("in.json"), output = dir.filePath("out.json");
    std::ofstream(input.toStdString()) << spec.dump();
    const auto result = tau::test::runReferenceScript("lars_reference.py", {input, output});
    QVERIFY2(result.exitCode == 0, result.standardError.constData());
    const auto expected = json::parse(tau::test::readFile(output).toStdString()).get<std::vector<std::vector<double>>>();

    ConfiguredOptimizer configured(config, parameters);
    for (const auto& step : grads) {
        for (size_t i = 0; i < parameters.size(); ++i) {
            parameters[i].mutable_grad() = step[i].clone();
        }
        configured.step();
    }
    for (size_t i = 0; i < parameters.size(); ++i) {
        const std::vector<double> got = flat(parameters[i]);
        for (size_t j = 0; j < got.size(); ++j) {
            QVERIFY2(std::abs(got[j] - expected[i][j]) <= 1e-10 * (1 + std::abs(expected[i][j])),
                     qPrintable(QStringLiteral("parameter %1[%2]: %3 vs %4").arg(i).arg(j).arg(got[j]).arg(expected[i][j])));
        }
    }
}

QTEST_APPLESS_MAIN(TestOptimizerFactory)
#include "tst_optimizer_factory.moc"
