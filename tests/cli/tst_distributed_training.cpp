// Data-parallel training over c10d, as a user starts it: `tau train --nproc 2` on loopback with Gloo, against
// one process on the combined batch; resuming with another world size; a killed rank.

#include "core/config/config_loader.h"
#include "core/io/metrics_reader.h"
#include "core/models/contrastive_model.h"
#include "core/runs/run_index.h"
#include "core/training/checkpoint.h"
#include "tests/support/test_support.h"

#include <QDir>
#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <torch/torch.h>

#include <csignal>

namespace {

constexpr double kTolerance = 1e-5;

// Ten steps of 32 images (Adam, lr 1e-3) on 320 Fashion-MNIST images, in float64: in float32, rounding alone
// (two processes sum in another order than one, as do two threads against one) moves the weights by 1e-4 within
// ten steps, so equality to 1e-5 is only meaningful above rounding. float64 runs the very same code.
QStringList tenStepSettings(const QString& system, const QString& name)
{
    return {"--set", "system=" + system, "exp_name=" + name, "num_epochs=1", "dataset.train_subset=320",
            "sync_bn=true", "threads=1", "precision=float64", "loss.k=64"}; // MoCo's queue: 2 batches
}

struct LoadedCheckpoint
{
    tau::core::ContrastiveModel model{nullptr};
    tau::core::TrainingPosition position;
};

LoadedCheckpoint loadRunCheckpoint(const QString& runDirectory, const QString& file = "last.pt")
{
    const auto config = tau::core::loadConfigFile((runDirectory + "/config.yaml").toStdString());
    LoadedCheckpoint loaded;
    loaded.model = tau::core::ContrastiveModel(config.model, tau::core::ModelInput{1, 28});
    loaded.model->to(torch::kDouble); // compared at the precision they were trained in
    loaded.position = tau::core::loadCheckpoint((runDirectory + "/checkpoints/" + file).toStdString(), *loaded.model,
                                                nullptr, [](torch::serialize::InputArchive&) {});
    return loaded;
}

/** Largest absolute difference over every parameter and BatchNorm statistic of two checkpoints. */
double largestDifference(const QString& first, const QString& second)
{
    const LoadedCheckpoint a = loadRunCheckpoint(first);
    const LoadedCheckpoint b = loadRunCheckpoint(second);
    double largest = 0;
    const auto aParameters = a.model->named_parameters();
    const auto bParameters = b.model->named_parameters();
    for (const auto& item : aParameters) {
        largest = std::max(largest, (item.value() - bParameters[item.key()]).abs().max().item<double>());
    }
    const auto aBuffers = a.model->named_buffers();
    const auto bBuffers = b.model->named_buffers();
    for (const auto& item : aBuffers) {
        const torch::Tensor difference = (item.value().to(torch::kDouble) - bBuffers[item.key()].to(torch::kDouble));
        largest = std::max(largest, difference.abs().max().item<double>());
    }
    return largest;
}

tau::test::ProcessResult runTau(const QStringList& arguments, int timeoutMs = 300000)
{
    return tau::test::runProcess(TAU_CLI_PATH, arguments, timeoutMs);
}

QString tinyConfig()
{
    return tau::test::dataPath("configs/tiny.yaml");
}

/** The worker of a tau --nproc launcher whose RANK is @p rank (0 when not found yet). */
qint64 workerWithRank(qint64 launcher, int rank)
{
    const QByteArray children =
        tau::test::readFile(QString("/proc/%1/task/%1/children").arg(launcher)).trimmed();
    for (const QByteArray& child : children.split(' ')) {
        const QByteArray environment = tau::test::readFile("/proc/" + QString::fromLatin1(child) + "/environ");
        if (environment.split('\0').contains("RANK=" + QByteArray::number(rank))) {
            return child.toLongLong();
        }
    }
    return 0;
}

} // namespace

class TestDistributedTraining : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void twoProcessesEqualOneOnTheCombinedBatch_data();
    void twoProcessesEqualOneOnTheCombinedBatch();
    void resumesWithAnotherWorldSize();
    void indivisibleBatchIsRefusedBeforeStarting();
    void killedRankStopsTheOthersWithItsName_data();
    void killedRankStopsTheOthersWithItsName();
    void shardedEvaluationEqualsOneProcess();
};

void TestDistributedTraining::twoProcessesEqualOneOnTheCombinedBatch_data()
{
    QTest::addColumn<QString>("system");
    QTest::newRow("TaU-SimCLR") << "tau_simclr";
    QTest::newRow("SimCLR") << "simclr";
    QTest::newRow("TaU-MoCo-v2") << "tau_mocov2";
}

void TestDistributedTraining::twoProcessesEqualOneOnTheCombinedBatch()
{
    QFETCH(QString, system);
    QTemporaryDir runs;
    const auto one = runTau(QStringList{"train", tinyConfig(), "--runs-dir", runs.path()} +
                            tenStepSettings(system, "one"));
    QVERIFY2(one.exitCode == 0, one.standardError.constData());
    const auto two = runTau(QStringList{"train", tinyConfig(), "--nproc", "2", "--runs-dir", runs.path(), "--json"} +
                            tenStepSettings(system, "two"));
    QVERIFY2(two.exitCode == 0, two.standardError.constData());
    QVERIFY2(two.standardOutput.contains("\"world_size\": 2"), two.standardOutput.constData());

    // Rank 0 alone wrote a run directory, and it records the world size.
    QCOMPARE(QDir(runs.path()).entryList(QDir::Dirs | QDir::NoDotAndDotDot), QStringList({"one", "two"}));
    QCOMPARE(tau::core::readMetricsFile(runs.filePath("two/metrics.jsonl").toStdString()).worldSize, 2);
    QCOMPARE(tau::core::readMetricsFile(runs.filePath("one/metrics.jsonl").toStdString()).worldSize, 1);
    QCOMPARE(loadRunCheckpoint(runs.filePath("two")).position.step, 10LL);

    const double difference = largestDifference(runs.filePath("one"), runs.filePath("two"));
    qInfo("%s: largest parameter difference after 10 steps, 2 processes vs 1: %.3g", qPrintable(system), difference);
    QVERIFY2(difference < kTolerance, qPrintable(QString::number(difference)));

    // Not vacuous: the weights moved, by far more than the tolerance.
    QTemporaryDir untrained;
    const auto zero = runTau(QStringList{"train", tinyConfig(), "--runs-dir", untrained.path()} +
                             tenStepSettings(system, "zero") + QStringList{"optimizer.learning_rate=1e-12"});
    QVERIFY2(zero.exitCode == 0, zero.standardError.constData());
    QVERIFY(largestDifference(untrained.filePath("zero"), runs.filePath("two")) > 1000 * kTolerance);
}

void TestDistributedTraining::resumesWithAnotherWorldSize()
{
    // Epoch 1 with two processes and epoch 2 with one, against epoch 1 with one and epoch 2 with two.
    QTemporaryDir runs;
    const auto startTwo = runTau(QStringList{"train", tinyConfig(), "--nproc", "2", "--runs-dir", runs.path()} +
                                 tenStepSettings("tau_simclr", "two_then_one"));
    QVERIFY2(startTwo.exitCode == 0, startTwo.standardError.constData());
    const auto startOne = runTau(QStringList{"train", tinyConfig(), "--runs-dir", runs.path()} +
                                 tenStepSettings("tau_simclr", "one_then_two"));
    QVERIFY2(startOne.exitCode == 0, startOne.standardError.constData());
    for (const QString name : {"two_then_one", "one_then_two"}) {
        const QString path = runs.filePath(name + "/config.yaml");
        QByteArray text = tau::test::readFile(path);
        QVERIFY(text.contains("num_epochs: 1\n"));
        QVERIFY(tau::test::writeFile(path, text.replace("num_epochs: 1\n", "num_epochs: 2\n")));
    }
    const auto resumeOne = runTau({"resume", runs.filePath("two_then_one")});
    QVERIFY2(resumeOne.exitCode == 0, resumeOne.standardError.constData());
    const auto resumeTwo = runTau({"resume", runs.filePath("one_then_two"), "--nproc", "2"});
    QVERIFY2(resumeTwo.exitCode == 0, resumeTwo.standardError.constData());

    QCOMPARE(loadRunCheckpoint(runs.filePath("two_then_one")).position.step, 20LL);
    QCOMPARE(tau::core::readMetricsFile(runs.filePath("two_then_one/metrics.jsonl").toStdString()).worldSize, 1);
    QCOMPARE(tau::core::readMetricsFile(runs.filePath("one_then_two/metrics.jsonl").toStdString()).worldSize, 2);
    const double difference = largestDifference(runs.filePath("two_then_one"), runs.filePath("one_then_two"));
    qInfo("largest parameter difference after 20 steps across world sizes: %.3g", difference);
    QVERIFY2(difference < kTolerance, qPrintable(QString::number(difference)));
}

void TestDistributedTraining::indivisibleBatchIsRefusedBeforeStarting()
{
    QTemporaryDir runs;
    const auto result = runTau(QStringList{"train", tinyConfig(), "--nproc", "3", "--runs-dir", runs.path()} +
                               tenStepSettings("tau_simclr", "three"));
    QCOMPARE(result.exitCode, 2);
    QVERIFY2(result.standardError.contains("optimizer.batch_size: expected a multiple of --nproc 3"),
             result.standardError.constData());
    QVERIFY(QDir(runs.path()).isEmpty());
}

void TestDistributedTraining::killedRankStopsTheOthersWithItsName_data()
{
    QTest::addColumn<int>("victim");
    QTest::newRow("rank 1") << 1;
    QTest::newRow("rank 0") << 0;
}

void TestDistributedTraining::killedRankStopsTheOthersWithItsName()
{
    QFETCH(int, victim);
    QTemporaryDir runs;
    QProcess launcher;
    launcher.start(TAU_CLI_PATH, QStringList{"train", tinyConfig(), "--nproc", "2", "--runs-dir", runs.path()} +
                                     tenStepSettings("tau_simclr", "killed") + QStringList{"num_epochs=500"});
    QVERIFY(launcher.waitForStarted());
    // Kill the worker once the first checkpoint is in place: rank 0 may be writing the next one.
    const QString last = runs.filePath("killed/checkpoints/last.pt");
    QElapsedTimer waited;
    waited.start();
    while (!QFile::exists(last) && waited.elapsed() < 120000) {
        QThread::msleep(20);
    }
    QThread::msleep(300);
    const qint64 worker = workerWithRank(launcher.processId(), victim);
    QVERIFY2(worker > 0, "the worker process was found");
    QCOMPARE(::kill(pid_t(worker), SIGKILL), 0);

    QElapsedTimer stopping;
    stopping.start();
    QVERIFY2(launcher.waitForFinished(60000), "the job stops within a minute of losing a rank");
    const QByteArray errors = launcher.readAllStandardError();
    qInfo("stopped %lld ms after the kill", stopping.elapsed());
    QVERIFY(launcher.exitCode() != 0);
    const QByteArray name = "rank " + QByteArray::number(victim);
    QVERIFY2(errors.contains(name + " of 2 (pid " + QByteArray::number(worker) + ") was killed by signal 9"),
             errors.constData());
    // The surviving rank says which one went away, in one line, not a stack trace.
    QVERIFY2(errors.contains(name + " stopped responding"), errors.constData());
    QVERIFY2(!errors.contains("Exception raised from"), errors.constData());

    // Every checkpoint on disk is whole, and the run is marked failed with the reason.
    const QStringList checkpoints = QDir(runs.filePath("killed/checkpoints")).entryList({"*.pt"}, QDir::Files);
    QVERIFY(checkpoints.contains("last.pt"));
    for (const QString& file : checkpoints) {
        QVERIFY(loadRunCheckpoint(runs.filePath("killed"), file).position.step > 0);
    }
    if (victim == 1) {
        const auto summary = tau::core::summarizeRun(runs.filePath("killed").toStdString());
        QCOMPARE(QString::fromStdString(summary.state), QString("failed"));
    }
}

void TestDistributedTraining::shardedEvaluationEqualsOneProcess()
{
    QTemporaryDir runs;
    const auto trained = runTau({"train", tinyConfig(), "--runs-dir", runs.path(), "--set", "num_epochs=1"});
    QVERIFY2(trained.exitCode == 0, trained.standardError.constData());
    const QString run = runs.filePath("tiny");
    // 600 images in batches of 128: five batches, split 2 and 3 between the ranks.
    const QStringList ood{"ood", "--checkpoint", run, "--out", "gaussian_noise,inverted", "--scores",
                          "tau,knn,mahalanobis", "--limit", "600", "--batch-size", "128",
                          "--knn-reference-limit", "1000"};
    const auto alone = runTau(ood + QStringList{"--name", "alone"});
    QVERIFY2(alone.exitCode == 0, alone.standardError.constData());
    const auto split = runTau(ood + QStringList{"--name", "split", "--nproc", "2"});
    QVERIFY2(split.exitCode == 0, split.standardError.constData());
    const QByteArray scores = tau::test::readFile(run + "/eval/alone/scores.csv");
    QVERIFY(scores.count('\n') > 1800); // 600 ID + 2 x 600 OOD rows
    QCOMPARE(tau::test::readFile(run + "/eval/split/scores.csv"), scores);
    // metrics.json says how its numbers were made: images per set, the limit, the seed, kNN's reference.
    const QJsonObject protocol =
        QJsonDocument::fromJson(tau::test::readFile(run + "/eval/alone/metrics.json")).object()["protocol"].toObject();
    const QJsonObject images = protocol["images"].toObject();
    QCOMPARE(images["fashion_mnist"].toInt(), 600);
    QCOMPARE(images["gaussian_noise"].toInt(), 600);
    QCOMPARE(images["inverted"].toInt(), 600);
    QCOMPARE(protocol["limit"].toInt(), 600);
    QCOMPARE(protocol["reference"].toObject()["set"].toString(), QStringLiteral("train"));
    QCOMPARE(protocol["reference"].toObject()["images"].toInt(), 1000);
    QCOMPARE(protocol["reference"].toObject()["knn_k"].toInt(), 10);

    const QStringList knn{"knn", "--checkpoint", run, "--limit-train", "1000", "--limit-test", "600", "--json"};
    const auto knnAlone = runTau(knn + QStringList{"--name", "knn_alone"});
    QVERIFY2(knnAlone.exitCode == 0, knnAlone.standardError.constData());
    const auto knnSplit = runTau(knn + QStringList{"--name", "knn_split", "--nproc", "2"});
    QVERIFY2(knnSplit.exitCode == 0, knnSplit.standardError.constData());
    const QByteArray top1 = knnAlone.standardOutput.mid(knnAlone.standardOutput.indexOf("knn_top1"));
    QVERIFY(!top1.isEmpty());
    QCOMPARE(knnSplit.standardOutput.mid(knnSplit.standardOutput.indexOf("knn_top1")), top1);
}

QTEST_GUILESS_MAIN(TestDistributedTraining)
#include "tst_distributed_training.moc"
