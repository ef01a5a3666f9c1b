#include "core/common/build_info.h"
#include "core/common/error.h"
#include "core/config/config_loader.h"
#include "core/evaluation/representation_evaluation.h"
#include "core/evaluation/training_callbacks.h"
#include "core/io/metrics_reader.h"
#include "core/io/tensorboard_export.h"
#include "core/models/contrastive_model.h"
#include "core/objectives/contrastive_losses.h"
#include "core/runs/run_index.h"
#include "core/training/checkpoint.h"
#include "core/training/objective.h"
#include "core/training/trainer.h"
#include "core/training/training_callback.h"
#include "tests/support/test_support.h"

#include <QDir>
#include <QTemporaryDir>
#include <QRegularExpression>
#include <QtTest>

#include <chrono>
#include <cmath>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <fstream>

using namespace tau::core;

namespace {

/** Records what the trainer reports; can ask it to stop after a given step. */
class RecordingObserver : public TrainingObserver
{
public:
    long long stopAfterStep = -1;
    CancellationToken* cancel = nullptr;
    std::vector<StepRecord> steps;
    std::vector<EpochRecord> epochs;
    std::string runDirectory;

    void onTrainingStarted(const std::string& directory, long long) override { runDirectory = directory; }
    void onStep(const StepRecord& record) override
    {
        steps.push_back(record);
        if (record.step == stopAfterStep && cancel != nullptr) {
            cancel->requestStop();
        }
    }
    void onEpochEnd(const EpochRecord& record) override { epochs.push_back(record); }
};

/** An objective of one's own, built by TrainingOptions::makeObjective: SimCLR's loss, and a diagnostic of its own. */
class ToyObjective : public SingleModelObjective
{
public:
    ToyObjective(const ExperimentConfig& config, const ModelInput& input, const torch::Device& device)
        : SingleModelObjective(config.model, input, device)
        , m_options(contrastiveLossOptions(config.loss))
    {
    }

    StepLoss loss(const TrainingBatch& batch) override
    {
        const ModelOutput first = m_model->forward(batch.view1);
        const ModelOutput second = m_model->forward(batch.view2);
        StepLoss step{ntXentLoss(first.loc, second.loc, m_options), {}};
        step.scalars["toy_loc_norm"] = first.loc.detach().norm(2, 1).mean();
        return step;
    }

private:
    ContrastiveLossOptions m_options;
};

std::vector<nlohmann::json> readJsonLines(const QString& path)
{
    std::vector<nlohmann::json> lines;
    std::ifstream stream(path.toStdString());
    for (std::string line; std::getline(stream, line);) {
        lines.push_back(nlohmann::json::parse(line));
    }
    return lines;
}

double meanLoss(const std::vector<StepRecord>& steps, size_t begin, size_t end)
{
    double sum = 0;
    for (size_t i = begin; i < end; ++i) {
        sum += steps[i].loss;
    }
    return sum / double(end - begin);
}

} // namespace

class TestTrainer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void thirtyStepsLowerTheLoss_data();
    void thirtyStepsLowerTheLoss();
    void writesTheRunDirectory();
    void neverOverwritesAnEarlierRun();
    void stopLeavesALoadableCheckpointAndResumeMatchesAnUnbrokenRun();
    void nanLossStopsWithAClearMessage();
    void corruptCheckpointIsNamed();
    void cudaWithoutCudaIsAClearError_data();
    void cudaWithoutCudaIsAClearError();
    void knnEveryRecordsWhatTauKnnMeasures();
    void outlierExposureLowersTheOutliersCertainty();
    void anObjectivesScalarsReachEveryReader();
    void aCallbackSeesEveryStepAndEpochEnd();

private:
    ExperimentConfig tinyConfig(const std::vector<std::string>& overrides = {}) const;

    std::unique_ptr<QTemporaryDir> m_runs;
};

void TestTrainer::init()
{
    m_runs = std::make_unique<QTemporaryDir>();
}

ExperimentConfig TestTrainer::tinyConfig(const std::vector<std::string>& overrides) const
{
    ConfigLoadOptions options;
    options.overrides = overrides;
    ExperimentConfig config = loadConfigFile(tau::test::dataPath("configs/tiny.yaml").toStdString(), options);
    config.runsDir = m_runs->path().toStdString();
    return config;
}

void TestTrainer::thirtyStepsLowerTheLoss_data()
{
    QTest::addColumn<QString>("system");
    QTest::newRow("TaU-SimCLR") << "tau_simclr";
    QTest::newRow("SimCLR") << "simclr";
}

void TestTrainer::thirtyStepsLowerTheLoss()
{
    QFETCH(QString, system);
    // 960 images in batches of 32: one epoch of 30 steps.
    const ExperimentConfig config = tinyConfig({"system=" + system.toStdString(), "num_epochs=1",
                                                "dataset.train_subset=960", "model.posterior_head=true"});
    RecordingObserver observer;
    CancellationToken cancel;
    const TrainingResult result = train(config, observer, cancel);
    QCOMPARE(observer.steps.size(), size_t(30));
    QCOMPARE(result.steps, 30LL);
    const double first = meanLoss(observer.steps, 0, 5);
    const double last = meanLoss(observer.steps, 25, 30);
    QVERIFY2(last < first - 0.1, qPrintable(QStringLiteral("loss %1 -> %2").arg(first).arg(last)));
}

void TestTrainer::writesTheRunDirectory()
{
    const ExperimentConfig config = tinyConfig();
    RecordingObserver observer;
    CancellationToken cancel;
    const TrainingResult result = train(config, observer, cancel);
    const QString root = QString::fromStdString(result.runDirectory);
    QCOMPARE(root, m_runs->filePath("tiny"));

    // The resolved config reads back to the same experiment.
    const ExperimentConfig written = loadConfigFile((root + "/config.yaml").toStdString());
    QCOMPARE(toYaml(written), toYaml(config));

    const auto lines = readJsonLines(root + "/metrics.jsonl");
    int stepLines = 0;
    std::vector<nlohmann::json> epochLines;
    for (const auto& line : lines) {
        stepLines += line["type"] == "step";
        if (line["type"] == "epoch") {
            epochLines.push_back(line);
        }
    }
    QCOMPARE(stepLines, 16); // 256 / 32 = 8 steps per epoch, step_every 1, 2 epochs
    QCOMPARE(epochLines.size(), size_t(2));
    for (const auto& epoch : epochLines) {
        long long counted = epoch["c_hist"]["below"].get<long long>() + epoch["c_hist"]["above"].get<long long>();
        for (const auto& count : epoch["c_hist"]["counts"]) {
            counted += count.get<long long>();
        }
        QCOMPARE(counted, 8LL * 32 * 2); // every anchor of both views, every step
        QCOMPARE(epoch["c_hist"]["edges"].size(), size_t(21));
        const auto& p = epoch["c_percentiles"];
        QVERIFY(p["p5"] <= p["p25"] && p["p25"] <= p["p50"] && p["p50"] <= p["p75"] && p["p75"] <= p["p95"]);
        QVERIFY(p["p5"].get<double>() > 0.0 && p["p95"].get<double>() < 1.0);
        QVERIFY(epoch.contains("r_hist") && epoch.contains("r_percentiles"));
    }
    QCOMPARE(observer.epochs.size(), size_t(2));
    QVERIFY(observer.epochs[1].hasTemperature);

    QVERIFY(QFile::exists(root + "/checkpoints/last.pt"));
    QVERIFY(QFile::exists(root + "/checkpoints/epoch_0001.pt"));
    QVERIFY(QFile::exists(root + "/checkpoints/epoch_0002.pt"));
    QVERIFY2(QDir(root + "/checkpoints").entryList({"*.tmp"}, QDir::Files).isEmpty(), "no temporary files left");
}

void TestTrainer::neverOverwritesAnEarlierRun()
{
    const ExperimentConfig config = tinyConfig({"num_epochs=1"});
    RecordingObserver first, second;
    CancellationToken cancel;
    const TrainingResult a = train(config, first, cancel);
    const TrainingResult b = train(config, second, cancel);
    QCOMPARE(QString::fromStdString(a.runDirectory), m_runs->filePath("tiny"));
    QCOMPARE(QString::fromStdString(b.runDirectory), m_runs->filePath("tiny_2"));
}

void TestTrainer::stopLeavesALoadableCheckpointAndResumeMatchesAnUnbrokenRun()
{
    const ExperimentConfig config = tinyConfig();
    CancellationToken cancel;

    RecordingObserver unbroken;
    train(config, unbroken, cancel);

    RecordingObserver stopped;
    stopped.cancel = &cancel;
    stopped.stopAfterStep = 11; // in the middle of the second epoch
    ExperimentConfig again = config;
    again.expName = "interrupted";
    const TrainingResult interrupted = train(again, stopped, cancel);
    QVERIFY(interrupted.cancelled);
    QCOMPARE(interrupted.steps, 11LL);

    // last.pt loads into a fresh model and says where training stood.
    ContrastiveModel model(config.model, ModelInput{1, 28});
    const TrainingPosition position =
        loadCheckpoint(interrupted.runDirectory + "/checkpoints/last.pt", *model);
    QCOMPARE(position.step, 11LL);
    QCOMPARE(position.epoch, 1);
    QCOMPARE(position.stepInEpoch, 3);

    cancel.reset();
    RecordingObserver resumed;
    TrainingOptions options;
    options.resumeRunDirectory = interrupted.runDirectory;
    const TrainingResult finished = train(again, resumed, cancel, options);
    QVERIFY(!finished.cancelled);
    QCOMPARE(finished.steps, 16LL);
    QCOMPARE(resumed.steps.front().step, 12LL);
    // Same batches, same augmentations, same optimizer state: the resumed run ends where the unbroken one did.
    QVERIFY2(std::abs(resumed.steps.back().loss - unbroken.steps.back().loss) < 1e-4,
             qPrintable(QStringLiteral("%1 vs %2").arg(resumed.steps.back().loss).arg(unbroken.steps.back().loss)));

    // provenance.json: the start and the resume, each with what produced it.
    std::ifstream stream(finished.runDirectory + "/provenance.json");
    const nlohmann::json provenance = nlohmann::json::parse(stream);
    QCOMPARE(provenance["schema"].get<int>(), 1);
    const nlohmann::json& sessions = provenance["sessions"];
    QCOMPARE(int(sessions.size()), 2);
    QCOMPARE(sessions[0]["event"].get<std::string>(), std::string("start"));
    QCOMPARE(sessions[1]["event"].get<std::string>(), std::string("resume"));
    for (const nlohmann::json& session : sessions) {
        QCOMPARE(session["version"].get<std::string>(), toolVersion());
        QCOMPARE(session["git_revision"].get<std::string>(), gitRevision());
        QCOMPARE(session["libtorch"].get<std::string>(), libtorchVersion());
        QCOMPARE(session["host"].get<std::string>(), hostName());
        QVERIFY(!session["backends"].get<std::string>().empty());
        QVERIFY(QString::fromStdString(session["time"].get<std::string>()).contains(QRegularExpression("^\\d{4}-\\d\\d-\\d\\dT")));
    }
    QVERIFY(sessions[1]["wall_time"].get<double>() >= sessions[0]["wall_time"].get<double>());
}

void TestTrainer::nanLossStopsWithAClearMessage()
{
    // An absurd learning rate drives the weights to infinity within a few steps.
    const ExperimentConfig config = tinyConfig({"optimizer.learning_rate=1e30", "optimizer.name=sgd", "num_epochs=3"});
    RecordingObserver observer;
    CancellationToken cancel;
    try {
        train(config, observer, cancel);
        QFAIL("training with a NaN loss did not stop");
    } catch (const TauError& error) {
        const QString message = QString::fromUtf8(error.what());
        QVERIFY2(message.contains("the loss became") && message.contains("learning_rate"), qPrintable(message));
        // The last finite loss is the last step record's, to the digits the message prints.
        const auto steps = readMetricsFile(m_runs->filePath("tiny/metrics.jsonl").toStdString()).steps;
        QVERIFY(!steps.empty() && std::isfinite(steps.back().loss));
        QVERIFY2(message.contains("the last finite loss was " + QString::fromStdString(std::to_string(steps.back().loss))),
                 qPrintable(message));
    }
    const auto lines = readJsonLines(m_runs->filePath("tiny/metrics.jsonl"));
    QVERIFY(!lines.empty());
    QCOMPARE(lines.back()["type"].get<std::string>(), std::string("event"));
    QCOMPARE(lines.back()["event"].get<std::string>(), std::string("error"));
    // The GUI's runs panel reads the same file: the run shows as failed.
    QCOMPARE(summarizeRun(m_runs->filePath("tiny").toStdString()).state, std::string("failed"));
}

void TestTrainer::corruptCheckpointIsNamed()
{
    const QString path = m_runs->filePath("broken.pt");
    QVERIFY(tau::test::writeFile(path, QByteArray("PK\x03\x04 not really a checkpoint")));
    ContrastiveModel model(ModelConfig{}, ModelInput{1, 28});
    try {
        loadCheckpoint(path.toStdString(), *model);
        QFAIL("a corrupt checkpoint was loaded");
    } catch (const DataError& error) {
        QVERIFY2(QString::fromUtf8(error.what()).startsWith(path + ": not a readable"), error.what());
    }
}

void TestTrainer::cudaWithoutCudaIsAClearError_data()
{
    QTest::addColumn<QString>("device");
    QTest::newRow("cuda") << "cuda";
    QTest::newRow("cuda:1") << "cuda:1";
}

void TestTrainer::cudaWithoutCudaIsAClearError()
{
    QFETCH(QString, device);
    if (torch::cuda::is_available()) {
        QSKIP("this machine has CUDA; the message is for machines without it");
    }
    const ExperimentConfig config = tinyConfig({"device=" + device.toStdString()});
    RecordingObserver observer;
    CancellationToken cancel;
    try {
        train(config, observer, cancel);
        QFAIL("training on a missing GPU was accepted");
    } catch (const TauError& error) {
        const QString message = QString::fromUtf8(error.what());
        QVERIFY2(message.startsWith("device: '" + device + "' was asked for, but no GPU is visible to this build (LibTorch ") &&
                     message.contains(QString::fromStdString(computeBackends())) && message.endsWith("use device: auto or cpu"),
                 error.what());
    }
    QVERIFY2(!QDir(m_runs->filePath("tiny")).exists(), "nothing may be written before the device is known to work");
}

/**
 * logging.knn_every: the epochs it names (and the last) carry knn_top1 in metrics.jsonl, and the last one is what
 * tau knn measures on the final checkpoint with the same images (the same seeded choice, k and temperature).
 */
void TestTrainer::knnEveryRecordsWhatTauKnnMeasures()
{
    const ExperimentConfig config = tinyConfig({"num_epochs=3", "logging.knn_every=2", "logging.knn_images=300"});
    RecordingObserver observer;
    CancellationToken cancel;
    TrainingOptions options;
    options.callbacks = trainingCallbacks(config); // as tau train and the explorer compose them
    const auto unixNow = [] {
        return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    };
    const double started = unixNow();
    const TrainingResult result = train(config, observer, cancel, options);
    const double ended = unixNow();
    QCOMPARE(observer.epochs.size(), size_t(3));
    QCOMPARE(observer.epochs[0].scalars.count("knn_top1"), size_t(0));
    QCOMPARE(observer.epochs[1].scalars.count("knn_top1"), size_t(1));
    QCOMPARE(observer.epochs[2].scalars.count("knn_top1"), size_t(1)); // the last epoch, though 3 % 2 != 0
    const MetricsHistory history = readMetricsFile(result.runDirectory + "/metrics.jsonl");
    QCOMPARE(history.epochs.size(), size_t(3));
    QCOMPARE(history.epochs[1].scalars.at("knn_top1"), observer.epochs[1].scalars.at("knn_top1"));
    // Every record carries its clock time (wall_time), in order, within the training's span.
    double previous = started;
    for (const StepRecord& step : history.steps) {
        QVERIFY2(step.wallTime >= previous && step.wallTime <= ended, qPrintable(QString::number(step.wallTime, 'f', 3)));
        previous = step.wallTime;
    }
    QVERIFY(history.epochs.back().wallTime >= history.steps.back().wallTime && history.epochs.back().wallTime <= ended);

    RepresentationOptions knn;
    knn.checkpoint = result.runDirectory;
    knn.limitTrain = knn.limit = 300;
    knn.threads = 2;
    EvaluationObserver quiet;
    const RepresentationResult measured = evaluateKnnAccuracy(knn, quiet, cancel);
    const double recorded = history.epochs[2].scalars.at("knn_top1");
    QVERIFY2(std::abs(measured.top1 - recorded) < 1e-12,
             qPrintable(QString("recorded %1, tau knn %2").arg(recorded).arg(measured.top1)));
    QVERIFY2(recorded > 0.3, "well above chance (0.1) after three epochs"); // Fashion-MNIST's classes
}

/**
 * tau_simclr_oe: every step scores a quarter of the batch in synthetic outliers, whose c is recorded beside the
 * training images' (per step and as an epoch histogram, read back alike), and the -log(1 - c) term teaches the
 * head to give them lower certainty than the training images within two short epochs.
 */
void TestTrainer::outlierExposureLowersTheOutliersCertainty()
{
    // 960 images in batches of 32: 30 steps an epoch, each with round(0.25 * 32) = 8 outliers.
    const ExperimentConfig config = tinyConfig({"system=tau_simclr_oe", "dataset.train_subset=960"});
    RecordingObserver observer;
    CancellationToken cancel;
    const TrainingResult result = train(config, observer, cancel);
    QCOMPARE(observer.steps.size(), size_t(60));
    for (const StepRecord& step : observer.steps) {
        QVERIFY(step.meanOutlierCertainty.has_value());
        QVERIFY(*step.meanOutlierCertainty > 0.0 && *step.meanOutlierCertainty < 1.0);
    }
    const MetricsHistory history = readMetricsFile(result.runDirectory + "/metrics.jsonl");
    QCOMPARE(history.epochs.size(), size_t(2));
    for (size_t e = 0; e < history.epochs.size(); ++e) {
        const EpochRecord& recorded = history.epochs[e];
        QVERIFY(recorded.hasOutliers);
        const Histogram& outliers = recorded.outlierCertaintyHistogram;
        long long counted = outliers.below + outliers.above;
        for (const long long count : outliers.counts) {
            counted += count;
        }
        QCOMPARE(counted, 30LL * 8);
        QCOMPARE(outliers.edges, recorded.certaintyHistogram.edges);
        QCOMPARE(recorded.outlierCertaintyPercentiles.p50, observer.epochs[e].outlierCertaintyPercentiles.p50);
    }
    QCOMPARE(*history.steps.back().meanOutlierCertainty, *observer.steps.back().meanOutlierCertainty);
    const EpochRecord& last = history.epochs.back();
    QVERIFY2(last.outlierCertaintyPercentiles.p50 < last.certaintyPercentiles.p50 - 0.1,
             qPrintable(QString("median c: outliers %1, training images %2")
                            .arg(last.outlierCertaintyPercentiles.p50).arg(last.certaintyPercentiles.p50)));
    QVERIFY2(last.outlierCertaintyPercentiles.p95 < last.certaintyPercentiles.p50,
             qPrintable(QString("outliers' p95 %1").arg(last.outlierCertaintyPercentiles.p95)));

    // Without outlier exposure nothing of the kind is written.
    const TrainingResult plain = train(tinyConfig({"exp_name=plain", "num_epochs=1"}), observer, cancel);
    const MetricsHistory plainHistory = readMetricsFile(plain.runDirectory + "/metrics.jsonl");
    QVERIFY(!plainHistory.epochs.front().hasOutliers && !plainHistory.steps.front().meanOutlierCertainty);
}

/**
 * An objective reports a diagnostic through StepLoss::scalars, and nothing else changes: it is in every step
 * record (the observer's, metrics.jsonl's read back, TensorBoard's export), as the loop reads it.
 */
void TestTrainer::anObjectivesScalarsReachEveryReader()
{
    const ExperimentConfig config = tinyConfig({"system=simclr", "num_epochs=1", "exp_name=toy"});
    TrainingOptions options;
    options.makeObjective = [](const ExperimentConfig& c, const ModelInput& input, const c10::Device& device) {
        return std::make_unique<ToyObjective>(c, input, device);
    };
    RecordingObserver observer;
    CancellationToken cancel;
    const TrainingResult result = train(config, observer, cancel, options);
    QCOMPARE(observer.steps.size(), size_t(8)); // 256 images in batches of 32, every step logged
    const MetricsHistory history = readMetricsFile(result.runDirectory + "/metrics.jsonl");
    QCOMPARE(history.steps.size(), observer.steps.size());
    for (size_t i = 0; i < history.steps.size(); ++i) {
        const double shown = observer.steps[i].scalars.at("toy_loc_norm");
        QVERIFY2(std::isfinite(shown) && shown > 0, qPrintable(QString::number(shown)));
        QCOMPARE(history.steps[i].scalars.at("toy_loc_norm"), shown);
    }
    // Steps differ: the value is the step's own, not a constant.
    QVERIFY(observer.steps.front().scalars.at("toy_loc_norm") != observer.steps.back().scalars.at("toy_loc_norm"));

    const TensorBoardExportResult exported = exportTensorBoard(result.runDirectory);
    std::ifstream events(exported.file, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(events)), std::istreambuf_iterator<char>());
    QVERIFY(bytes.find("scalars/toy_loc_norm") != std::string::npos);
}

namespace {

/** A caller's callback: counts the hooks and puts the step number into each record it is given. */
class CountingCallback : public TrainingCallback
{
public:
    void onTrainingStart() override { ++starts; }
    void onStepEnd(StepEnd& end) override
    {
        steps.push_back(end.step);
        if (end.record) {
            end.record->scalars["counted_step"] = double(end.step);
        }
    }
    void onEpochEnd(EpochEnd& end) override
    {
        epochs.push_back(end.epochsDone);
        end.record.scalars["counted_epoch"] = end.epochsDone;
    }
    void onTrainingEnd(const TrainingEnd& end) override { trained = end.stepsTrained; }

    int starts = 0;
    std::vector<long long> steps;
    std::vector<int> epochs;
    long long trained = -1;
};

} // namespace

void TestTrainer::aCallbackSeesEveryStepAndEpochEnd()
{
    // 256 images in batches of 32: 8 steps an epoch.
    const ExperimentConfig config = tinyConfig({"num_epochs=2", "exp_name=counted"});
    auto counting = std::make_shared<CountingCallback>();
    TrainingOptions options;
    options.callbacks = {counting};
    RecordingObserver observer;
    CancellationToken cancel;
    const TrainingResult result = train(config, observer, cancel, options);
    QCOMPARE(counting->starts, 1);
    QCOMPARE(counting->steps.size(), size_t(16));
    for (size_t i = 0; i < counting->steps.size(); ++i) {
        QCOMPARE(counting->steps[i], (long long)(i + 1));
    }
    QCOMPARE(counting->epochs, (std::vector<int>{1, 2}));
    QCOMPARE(counting->trained, 16LL);

    // What the callback put into the records reaches the file, beside the temperature statistics.
    const MetricsHistory history = readMetricsFile(result.runDirectory + "/metrics.jsonl");
    QCOMPARE(history.steps.size(), size_t(16));
    for (const StepRecord& step : history.steps) {
        QCOMPARE(step.scalars.at("counted_step"), double(step.step));
    }
    QCOMPARE(history.epochs.size(), size_t(2));
    QCOMPARE(history.epochs.back().scalars.at("counted_epoch"), 2.0);
    QVERIFY(history.epochs.back().hasTemperature);
}

QTEST_APPLESS_MAIN(TestTrainer)
#include "tst_trainer.moc"
