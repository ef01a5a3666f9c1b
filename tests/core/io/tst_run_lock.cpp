// One writer per run folder: RUN/writer.lock, what a refused writer is told, and what the run index makes of it.
// (A writer killed with SIGKILL, through the tau executable: tests/app/tst_run_writer.cpp.)

#include "core/io/run_directory.h"
#include "core/io/run_lock.h"
#include "core/runs/run_index.h"
#include "tests/support/test_support.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <unistd.h>

using namespace tau::core;

namespace {

/** A run folder with a config and one step written just now, as a live run has. */
QString makeLiveRun(const QTemporaryDir& dir, const QString& name)
{
    QDir(dir.path()).mkpath(name);
    tau::test::writeFile(dir.filePath(name + "/config.yaml"), "exp_name: live\nnum_epochs: 3\n");
    tau::test::writeFile(dir.filePath(name + "/metrics.jsonl"), "{\"type\":\"step\",\"epoch\":1,\"step\":2,\"loss\":5.5}\n");
    return dir.filePath(name);
}

} // namespace

class TestRunLock : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void aSecondWriterIsRefusedNamingTheFirst();
    void theLockGoesWithItsHolder();
    void theRunIndexShowsALockedRunAsRunning();
    void aNewRunPassesOverAFolderWithAWriter();
};

void TestRunLock::aSecondWriterIsRefusedNamingTheFirst()
{
    QTemporaryDir dir;
    const std::string run = makeLiveRun(dir, "live").toStdString();
    const RunWriterLock first(run, "tau");
    const std::optional<RunWriter> writer = currentRunWriter(run);
    QVERIFY(writer.has_value());
    QCOMPARE(writer->pid, (long long)::getpid());
    QCOMPARE(writer->program, std::string("tau"));
    QVERIFY(!writer->host.empty());
    QCOMPARE(writer->since.size(), size_t(20)); // 2026-12-07T23:40:05Z

    // The same process counts as a second writer too: the explorer may not train a run it is training.
    const QString refused = tau::test::errorOf([&] { RunWriterLock second(run, "tau-explorer"); });
    const QString expected = QString::fromStdString(run + " is being written by tau (pid " + std::to_string(::getpid()) +
                                                    " on " + writer->host + ", since " + writer->since + ")");
    QVERIFY2(refused.startsWith(expected), qPrintable(refused));
    QVERIFY2(refused.contains("one writer at a time"), qPrintable(refused));
    QCOMPARE(tau::test::errorOf([&] { refuseIfBeingWritten(run); }), refused);
    QVERIFY_THROWS_EXCEPTION(RunBusyError, refuseIfBeingWritten(run));
}

void TestRunLock::theLockGoesWithItsHolder()
{
    QTemporaryDir dir;
    const std::string run = makeLiveRun(dir, "live").toStdString();
    QVERIFY(!currentRunWriter(run).has_value()); // never locked: no writer.lock at all
    {
        const RunWriterLock first(run, "tau");
        QVERIFY(currentRunWriter(run).has_value());
        // A reader opening and closing the file in the writer's own process does not drop the writer's lock.
        QVERIFY(currentRunWriter(run).has_value());
    }
    QVERIFY(QFile::exists(QString::fromStdString(runLockPath(run)))); // kept, naming the last writer
    QVERIFY(!currentRunWriter(run).has_value());
    refuseIfBeingWritten(run);
    const RunWriterLock next(run, "tau-explorer");
    QCOMPARE(currentRunWriter(run)->program, std::string("tau-explorer"));
}

void TestRunLock::theRunIndexShowsALockedRunAsRunning()
{
    QTemporaryDir dir;
    const std::string run = makeLiveRun(dir, "live").toStdString();
    {
        const RunWriterLock writer(run, "tau");
        const RunSummary summary = summarizeRun(run);
        QCOMPARE(summary.state, std::string("running"));
        QVERIFY2(summary.writer.find("tau (pid " + std::to_string(::getpid())) == 0, summary.writer.c_str());
    }
    // Written a moment ago, but its writer locked and has let go: it ended without a word (a kill), not running.
    const RunSummary after = summarizeRun(run);
    QCOMPARE(after.state, std::string("incomplete"));
    QVERIFY(after.writer.empty());
}

void TestRunLock::aNewRunPassesOverAFolderWithAWriter()
{
    QTemporaryDir dir;
    QVERIFY(QDir(dir.path()).mkpath("fresh")); // a writer that has not written its config yet
    const RunWriterLock writer(dir.filePath("fresh").toStdString(), "tau");
    const RunPaths created = createRunDirectory(dir.path().toStdString(), "fresh");
    QCOMPARE(QString::fromStdString(created.root), dir.filePath("fresh_2"));
}

QTEST_GUILESS_MAIN(TestRunLock)
#include "tst_run_lock.moc"
