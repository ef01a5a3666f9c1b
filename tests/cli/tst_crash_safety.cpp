// Nothing lost, nothing crashes: tau train killed at random moments and resumed, a full disk, damaged and foreign
// checkpoints, run folders without their config. Each through the tau executable, as a user meets it.

#include "core/config/config_loader.h"
#include "core/io/metrics_reader.h"
#include "core/models/contrastive_model.h"
#include "core/training/checkpoint.h"
#include "tests/support/test_support.h"

#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <torch/torch.h>

#include <csignal>
#include <map>
#include <set>

namespace {

// Three epochs of 8 steps, one thread (so a resumed run computes exactly as an unbroken one).
const QStringList kTinyRun{"--set", "num_epochs=3", "threads=1"};

tau::test::ProcessResult runTau(const QStringList& arguments, int timeoutMs = 300000)
{
    return tau::test::runProcess(TAU_CLI_PATH, arguments, timeoutMs);
}

QString tinyConfig()
{
    return tau::test::dataPath("configs/tiny.yaml");
}

/** Every parameter and buffer of a run's last.pt, by name. */
std::map<std::string, torch::Tensor> finalState(const QString& run)
{
    const auto config = tau::core::loadConfigFile((run + "/config.yaml").toStdString());
    tau::core::ContrastiveModel model(config.model, tau::core::ModelInput{1, 28});
    tau::core::loadCheckpoint((run + "/checkpoints/last.pt").toStdString(), *model);
    std::map<std::string, torch::Tensor> state;
    for (const auto& item : model->named_parameters()) {
        state[item.key()] = item.value().detach().clone();
    }
    for (const auto& item : model->named_buffers()) {
        state[item.key()] = item.value().detach().clone().to(torch::kDouble);
    }
    return state;
}

double largestDifference(const std::map<std::string, torch::Tensor>& a, const std::map<std::string, torch::Tensor>& b)
{
    double largest = 0;
    for (const auto& [name, tensor] : a) {
        largest = std::max(largest, (tensor.to(torch::kDouble) - b.at(name).to(torch::kDouble)).abs().max().item<double>());
    }
    return largest;
}

/** name -> (size, modification time) of every file under @p folder: to see that a failed command changed nothing. */
std::map<QString, QPair<qint64, QDateTime>> listing(const QString& folder)
{
    std::map<QString, QPair<qint64, QDateTime>> files;
    QDirIterator it(folder, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QFileInfo info(it.next());
        files[info.filePath()] = {info.size(), info.lastModified()};
    }
    return files;
}

/** What a user must never see: a crash or LibTorch's stack trace. */
void expectCleanFailure(const tau::test::ProcessResult& result, const QByteArray& naming)
{
    QVERIFY2(result.finished, "it ends");
    QVERIFY2(result.exitCode == 1 || result.exitCode == 2, result.standardError.constData());
    QVERIFY2(result.standardError.contains(naming), result.standardError.constData());
    QVERIFY2(!result.standardError.contains("Exception raised from"), result.standardError.constData());
    QVERIFY2(!result.standardError.contains("frame #"), result.standardError.constData());
    QCOMPARE(result.standardError.count('\n'), 1); // one line
}

bool mountTmpfs(const QString& folder, const QString& size)
{
    return QProcess::execute("mount", {"-t", "tmpfs", "-o", "size=" + size, "tmpfs", folder}) == 0;
}

} // namespace

class TestCrashSafety : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void killedAtRandomMomentsResumesToTheSameWeights();
    void fullDiskStopsWithAMessageAndResumesOnceFreed();
    void damagedCheckpointsGetAMessageAndChangeNothing_data();
    void damagedCheckpointsGetAMessageAndChangeNothing();
    void checkpointOfAnotherArchitectureListsTheTensors();
    void checkpointOutsideARunFolderSaysWhatItNeeds();
    void torchScriptThatIsNotAModuleIsNamed();
};

void TestCrashSafety::killedAtRandomMomentsResumesToTheSameWeights()
{
    QTemporaryDir runs;
    QElapsedTimer clock;
    clock.start();
    const auto unbroken = runTau(QStringList{"train", tinyConfig(), "--runs-dir", runs.path(), "--set",
                                             "exp_name=unbroken"} + kTinyRun.mid(1));
    QVERIFY2(unbroken.exitCode == 0, unbroken.standardError.constData());
    const qint64 runMs = clock.elapsed();
    const auto reference = finalState(runs.filePath("unbroken"));

    QRandomGenerator random(20261201); // seeded: the same ten moments on every run of the test
    for (int trial = 0; trial < 10; ++trial) {
        const QString name = QString("killed_%1").arg(trial);
        QProcess training;
        training.start(TAU_CLI_PATH, QStringList{"train", tinyConfig(), "--runs-dir", runs.path(), "--set",
                                                 "exp_name=" + name} + kTinyRun.mid(1));
        QVERIFY(training.waitForStarted());
        const int moment = 200 + int(random.bounded(quint32(std::max<qint64>(400, runMs - 200))));
        QThread::msleep(moment);
        ::kill(pid_t(training.processId()), SIGKILL);
        training.waitForFinished();

        const QString run = runs.filePath(name);
        if (!QFile::exists(run + "/config.yaml")) {
            continue; // killed before it wrote anything: there is nothing to resume
        }
        const auto resumed = runTau({"resume", run});
        QVERIFY2(resumed.exitCode == 0, qPrintable(QString("trial %1, killed at %2 ms: %3")
                                                       .arg(trial).arg(moment).arg(resumed.standardError.constData())));
        const double difference = largestDifference(reference, finalState(run));
        QVERIFY2(difference <= 1e-6, qPrintable(QString("trial %1 (%2 ms): %3").arg(trial).arg(moment).arg(difference)));

        // One record per step and per epoch, in order, whatever the moment of the kill.
        const auto history = tau::core::readMetricsFile((run + "/metrics.jsonl").toStdString());
        QCOMPARE(int(history.steps.size()), 24);
        QCOMPARE(int(history.epochs.size()), 3);
        for (size_t i = 0; i < history.steps.size(); ++i) {
            QCOMPARE(history.steps[i].step, (long long)(i + 1));
        }
        // Every checkpoint on disk is whole.
        for (const QString& file : QDir(run + "/checkpoints").entryList({"*.pt"}, QDir::Files)) {
            const auto config = tau::core::loadConfigFile((run + "/config.yaml").toStdString());
            tau::core::ContrastiveModel trained(config.model, tau::core::ModelInput{1, 28});
            tau::core::loadCheckpoint((run + "/checkpoints/" + file).toStdString(), *trained);
        }
    }
}

void TestCrashSafety::fullDiskStopsWithAMessageAndResumesOnceFreed()
{
    QTemporaryDir scratch;
    const QString disk = scratch.filePath("disk");
    QVERIFY(QDir().mkpath(disk));
    // A 3 MiB tmpfs holds two checkpoints of the tiny run and a bit: the third does not fit.
    const bool mounted = mountTmpfs(disk, "3m");
    QStringList prefix;
    QByteArray expected = "no space left on device";
    if (!mounted) { // no permission to mount: a file-size limit of 2 MB makes writes fail the same way
        prefix = {"--fsize=2000000"};
        expected = "file too large";
    }
    const auto cleanUp = qScopeGuard([&] {
        if (mounted) {
            QProcess::execute("umount", {disk});
        }
    });
    const QStringList train{"train", tinyConfig(), "--runs-dir", disk, "--set", "num_epochs=6", "threads=1"};
    const auto full = mounted ? runTau(train)
                              : tau::test::runProcess("prlimit", prefix + QStringList{"--", TAU_CLI_PATH} + train);
    QCOMPARE(full.exitCode, 1);
    QVERIFY2(full.standardError.contains(expected), full.standardError.constData());
    QVERIFY2(full.standardError.contains(disk.toUtf8()), full.standardError.constData()); // names the path
    QVERIFY2(!full.standardError.contains("frame #"), full.standardError.constData());
    const QString run = disk + "/tiny";
    tau::core::ContrastiveModel model(tau::core::loadConfigFile((run + "/config.yaml").toStdString()).model,
                                      tau::core::ModelInput{1, 28});
    const auto kept = tau::core::loadCheckpoint((run + "/checkpoints/last.pt").toStdString(), *model);
    QVERIFY(kept.step > 0);

    // Space comes back; the run continues from the checkpoint that was kept.
    if (mounted) {
        QCOMPARE(QProcess::execute("mount", {"-o", "remount,size=64m", disk}), 0);
    }
    const auto resumed = runTau({"resume", run});
    QVERIFY2(resumed.exitCode == 0, resumed.standardError.constData());
    const auto history = tau::core::readMetricsFile((run + "/metrics.jsonl").toStdString());
    QCOMPARE(int(history.steps.size()), 48);
    QCOMPARE(int(history.epochs.size()), 6);
}

void TestCrashSafety::damagedCheckpointsGetAMessageAndChangeNothing_data()
{
    QTest::addColumn<QString>("damage");
    QTest::newRow("empty") << "empty";
    QTest::newRow("truncated") << "truncated";
    QTest::newRow("bit-flipped") << "flipped";
    QTest::newRow("not a checkpoint") << "text";
}

void TestCrashSafety::damagedCheckpointsGetAMessageAndChangeNothing()
{
    QFETCH(QString, damage);
    QTemporaryDir runs;
    const auto trained = runTau({"train", tinyConfig(), "--runs-dir", runs.path(), "--set", "num_epochs=1"});
    QVERIFY2(trained.exitCode == 0, trained.standardError.constData());
    const QString run = runs.filePath("tiny");
    const QString damaged = run + "/checkpoints/damaged.pt";
    QByteArray bytes = tau::test::readFile(run + "/checkpoints/last.pt");
    if (damage == "empty") {
        bytes.clear();
    } else if (damage == "truncated") {
        bytes.truncate(bytes.size() / 2);
    } else if (damage == "flipped") {
        for (int i = bytes.size() / 3; i < bytes.size() * 2 / 3; i += 997) {
            bytes[i] = char(bytes[i] ^ 0x5a);
        }
    } else {
        bytes = "this is not a checkpoint\n";
    }
    QVERIFY(tau::test::writeFile(damaged, bytes));
    const auto before = listing(run);
    const auto result = runTau({"ood", "--checkpoint", damaged, "--out", "gaussian_noise", "--limit", "64"});
    expectCleanFailure(result, damaged.toUtf8());
    QVERIFY(listing(run) == before);
}

void TestCrashSafety::checkpointOfAnotherArchitectureListsTheTensors()
{
    QTemporaryDir runs;
    const auto trained = runTau({"train", tinyConfig(), "--runs-dir", runs.path(), "--set", "num_epochs=1"});
    QVERIFY2(trained.exitCode == 0, trained.standardError.constData());
    const QString run = runs.filePath("tiny");
    // The tiny run has out_dim 32; its config now says 128, as when a config is edited after training.
    QByteArray config = tau::test::readFile(run + "/config.yaml");
    QVERIFY(config.contains("out_dim: 32\n"));
    QVERIFY(tau::test::writeFile(run + "/config.yaml", config.replace("out_dim: 32\n", "out_dim: 128\n")));
    const auto before = listing(run);
    const auto result = runTau({"ood", "--checkpoint", run, "--out", "gaussian_noise", "--limit", "64"});
    expectCleanFailure(result, "checkpoints/last.pt: a checkpoint of another architecture");
    QVERIFY2(result.standardError.contains("head.layers.3.weight is [33, 128] in the file, [129, 128] in the model"),
             result.standardError.constData());
    QVERIFY(listing(run) == before);
}

void TestCrashSafety::checkpointOutsideARunFolderSaysWhatItNeeds()
{
    QTemporaryDir runs;
    const auto trained = runTau({"train", tinyConfig(), "--runs-dir", runs.path(), "--set", "num_epochs=1"});
    QVERIFY2(trained.exitCode == 0, trained.standardError.constData());
    const QString loose = runs.filePath("model.pt");
    QVERIFY(QFile::copy(runs.filePath("tiny/checkpoints/last.pt"), loose));
    expectCleanFailure(runTau({"ood", "--checkpoint", loose, "--out", "gaussian_noise"}),
                       loose.toUtf8() + ": a checkpoint outside a run folder: tau reads a checkpoint with its run's "
                                        "config.yaml");

    // A run folder whose config.yaml is gone.
    QVERIFY(QFile::remove(runs.filePath("tiny/config.yaml")));
    expectCleanFailure(runTau({"ood", "--checkpoint", runs.filePath("tiny"), "--out", "gaussian_noise"}),
                       runs.filePath("tiny").toUtf8() + ": not a run folder: it has no config.yaml");
    expectCleanFailure(runTau({"resume", runs.filePath("tiny")}), "config.yaml");
}

void TestCrashSafety::torchScriptThatIsNotAModuleIsNamed()
{
    QTemporaryDir dir;
    const QString script = dir.filePath("encoder.pt");
    QVERIFY(tau::test::writeFile(script, "not a TorchScript module\n"));
    const auto result = runTau({"train", tau::test::sourceDir() + "/configs/fashion_mnist/posthoc_tau.yaml", "--runs-dir",
                                dir.filePath("runs"), "--set", "model.encoder_torchscript=" + script,
                                "model.encoder_checkpoint=", "num_epochs=1", "dataset.train_subset=256"});
    expectCleanFailure(result, script.toUtf8() + ": not a loadable TorchScript module");
}

QTEST_GUILESS_MAIN(TestCrashSafety)
#include "tst_crash_safety.moc"
