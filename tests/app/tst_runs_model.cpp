#include "app/bridge/results_table.h"
#include "app/models/runs_model.h"
#include "app/pages/results_dialog.h"
#include "app/pages/runs_dock.h"
#include "core/io/run_notes.h"
#include "tests/support/test_support.h"

#include <QAbstractItemModelTester>
#include <QTemporaryDir>
#include <QListWidget>
#include <QTableWidget>
#include <QtTest>

using tau::app::RunsModel;

class TestRunsModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void listsRunsAndFollowsChanges();
    void experimentTableColumnsNotesAndSubfolders();
    void diffShowsOnlyTheKeysThatDiffer();
    void resultsUseEachRunsNewestOodFolder();
    void resultsDialogShowsTheSetsChosen();

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

/** Config columns, results from eval folders and the live kNN, tags and notes written back, runs in sub-folders. */
void TestRunsModel::experimentTableColumnsNotesAndSubfolders()
{
    QTemporaryDir dir;
    QDir(dir.path()).mkpath("study/tau_s2/eval/ood");
    tau::test::writeFile(dir.filePath("study/tau_s2/config.yaml"),
                         "system: tau_simclr\nseed: 2\nnum_epochs: 1\noptimizer:\n  batch_size: 64\n  learning_rate: 0.002\n");
    tau::test::writeFile(dir.filePath("study/tau_s2/metrics.jsonl"),
                         "{\"type\":\"epoch\",\"epoch\":1,\"step\":4,\"loss\":2.5,\"scalars\":{\"knn_top1\":0.5}}\n");
    tau::test::writeFile(dir.filePath("study/tau_s2/eval/ood/metrics.json"),
                         R"({"scores": ["tau", "knn"], "results": {"mnist": {"tau": {"auroc": 0.5}, "knn": {"auroc": 0.9}},
                             "inverted": {"tau": {"auroc": 0.75}}}})");
    makeRun(dir, "plain", "");
    RunsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRunsRoot(dir.path());
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.data(model.index(1, RunsModel::Name)).toString(), QStringLiteral("study/tau_s2"));
    QCOMPARE(model.data(model.index(1, RunsModel::Seed)).toInt(), 2);
    QCOMPARE(model.data(model.index(1, RunsModel::BatchSize)).toInt(), 64);
    QCOMPARE(model.data(model.index(1, RunsModel::LearningRate)).toString(), QStringLiteral("0.002"));
    QCOMPARE(model.data(model.index(1, RunsModel::KnnTop1)).toString(), QStringLiteral("0.500")); // the live kNN
    QCOMPARE(model.data(model.index(1, RunsModel::MeanAuroc)).toString(), QStringLiteral("0.625 · TaU c, 2 sets")); // tau, two sets
    QVERIFY(model.data(model.index(1, RunsModel::MeanAuroc), Qt::ToolTipRole).toString().contains("eval/ood: tau"));
    QCOMPARE(model.data(model.index(0, RunsModel::KnnTop1)).toString(), QString()); // not evaluated
    QVERIFY(model.data(model.index(0, RunsModel::KnnTop1), Qt::UserRole).toDouble() <
            model.data(model.index(1, RunsModel::KnnTop1), Qt::UserRole).toDouble());

    // tau knn's result wins over the live estimate.
    QTest::qWait(20); // a new eval folder changes eval/'s time, which the rescan watches
    QDir(dir.path()).mkpath("study/tau_s2/eval/knn");
    tau::test::writeFile(dir.filePath("study/tau_s2/eval/knn/metrics.json"), R"({"knn_top1": 0.625})");
    model.refresh();
    QCOMPARE(model.data(model.index(1, RunsModel::KnnTop1)).toString(), QStringLiteral("0.625"));

    // Tags and a note, edited in the table, live in the run folder.
    QVERIFY(model.flags(model.index(1, RunsModel::Tags)) & Qt::ItemIsEditable);
    QVERIFY(!(model.flags(model.index(1, RunsModel::Seed)) & Qt::ItemIsEditable));
    QVERIFY(model.setData(model.index(1, RunsModel::Tags), "baseline,  seeds , baseline"));
    QVERIFY(model.setData(model.index(1, RunsModel::Note), "lr from the sweep"));
    const tau::core::RunNotes notes = tau::core::readRunNotes(dir.filePath("study/tau_s2").toStdString());
    QCOMPARE(notes.tags, (std::vector<std::string>{"baseline", "seeds"}));
    QCOMPARE(notes.note, std::string("lr from the sweep"));
    RunsModel again;
    again.setRunsRoot(dir.path());
    QCOMPARE(again.data(again.index(1, RunsModel::Tags)).toString(), QStringLiteral("baseline, seeds"));
}

void TestRunsModel::diffShowsOnlyTheKeysThatDiffer()
{
    QTemporaryDir dir;
    for (const auto& [name, text] : {std::pair<const char*, const char*>{"a", "exp_name: a\nseed: 1\n"},
                                     {"b", "exp_name: b\nseed: 2\noptimizer:\n  learning_rate: 0.01\n"}}) {
        QDir(dir.path()).mkpath(name);
        tau::test::writeFile(dir.filePath(QString(name) + "/config.yaml"), text);
    }
    QString error;
    const QVector<QStringList> rows = tau::app::RunsDock::configDifferences({dir.filePath("a"), dir.filePath("b")}, error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(rows.size(), 2); // exp_name is each run's own and left out
    QCOMPARE(rows[0], (QStringList{"seed", "1", "2"}));
    QCOMPARE(rows[1][0], QStringLiteral("optimizer.learning_rate"));
    QCOMPARE(rows[1][2], QStringLiteral("0.01"));
    tau::test::writeFile(dir.filePath("b/config.yaml"), "seed: [\n");
    tau::app::RunsDock::configDifferences({dir.filePath("a"), dir.filePath("b")}, error);
    QVERIFY2(error.contains("config.yaml"), qPrintable(error));
}

void TestRunsModel::resultsUseEachRunsNewestOodFolder()
{
    QTemporaryDir dir;
    for (const char* folder : {"a/eval/old", "a/eval/new", "a/eval/knn", "b/eval/knn"}) {
        QDir(dir.path()).mkpath(folder);
    }
    const QByteArray ood = R"({"scores": ["tau"], "results": {"mnist": {"tau": {"auroc": 0.5}}}})";
    tau::test::writeFile(dir.filePath("a/eval/old/metrics.json"), ood);
    QTest::qWait(20);
    tau::test::writeFile(dir.filePath("a/eval/new/metrics.json"), ood);
    tau::test::writeFile(dir.filePath("a/eval/knn/metrics.json"), R"({"knn_top1": 0.5})"); // not an OOD folder
    tau::test::writeFile(dir.filePath("b/eval/knn/metrics.json"), R"({"knn_top1": 0.5})");
    const QStringList folders = tau::app::RunsDock::newestOodFolders({dir.filePath("a"), dir.filePath("b")});
    QCOMPARE(folders, QStringList{dir.filePath("a/eval/new")}); // b has no OOD results and is left out
    QCOMPARE(tau::app::meanAndSpread({0.75, 0.85, 0.70}), QStringLiteral("0.767 ± 0.076"));
    QCOMPARE(tau::app::meanAndSpread({0.5}), QStringLiteral("0.500"));
    QCOMPARE(tau::app::meanAndSpread({}, true), QStringLiteral("--"));
}

/** The Results dialog shows the OOD sets ticked, in the table and in what Save writes (mean over those sets only). */
void TestRunsModel::resultsDialogShowsTheSetsChosen()
{
    tau::app::ResultRow row;
    row.method = QStringLiteral("TaU-SimCLR");
    row.score = QStringLiteral("tau");
    row.runs = QStringList{"s1", "s2"};
    row.auroc = {{"mnist", {0.5, 0.7}}, {"noise", {0.2, 0.4}}, {"inverted", {0.9, 0.9}}};
    row.fpr95 = {{"mnist", {0.9, 0.8}}, {"noise", {1.0, 1.0}}, {"inverted", {0.1, 0.3}}};
    row.linearTop1 = {0.77, 0.79};
    tau::app::ResultsDialog dialog({row}, QStringLiteral("fashion_mnist"));
    auto* table = dialog.findChild<QTableWidget*>("resultsTable");
    auto* sets = dialog.findChild<QListWidget*>("resultsSets");
    QVERIFY(table && sets);
    QCOMPARE(sets->count(), 3);
    QCOMPARE(table->columnCount(), 3 + 2 * 3 + 1); // method, score, n; AUROC and FPR@95 per set; linear top-1
    QCOMPARE(table->item(0, table->columnCount() - 1)->text(), QStringLiteral("0.780 ± 0.014"));
    sets->findItems("noise", Qt::MatchExactly).front()->setCheckState(Qt::Unchecked);
    QCOMPARE(dialog.chosenSets(), (QStringList{"inverted", "mnist"}));
    QCOMPARE(table->columnCount(), 3 + 2 * 2 + 1);
    const QString markdown = dialog.tableText(tau::app::TableFormat::Markdown);
    QVERIFY2(!markdown.contains("noise"), qPrintable(markdown));
    // AUROC: inverted 0.9, mnist 0.6 -> mean over the two sets 0.750
    QVERIFY2(markdown.contains("| TaU-SimCLR | tau | 2 | 0.900 ± 0.000 | 0.600 ± 0.141 | 0.750 | 0.780 ± 0.014 |"),
             qPrintable(markdown));
}

QTEST_MAIN(TestRunsModel)
#include "tst_runs_model.moc"
