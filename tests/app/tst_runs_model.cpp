#include "app/models/runs_model.h"
#include "tests/support/test_support.h"

#include <QAbstractItemModelTester>
#include <QTemporaryDir>
#include <QtTest>

using tau::app::RunsModel;

class TestRunsModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void listsRunsAndFollowsChanges();

private:
    void makeRun(const QTemporaryDir& dir, const QString& name, const QByteArray& metrics);
};

void TestRunsModel::makeRun(const QTemporaryDir& dir, const QString& name, const QByteArray& metrics)
{
    QDir(dir.path()).mkpath(name);
    tau::test::writeFile(dir.filePath(name + "/config.yaml"), "system: simclr\nnum_epochs: 2\n");
    tau::test::writeFile(dir.filePath(name + "/metrics.jsonl"), metrics);
}

void TestRunsModel::listsRunsAndFollowsChanges()
{
    QTemporaryDir dir;
    makeRun(dir, "beta", "{\"type\":\"epoch\",\"epoch\":1,\"step\":4,\"loss\":2.5}\n");
    RunsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRunsRoot(dir.path());
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.data(model.index(0, RunsModel::Method)).toString(), QStringLiteral("simclr"));
    QCOMPARE(model.data(model.index(0, RunsModel::Epochs)).toString(), QStringLiteral("1/2"));
    QCOMPARE(model.data(model.index(0, RunsModel::LastLoss)).toString(), QStringLiteral("2.5000"));

    // A new run appears before the old one (sorted by name); the old one's row updates in place.
    makeRun(dir, "alpha", "");
    QSignalSpy updated(&model, &RunsModel::runUpdated);
    tau::test::writeFile(dir.filePath("beta/metrics.jsonl"),
                         "{\"type\":\"epoch\",\"epoch\":1,\"step\":4,\"loss\":2.5}\n{\"type\":\"epoch\",\"epoch\":2,\"step\":8,\"loss\":2.0}\n");
    model.refresh();
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.data(model.index(0, RunsModel::Name)).toString(), QStringLiteral("alpha"));
    QCOMPARE(model.data(model.index(1, RunsModel::State)).toString(), QStringLiteral("finished"));
    QCOMPARE(updated.size(), 1);

    // A run trained by tau train --nproc 2 (its start event records the world size) says so while it trains.
    tau::test::writeFile(dir.filePath("alpha/metrics.jsonl"),
                         "{\"type\":\"event\",\"event\":\"start\",\"detail\":\"started\",\"world_size\":2}\n"
                         "{\"type\":\"step\",\"epoch\":1,\"step\":1,\"loss\":3.0}\n");
    model.refresh();
    QCOMPARE(model.data(model.index(0, RunsModel::State)).toString(), QStringLiteral("running · 2 processes"));

    QDir(dir.filePath("alpha")).removeRecursively();
    model.refresh();
    QCOMPARE(model.rowCount(), 1);
    QVERIFY(model.runDirectory(0).endsWith("beta"));
}

QTEST_GUILESS_MAIN(TestRunsModel)
#include "tst_runs_model.moc"
