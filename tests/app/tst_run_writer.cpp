// One writer per run folder, as a user meets it: while tau train writes a run, tau resume, tau train --resume and
// the explorer's Train on it are refused naming that process, and the explorer lists it as running; once the
// training is killed (SIGKILL: no chance to clean up), a resume takes the run over and keeps one record per step.

#include "app/models/runs_model.h"
#include "app/workers/training_worker.h"
#include "core/config/config_loader.h"
#include "core/io/metrics_reader.h"
#include "core/io/run_lock.h"
#include "core/runs/run_index.h"
#include "tests/support/test_support.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <csignal>

namespace {

/** Waits until @p condition holds, for at most @p timeoutMs; false when it never did. */
template <typename Condition>
bool waitFor(Condition&& condition, int timeoutMs = 120000)
{
    QElapsedTimer clock;
    clock.start();
    while (!condition()) {
        if (clock.elapsed() > timeoutMs) {
            return false;
        }
        QThread::msleep(50);
    }
    return true;
}

bool hasStepRecords(const QString& run)
{
    return tau::test::readFile(run + "/metrics.jsonl").contains("\"type\":\"step\"");
}

/** The one line a refused writer prints, naming the process that writes the run. */
void expectRefused(const tau::test::ProcessResult& result, const QString& naming)
{
    QVERIFY2(result.finished, "it ends");
    QVERIFY2(result.exitCode == 1, result.standardError.constData());
    QVERIFY2(result.standardError.contains(naming.toUtf8()), result.standardError.constData());
    QVERIFY2(result.standardError.contains("one writer at a time"), result.standardError.constData());
    QCOMPARE(result.standardError.count('\n'), 1);
}

} // namespace

class TestRunWriter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void aRunFolderHasOneWriterAtATime();
};

void TestRunWriter::aRunFolderHasOneWriterAtATime()
{
    QTemporaryDir runs;
    const QString run = runs.filePath("live");
    // Long enough to outlast the attempts below; it is killed, not finished.
    QProcess training;
    training.start(TAU_CLI_PATH, {"train", tau::test::dataPath("configs/tiny.yaml"), "--runs-dir", runs.path(), "--set",
                                  "exp_name=live", "num_epochs=500", "threads=1"});
    QVERIFY(training.waitForStarted());
    QVERIFY2(waitFor([&] { return hasStepRecords(run); }), training.readAllStandardError().constData());
    const qint64 pid = training.processId();
    const QString holder = QString("is being written by tau (pid %1 on ").arg(pid);

    const auto writer = tau::core::currentRunWriter(run.toStdString());
    QVERIFY(writer.has_value());
    QCOMPARE(writer->pid, (long long)pid);

    const QByteArray historyBefore = tau::test::readFile(run + "/metrics.jsonl");
    expectRefused(tau::test::runProcess(TAU_CLI_PATH, {"resume", run}), holder);
    expectRefused(tau::test::runProcess(TAU_CLI_PATH, {"train", "--resume", run}), holder);

    // The explorer's Train on the run: a config whose continue_from_checkpoint names it.
    tau::core::ExperimentConfig config = tau::core::loadConfigFile((run + "/config.yaml").toStdString());
    config.continueFromCheckpoint = run.toStdString();
    tau::app::TrainingWorker worker;
    QSignalSpy finished(&worker, &tau::app::TrainingWorker::finished);
    QSignalSpy started(&worker, &tau::app::TrainingWorker::started);
    worker.train(config); // on this thread: returns when refused
    QCOMPARE(finished.count(), 1);
    QCOMPARE(started.count(), 0);
    const QString explorerError = finished.at(0).at(2).toString();
    QVERIFY2(explorerError.contains(holder), qPrintable(explorerError));

    // None of them touched the history the first writer is appending to: it only grew.
    QVERIFY(tau::test::readFile(run + "/metrics.jsonl").startsWith(historyBefore));

    // The explorer's runs panel shows it running, and by whom.
    tau::app::RunsModel model;
    model.setRunsRoot(runs.path());
    QCOMPARE(model.rowCount(), 1);
    const QModelIndex state = model.index(0, tau::app::RunsModel::State);
    QCOMPARE(model.data(state).toString(), QString("running"));
    QVERIFY2(model.data(state, Qt::ToolTipRole).toString().contains(QString("pid %1").arg(pid)),
             qPrintable(model.data(state, Qt::ToolTipRole).toString()));

    // Killed: the kernel drops its lock, and the run is no longer shown as running.
    ::kill(pid_t(pid), SIGKILL);
    QVERIFY(training.waitForFinished());
    QVERIFY(!tau::core::currentRunWriter(run.toStdString()).has_value());
    QCOMPARE(tau::core::summarizeRun(run.toStdString()).state, std::string("incomplete"));

    // A resume takes the run over; stopped with Ctrl-C once it trains, its history has one record per step.
    QProcess resumed;
    resumed.start(TAU_CLI_PATH, {"resume", run});
    QVERIFY(resumed.waitForStarted());
    QVERIFY2(waitFor([&] {
                 const auto now = tau::core::currentRunWriter(run.toStdString());
                 return now && now->pid == resumed.processId() &&
                        tau::test::readFile(run + "/metrics.jsonl").count("\"event\":\"resume\"") == 1;
             }),
             resumed.readAllStandardError().constData());
    QThread::msleep(500);
    ::kill(pid_t(resumed.processId()), SIGINT);
    QVERIFY(resumed.waitForFinished(120000));
    QVERIFY2(resumed.exitCode() == 130, resumed.readAllStandardError().constData());
    const auto history = tau::core::readMetricsFile((run + "/metrics.jsonl").toStdString());
    QVERIFY(!history.steps.empty());
    for (size_t i = 0; i < history.steps.size(); ++i) {
        QCOMPARE(history.steps[i].step, (long long)(i + 1));
    }
    QCOMPARE(tau::core::summarizeRun(run.toStdString()).state, std::string("stopped"));
}

QTEST_MAIN(TestRunWriter)
#include "tst_run_writer.moc"
