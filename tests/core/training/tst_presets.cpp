// Every Fashion-MNIST preset trains for a few steps, and every objective resumes exactly.

#include "core/common/error.h"
#include "core/config/config_loader.h"
#include "core/training/trainer.h"
#include "tests/support/test_support.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

using namespace tau::core;

namespace {

class LossRecorder : public TrainingObserver
{
public:
    std::vector<StepRecord> steps;
    long long stopAfterStep = -1;
    CancellationToken* cancel = nullptr;
    void onStep(const StepRecord& record) override
    {
        steps.push_back(record);
        if (cancel != nullptr && record.step == stopAfterStep) {
            cancel->requestStop();
        }
    }
};

} // namespace

class TestPresets : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { m_runs = std::make_unique<QTemporaryDir>(); }
    void fashionMnistPresetTrains_data();
    void fashionMnistPresetTrains();
    void resumeGivesTheSameLossesAsAnUnbrokenRun_data();
    void resumeGivesTheSameLossesAsAnUnbrokenRun();
    void posthocTauOnATorchScriptEncoder();
    void posthocTauRejectsAnUnreadableEncoder();

private:
    ExperimentConfig preset(const QString& name, std::vector<std::string> overrides) const;
    std::string trainEncoderForPosthoc() const;

    std::unique_ptr<QTemporaryDir> m_runs;
};

ExperimentConfig TestPresets::preset(const QString& name, std::vector<std::string> overrides) const
{
    ConfigLoadOptions options;
    options.overrides = std::move(overrides);
    const QString path = tau::test::sourceDir() + "/configs/fashion_mnist/" + name + ".yaml";
    ExperimentConfig config = loadConfigFile(path.toStdString(), options);
    config.runsDir = m_runs->path().toStdString();
    config.threads = 2;
    return config;
}

std::string TestPresets::trainEncoderForPosthoc() const
{
    const ExperimentConfig encoder =
        preset("simclr", {"num_epochs=1", "dataset.train_subset=64", "optimizer.batch_size=16"});
    LossRecorder recorder;
    CancellationToken cancel;
    return train(encoder, recorder, cancel).runDirectory;
}

void TestPresets::fashionMnistPresetTrains_data()
{
    QTest::addColumn<QString>("name");
    const QDir presets(tau::test::sourceDir() + "/configs/fashion_mnist");
    for (const QString& file : presets.entryList({"*.yaml"}, QDir::Files)) {
        QTest::newRow(qPrintable(file)) << file.chopped(5);
    }
}

void TestPresets::fashionMnistPresetTrains()
{
    QFETCH(QString, name);
    // 64 images in batches of 16: four steps, every piece of the objective exercised.
    std::vector<std::string> overrides = {"num_epochs=1", "dataset.train_subset=64", "optimizer.batch_size=16",
                                          "loss.k=64"};
    if (name == "posthoc_tau") {
        overrides.push_back("model.encoder_checkpoint=" + trainEncoderForPosthoc());
    }
    const ExperimentConfig config = preset(name, overrides);
    LossRecorder recorder;
    CancellationToken cancel;
    const TrainingResult result = train(config, recorder, cancel);
    QCOMPARE(result.steps, 4LL);
    QCOMPARE(recorder.steps.size(), size_t(4));
    for (const StepRecord& step : recorder.steps) {
        QVERIFY(std::isfinite(step.loss));
    }
    QVERIFY(QFile::exists(QString::fromStdString(result.runDirectory) + "/checkpoints/last.pt"));
}

void TestPresets::resumeGivesTheSameLossesAsAnUnbrokenRun_data()
{
    QTest::addColumn<QString>("name");
    for (const char* name : {"tau_simclr", "tau_simclr_oe", "tau_mocov2", "hib", "supervised", "mc_dropout", "posthoc_tau"}) {
        QTest::newRow(name) << name;
    }
}

void TestPresets::resumeGivesTheSameLossesAsAnUnbrokenRun()
{
    QFETCH(QString, name);
    // 240 images in batches of 16: 15 steps an epoch, so step 20 is in the middle of the second epoch.
    std::vector<std::string> overrides = {"num_epochs=3", "dataset.train_subset=240", "optimizer.batch_size=16",
                                          "loss.k=64", "optimizer.lars=true"};
    if (name == "posthoc_tau") {
        overrides.push_back("model.encoder_checkpoint=" + trainEncoderForPosthoc());
    }
    ExperimentConfig config = preset(name, overrides);
    CancellationToken cancel;

    LossRecorder unbroken;
    config.expName = "unbroken";
    train(config, unbroken, cancel);
    QCOMPARE(unbroken.steps.size(), size_t(45));

    LossRecorder first;
    first.cancel = &cancel;
    first.stopAfterStep = 20;
    config.expName = "broken";
    const TrainingResult stopped = train(config, first, cancel);
    QVERIFY(stopped.cancelled);
    QCOMPARE(stopped.steps, 20LL);

    cancel.reset();
    LossRecorder second;
    TrainingOptions options;
    options.resumeRunDirectory = stopped.runDirectory;
    train(config, second, cancel, options);
    QCOMPARE(second.steps.front().step, 21LL);
    for (size_t i = 0; i < 20; ++i) {
        const double a = second.steps[i].loss;
        const double b = unbroken.steps[20 + i].loss;
        QVERIFY2(std::abs(a - b) <= 1e-6,
                 qPrintable(QStringLiteral("step %1: resumed %2, unbroken %3").arg(21 + i).arg(a, 0, 'g', 12).arg(b, 0, 'g', 12)));
    }
}

void TestPresets::posthocTauOnATorchScriptEncoder()
{
    const QString script = m_runs->filePath("encoder.pt");
    const auto made = tau::test::runReferenceScript("make_torchscript_encoder.py", {script});
    QVERIFY2(made.exitCode == 0, made.standardError.constData());
    const ExperimentConfig config =
        preset("posthoc_tau", {"num_epochs=1", "dataset.train_subset=64", "optimizer.batch_size=16",
                               "model.encoder_checkpoint=", "model.encoder_torchscript=" + script.toStdString()});
    LossRecorder recorder;
    CancellationToken cancel;
    const TrainingResult result = train(config, recorder, cancel);
    QCOMPARE(result.steps, 4LL);
    // The probe found 24 features: the temperature head is Linear(24, 1).
    QVERIFY(std::isfinite(recorder.steps.back().loss));
    QVERIFY(recorder.steps.back().meanCertainty > 0.0 && recorder.steps.back().meanCertainty < 1.0);
}

void TestPresets::posthocTauRejectsAnUnreadableEncoder()
{
    const QString broken = m_runs->filePath("broken.pt");
    QVERIFY(tau::test::writeFile(broken, "not a module"));
    const ExperimentConfig config = preset("posthoc_tau", {"model.encoder_checkpoint=",
                                                           "model.encoder_torchscript=" + broken.toStdString()});
    LossRecorder recorder;
    CancellationToken cancel;
    try {
        train(config, recorder, cancel);
        QFAIL("an unreadable encoder was accepted");
    } catch (const TauError& error) {
        QVERIFY2(QString::fromUtf8(error.what()).startsWith(broken + ": not a loadable TorchScript module"), error.what());
    }
}

QTEST_APPLESS_MAIN(TestPresets)
#include "tst_presets.moc"
