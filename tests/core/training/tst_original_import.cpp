// Importing the original repository's work: a model built in Python in the original's module layout, saved
// the original's way, converted by packaging/tools/convert_original_checkpoint.py and imported with
// importConvertedCheckpoint, gives the same outputs here as in PyTorch.
#include "core/common/error.h"
#include "core/config/config_loader.h"
#include "core/training/checkpoint.h"
#include "core/training/objective.h"
#include "core/training/original_import.h"
#include "core/training/tensor_dict.h"
#include "tests/support/test_support.h"

#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

using namespace tau::core;

class TestOriginalImport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void tauSimclrOutputsMatchPyTorch();
    void supervisedOutputsMatchPyTorch();
    void aCheckpointForAnotherModelIsRefusedByName();
    void aTruncatedFileIsReportedByName();

private:
    QString convert(const QString& kind);
    /** h, loc and r of the imported run on the reference input. */
    ModelOutput outputsOfImported(const std::string& runDirectory, const torch::Tensor& input);

    QTemporaryDir m_dir;
};

void TestOriginalImport::initTestCase()
{
    QVERIFY(m_dir.isValid());
}

QString TestOriginalImport::convert(const QString& kind)
{
    const QString folder = m_dir.filePath(kind);
    const auto made = tau::test::runReferenceScript("make_original_checkpoint.py", {folder, kind});
    if (made.exitCode != 0) {
        qWarning("%s", made.standardError.constData());
        return {};
    }
    const QString converted = folder + "/converted.pt";
    const auto conversion =
        tau::test::runProcess(tau::test::referencePython(),
                              {tau::test::sourceDir() + "/packaging/tools/convert_original_checkpoint.py",
                               folder + "/epoch=199-step=77999.ckpt", "-o", converted});
    if (conversion.exitCode != 0) {
        qWarning("%s", conversion.standardError.constData());
        return {};
    }
    return converted;
}

ModelOutput TestOriginalImport::outputsOfImported(const std::string& runDirectory, const torch::Tensor& input)
{
    const ExperimentConfig config = loadConfigFile(runDirectory + "/config.yaml");
    const ModelInput modelInput{3, 32, config.system == "supervised" ? 10 : 0};
    std::unique_ptr<TrainingObjective> objective = makeObjective(config, modelInput, torch::kCPU);
    loadCheckpoint(runDirectory + "/checkpoints/last.pt", objective->model());
    objective->setTraining(false);
    torch::NoGradGuard noGrad;
    return objective->infer(input);
}

void TestOriginalImport::tauSimclrOutputsMatchPyTorch()
{
    const QString converted = convert("resnet");
    QVERIFY(!converted.isEmpty());
    ImportOptions options;
    options.weights = converted.toStdString();
    options.config = tau::test::dataPath("original/tau_simclr.json").toStdString(); // the original's JSON, as is
    options.dataset = "cifar10"; // its dataset is null: the original's --dataset
    options.runsDir = m_dir.filePath("runs").toStdString();
    const ImportResult result = importConvertedCheckpoint(options);
    // Every tensor of the converted file went into the model (copyNamedTensors also refuses leftovers).
    QCOMPARE(result.tensors, loadTensorDict(converted.toStdString()).size());

    const auto reference = loadTensorDict(m_dir.filePath("resnet/reference_outputs.pt").toStdString());
    const ModelOutput out = outputsOfImported(result.runDirectory, reference.at("input"));
    QVERIFY((out.features - reference.at("h")).abs().max().item<double>() <= 1e-5);
    QVERIFY((out.loc - reference.at("loc")).abs().max().item<double>() <= 1e-5);
    QVERIFY((out.rawR - reference.at("r")).abs().max().item<double>() <= 1e-5);
    QVERIFY(out.rawR.abs().max().item<double>() > 1e-3); // not a trivially zero output
    // Trained further, or resumed, the imported run keeps the original's loss: view 1's c in both numerators.
    QCOMPARE(loadConfigFile(result.runDirectory + "/config.yaml").loss.tauNumerator, std::string("first_view"));
}

void TestOriginalImport::supervisedOutputsMatchPyTorch()
{
    const QString converted = convert("supervised");
    QVERIFY(!converted.isEmpty());
    const QString config = m_dir.filePath("supervised.yaml");
    QVERIFY(tau::test::writeFile(config, "exp_name: supervised_import\nsystem: supervised\n"
                                         "dataset:\n  name: cifar10\nmodel:\n  encoder: resnet18\n  conv3x3: true\n"));
    ImportOptions options;
    options.weights = converted.toStdString();
    options.config = config.toStdString();
    options.runsDir = m_dir.filePath("runs").toStdString();
    const ImportResult result = importConvertedCheckpoint(options);
    const auto reference = loadTensorDict(m_dir.filePath("supervised/reference_outputs.pt").toStdString());
    const ModelOutput out = outputsOfImported(result.runDirectory, reference.at("input"));
    QVERIFY((out.features - reference.at("h")).abs().max().item<double>() <= 1e-5);
    QVERIFY((out.loc - reference.at("loc")).abs().max().item<double>() <= 1e-5); // the logits
}

void TestOriginalImport::aCheckpointForAnotherModelIsRefusedByName()
{
    const QString converted = m_dir.filePath("resnet/converted.pt");
    QVERIFY(QFileInfo::exists(converted));
    ImportOptions options;
    options.weights = converted.toStdString();
    options.config = tau::test::dataPath("original/tau_simclr.json").toStdString();
    options.dataset = "cifar10";
    options.overrides = {"model.out_dim=64"};
    options.runsDir = m_dir.filePath("wrong").toStdString();
    try {
        importConvertedCheckpoint(options);
        QFAIL("a checkpoint of another shape was imported");
    } catch (const DataError& error) {
        const QString message = QString::fromStdString(error.what());
        QVERIFY2(message.contains("converted.pt") && message.contains("Wrong shape: head.layers.3.weight"), qPrintable(message));
    }
    QVERIFY(!QFileInfo::exists(m_dir.filePath("wrong"))); // nothing written
}

void TestOriginalImport::aTruncatedFileIsReportedByName()
{
    const QString converted = m_dir.filePath("resnet/converted.pt");
    const QByteArray bytes = tau::test::readFile(converted);
    const QString truncated = m_dir.filePath("truncated.pt");
    QVERIFY(tau::test::writeFile(truncated, bytes.left(bytes.size() / 2)));
    try {
        loadTensorDict(truncated.toStdString());
        QFAIL("a truncated file was read");
    } catch (const DataError& error) {
        QVERIFY2(QString::fromStdString(error.what()).contains("truncated.pt"), error.what());
    }
}

QTEST_GUILESS_MAIN(TestOriginalImport)
#include "tst_original_import.moc"
