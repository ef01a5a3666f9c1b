#include "core/io/metrics_reader.h"
#include "core/io/run_directory.h"
#include "tests/support/test_support.h"

#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

using namespace tau::core;

class TestMetricsReader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void readsWhatTheWriterWrote();
    void skipsALineStillBeingWritten();
    void garbageLinesAreSkippedWithAWarning();
    void summarisesRunStates();
};

void TestMetricsReader::readsWhatTheWriterWrote()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath("metrics.jsonl").toStdString();
    {
        MetricsWriter writer(path);
        writer.writeEvent("start", "hello");
        StepRecord step;
        step.epoch = 1;
        step.step = 10;
        step.loss = 4.5;
        step.learningRate = 1e-3;
        writer.write(step);
        EpochRecord epoch;
        epoch.epoch = 1;
        epoch.step = 10;
        epoch.loss = 4.25;
        epoch.hasTemperature = true;
        epoch.certaintyHistogram = {{0, 0.5, 1}, {3, 7}, 0, 1};
        epoch.certaintyPercentiles = {0.1, 0.2, 0.5, 0.7, 0.9, 0.45};
        epoch.rawHistogram = {{-1, 0, 1}, {4, 6}, 0, 0};
        writer.write(epoch);
    }
    const MetricsHistory history = readMetricsFile(path);
    QCOMPARE(history.events.size(), size_t(1));
    QCOMPARE(history.events[0].first, std::string("start"));
    QCOMPARE(history.steps.size(), size_t(1));
    QCOMPARE(history.steps[0].step, 10LL);
    QCOMPARE(history.steps[0].loss, 4.5);
    QCOMPARE(history.epochs.size(), size_t(1));
    QCOMPARE(history.epochs[0].loss, 4.25);
    QVERIFY(history.epochs[0].hasTemperature);
    QCOMPARE(history.epochs[0].certaintyHistogram.counts, (std::vector<long long>{3, 7}));
    QCOMPARE(history.epochs[0].certaintyHistogram.above, 1LL);
    QCOMPARE(history.epochs[0].certaintyPercentiles.p50, 0.5);
}

void TestMetricsReader::skipsALineStillBeingWritten()
{
    QTemporaryDir dir;
    const QString path = dir.filePath("metrics.jsonl");
    QVERIFY(tau::test::writeFile(path, "{\"type\":\"step\",\"step\":1,\"loss\":2.0,\"lr\":0.1}\n{\"type\":\"st"));
    const MetricsHistory history = readMetricsFile(path.toStdString());
    QCOMPARE(history.steps.size(), size_t(1));
}

void TestMetricsReader::summarisesRunStates()
{
    QTemporaryDir dir;
    const auto makeRun = [&](const QString& name, int epochs, const QByteArray& metrics) {
        QDir(dir.path()).mkpath(name);
        tau::test::writeFile(dir.filePath(name + "/config.yaml"),
                             QStringLiteral("exp_name: %1\nnum_epochs: %2\n").arg(name).arg(epochs).toUtf8());
        tau::test::writeFile(dir.filePath(name + "/metrics.jsonl"), metrics);
    };
    makeRun("a_finished", 1, "{\"type\":\"epoch\",\"epoch\":1,\"step\":5,\"loss\":3.0}\n");
    makeRun("b_stopped", 3, "{\"type\":\"epoch\",\"epoch\":1,\"step\":5,\"loss\":3.5}\n{\"type\":\"event\",\"event\":\"stopped\",\"detail\":\"\"}\n");
    makeRun("c_failed", 3, "{\"type\":\"event\",\"event\":\"error\",\"detail\":\"nan\"}\n");
    makeRun("d_running", 3, "{\"type\":\"step\",\"epoch\":1,\"step\":2,\"loss\":5.5}\n");
    QDir(dir.path()).mkpath("not_a_run");
    const std::vector<RunSummary> runs = listRuns(dir.path().toStdString());
    QCOMPARE(runs.size(), size_t(4));
    QCOMPARE(runs[0].state, std::string("finished"));
    QCOMPARE(runs[0].lastLoss, 3.0);
    QCOMPARE(runs[1].state, std::string("stopped"));
    QCOMPARE(runs[1].epochsDone, 1);
    QCOMPARE(runs[2].state, std::string("failed"));
    QCOMPARE(runs[3].state, std::string("running")); // written just now
    QCOMPARE(runs[3].lastLoss, 5.5);
    QCOMPARE(runs[3].system, std::string("tau_simclr"));
}

void TestMetricsReader::garbageLinesAreSkippedWithAWarning()
{
    QTemporaryDir dir;
    const QString path = dir.filePath("metrics.jsonl");
    QVERIFY(tau::test::writeFile(path, "{\"type\":\"step\",\"epoch\":1,\"step\":1,\"loss\":3.0}\n"
                                       "\x01\x02 not json\n"
                                       "{\"type\":\"step\",\"epoch\":1,\"st\n" // torn by a crash, then appended to
                                       "{\"type\":\"step\",\"epoch\":1,\"step\":2,\"loss\":2.5}\n"));
    const MetricsHistory history = readMetricsFile(path.toStdString());
    QCOMPARE(int(history.steps.size()), 2);
    QCOMPARE(history.steps[1].loss, 2.5);
    QCOMPARE(int(history.warnings.size()), 2);
    QVERIFY(QString::fromStdString(history.warnings[0]).endsWith(":2: not a metrics record (cut short by a crash, "
                                                                  "or not written by tau); skipped"));
    QVERIFY(QString::fromStdString(history.warnings[1]).contains("metrics.jsonl:3:"));
}

QTEST_APPLESS_MAIN(TestMetricsReader)
#include "tst_metrics_reader.moc"
