#include "core/io/metrics_reader.h"
#include "core/io/record_fields.h"
#include "core/runs/run_index.h"
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
    void everyRecordFieldRoundTrips();
    void skipsALineStillBeingWritten();
    void garbageLinesAreSkippedWithAWarning();
    void summarisesRunStates();
    void longHistoriesAreDecimatedEvenly_data();
    void longHistoriesAreDecimatedEvenly();
    void freeFormScalarsFromAnyWriter();
    void schemaFromTheHeader();
};

/** "scalars": {name: number} on step and epoch records, from MetricsWriter or a line another program appended. */
void TestMetricsReader::freeFormScalarsFromAnyWriter()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath("metrics.jsonl").toStdString();
    {
        MetricsWriter writer(path);
        StepRecord step;
        step.epoch = 1;
        step.step = 1;
        step.scalars = {{"grad_norm", 2.5}};
        writer.write(step);
        EpochRecord epoch;
        epoch.epoch = 1;
        epoch.step = 1;
        epoch.scalars = {{"knn_top1", 0.625}, {"val/loss", 3.0}};
        writer.write(epoch);
    }
    {
        std::ofstream other(path, std::ios::app);
        other << R"({"type":"epoch","epoch":2,"step":2,"loss":1.5,"scalars":{"knn_top1":0.75,"note":"text"}})" << "\n";
        other << R"({"type":"step","epoch":2,"step":2,"loss":1.0,"scalars":[1,2]})" << "\n";
    }
    const MetricsHistory history = readMetricsFile(path);
    QCOMPARE(history.steps.size(), size_t(2));
    QCOMPARE(history.steps[0].scalars.at("grad_norm"), 2.5);
    QVERIFY(history.steps[1].scalars.empty());
    QCOMPARE(history.epochs.size(), size_t(2));
    QCOMPARE(history.epochs[0].scalars.at("knn_top1"), 0.625);
    QCOMPARE(history.epochs[0].scalars.at("val/loss"), 3.0);
    QCOMPARE(history.epochs[1].scalars.at("knn_top1"), 0.75);
    QCOMPARE(history.epochs[1].scalars.count("note"), size_t(0));
    // The text scalar and the array, each named with its line (the writer's header is line 1).
    QCOMPARE(history.warnings.size(), size_t(2));
    QVERIFY2(QString::fromStdString(history.warnings[0]).contains(":4: scalar 'note' is not a number"),
             history.warnings[0].c_str());
    QVERIFY2(QString::fromStdString(history.warnings[1]).contains(":5: \"scalars\" is not an object"),
             history.warnings[1].c_str());
}

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
    QCOMPARE(history.schema, kMetricsSchema); // the header MetricsWriter put first
    QVERIFY(history.warnings.empty());
}

/** The header's schema: none in a file from before schemas (0), a warning for one from a newer tool. */
namespace {

/** Gives every number of @p fields a value of its own (row i: i + 0.25, integers i + 1), as the table lists them. */
template <typename Record>
void fillDistinct(Record& record, const std::vector<RecordNumber<Record>>& fields)
{
    for (size_t i = 0; i < fields.size(); ++i) {
        std::visit(
            [&](auto member) {
                using Value = std::decay_t<decltype(record.*member)>;
                if constexpr (std::is_same_v<Value, std::optional<double>> || std::is_same_v<Value, double>) {
                    record.*member = double(i) + 0.25;
                } else {
                    record.*member = Value(i + 1);
                }
            },
            fields[i].member);
    }
}

/** Row by row, @p read holds what @p written held. */
template <typename Record>
void compareFields(const Record& read, const Record& written, const std::vector<RecordNumber<Record>>& fields)
{
    for (const RecordNumber<Record>& field : fields) {
        std::visit([&](auto member) { QVERIFY2(read.*member == written.*member, field.name); }, field.member);
    }
}

} // namespace

/** Every row of the record tables is written by MetricsWriter and read back by readMetricsFile. */
void TestMetricsReader::everyRecordFieldRoundTrips()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath("metrics.jsonl").toStdString();
    StepRecord step;
    fillDistinct(step, stepRecordNumbers());
    EpochRecord epoch;
    fillDistinct(epoch, epochRecordNumbers());
    int distribution = 0;
    for (const RecordDistribution& row : epochRecordDistributions()) {
        epoch.*row.present = true;
        (epoch.*row.histogram).edges = {0.0, 0.5, 1.0};
        (epoch.*row.histogram).counts = {distribution + 1, distribution + 2};
        (epoch.*row.percentiles).p50 = 0.1 * ++distribution;
    }
    {
        MetricsWriter writer(path);
        writer.write(step);
        writer.write(epoch);
    }
    const MetricsHistory history = readMetricsFile(path);
    QCOMPARE(history.steps.size(), size_t(1));
    QCOMPARE(history.epochs.size(), size_t(1));
    compareFields(history.steps.front(), step, stepRecordNumbers());
    compareFields(history.epochs.front(), epoch, epochRecordNumbers());
    for (const RecordDistribution& row : epochRecordDistributions()) {
        QVERIFY2(history.epochs.front().*row.present, row.histogramName);
        QCOMPARE((history.epochs.front().*row.histogram).counts, (epoch.*row.histogram).counts);
        QCOMPARE((history.epochs.front().*row.percentiles).p50, (epoch.*row.percentiles).p50);
    }
}

void TestMetricsReader::schemaFromTheHeader()
{
    QTemporaryDir dir;
    const QString old = dir.filePath("old.jsonl");
    QVERIFY(tau::test::writeFile(old, "{\"type\":\"step\",\"step\":1,\"loss\":2.0}\n"));
    QCOMPARE(readMetricsFile(old.toStdString()).schema, 0);
    const QString newer = dir.filePath("newer.jsonl");
    QVERIFY(tau::test::writeFile(newer, "{\"type\":\"header\",\"schema\":99}\n{\"type\":\"step\",\"step\":1,\"loss\":2.0}\n"));
    const MetricsHistory history = readMetricsFile(newer.toStdString());
    QCOMPARE(history.schema, 99);
    QCOMPARE(history.steps.size(), size_t(1));
    QCOMPARE(history.warnings.size(), size_t(1));
    QVERIFY2(QString::fromStdString(history.warnings[0]).contains("schema 99, written by a newer TaU Explorer"),
             history.warnings[0].c_str());
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

void TestMetricsReader::longHistoriesAreDecimatedEvenly_data()
{
    QTest::addColumn<int>("records");
    QTest::addColumn<int>("cap");
    QTest::newRow("1000 into 64") << 1000 << 64;
    QTest::newRow("1024 into 64") << 1024 << 64;
    QTest::newRow("1025 into 64") << 1025 << 64;
    QTest::newRow("fits") << 50 << 64;
    QTest::newRow("summary cap 2") << 777 << 2;
}

void TestMetricsReader::longHistoriesAreDecimatedEvenly()
{
    QFETCH(int, records);
    QFETCH(int, cap);
    QTemporaryDir dir;
    const std::string path = dir.filePath("metrics.jsonl").toStdString();
    {
        MetricsWriter writer(path);
        writer.writeEvent("start", "", 2);
        for (int index = 0; index < records; ++index) {
            StepRecord step;
            step.epoch = index / 100 + 1;
            step.step = index + 1;
            step.loss = 5.0 - 0.001 * index;
            writer.write(step);
            if ((index + 1) % 100 == 0) {
                EpochRecord epoch;
                epoch.epoch = step.epoch;
                epoch.step = step.step;
                epoch.loss = step.loss;
                writer.write(epoch);
            }
        }
    }
    const MetricsHistory all = readMetricsFile(path);
    QCOMPARE(int(all.steps.size()), records);
    QCOMPARE(all.stepStride, 1LL);

    const MetricsHistory kept = readMetricsFile(path, MetricsReadOptions{size_t(cap)});
    QCOMPARE(kept.stepRecordsInFile, (long long)records);
    QCOMPARE(int(kept.epochs.size()), records / 100);
    QCOMPARE(kept.worldSize, 2);
    QVERIFY(kept.warnings.empty());
    // The smallest power-of-two stride whose records fit under the cap (plus the last one).
    const long long stride = kept.stepStride;
    QVERIFY((stride & (stride - 1)) == 0);
    const long long strided = (records + stride - 1) / stride;
    QVERIFY2(strided <= cap && (stride == 1 || (records + stride / 2 - 1) / (stride / 2) > cap),
             qPrintable(QStringLiteral("stride %1 for %2 records under %3").arg(stride).arg(records).arg(cap)));
    QVERIFY(int(kept.steps.size()) <= cap + 1);
    // Every kept record is the file's record at a multiple of the stride, read in full; the last one is kept.
    for (size_t i = 0; i + 1 < kept.steps.size(); ++i) {
        const StepRecord& expected = all.steps[size_t(i * size_t(stride))];
        QCOMPARE(kept.steps[i].step, expected.step);
        QCOMPARE(kept.steps[i].loss, expected.loss);
        QCOMPARE(kept.steps[i].epoch, expected.epoch);
    }
    QCOMPARE(kept.steps.back().step, all.steps.back().step);
    QCOMPARE(kept.steps.back().loss, all.steps.back().loss);
}

QTEST_APPLESS_MAIN(TestMetricsReader)
#include "tst_metrics_reader.moc"
