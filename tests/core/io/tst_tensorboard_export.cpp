// tau export tensorboard's event file, read back by an independent decoder (tests/reference/tfevents_reference.py):
// framing and checksums, every scalar, the histograms' buckets, steps and wall times.

#include "core/io/run_directory.h"
#include "core/io/tensorboard_export.h"
#include "tests/support/test_support.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <chrono>
#include <cmath>

using namespace tau::core;

class TestTensorBoardExport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void eventFileReadsBackIndependently();
    void recordedWallTimesAndScalarsCarryOver();
};

void TestTensorBoardExport::eventFileReadsBackIndependently()
{
    QTemporaryDir dir;
    const QString run = dir.filePath("run");
    QVERIFY(QDir().mkpath(run));
    tau::test::writeFile(run + "/config.yaml", "exp_name: run\n");
    std::vector<StepRecord> steps;
    std::vector<EpochRecord> epochs;
    {
        MetricsWriter writer((run + "/metrics.jsonl").toStdString());
        writer.writeEvent("start", "", 1);
        for (int epoch = 1; epoch <= 2; ++epoch) {
            for (int i = 1; i <= 3; ++i) {
                StepRecord step;
                step.epoch = epoch;
                step.step = (epoch - 1) * 3 + i;
                step.loss = 5.0 - 0.25 * double(step.step);
                step.learningRate = 1e-3 * double(step.step);
                step.imagesPerSecond = 100.0 + double(i);
                step.meanCertainty = 0.5 + 0.01 * double(step.step);
                step.meanRawR = 0.1 * double(step.step);
                writer.write(step);
                steps.push_back(step);
            }
            EpochRecord record;
            record.epoch = epoch;
            record.step = epoch * 3;
            record.loss = 4.0 / epoch;
            record.seconds = 10.0 * epoch;
            record.hasTemperature = true;
            record.certaintyHistogram = {{0.0, 0.5, 1.0}, {3 * epoch, 7}, 0, 0};
            record.certaintyPercentiles = {0.1, 0.3, 0.5, 0.7, 0.9, 0.5};
            record.rawHistogram = {{-1.0, 0.0, 1.0, 2.0}, {1, 2, 3}, 4, 5};
            record.rawPercentiles = {-1.5, -0.2, 0.4, 1.1, 2.5, 0.3};
            writer.write(record);
            epochs.push_back(record);
        }
    }
    const TensorBoardExportResult result = exportTensorBoard(run.toStdString());
    QVERIFY(QString::fromStdString(result.file).startsWith(run + "/tensorboard/events.out.tfevents."));
    QCOMPARE(result.histograms, size_t(4));

    const auto decoded = tau::test::runReferenceScript("tfevents_reference.py", {QString::fromStdString(result.file)});
    QVERIFY2(decoded.exitCode == 0, decoded.standardError.constData());
    const QJsonObject out = QJsonDocument::fromJson(decoded.standardOutput).object();
    // The reference's CRC-32C, from the definition, gives the standard check value, as this one does.
    QCOMPARE(uint32_t(out["crc32c_check"].toDouble()), crc32c("123456789", 9));
    const QJsonArray events = out["events"].toArray();
    QCOMPARE(size_t(events.size()), 1 + result.scalars + result.histograms); // the file-version event first
    QCOMPARE(events[0].toObject()["file_version"].toString(), QString("brain.Event:2"));

    std::map<QString, std::vector<std::pair<long long, double>>> scalars; // tag -> (step, value)
    std::map<QString, std::vector<QJsonObject>> histograms;
    double lastTime = 0;
    for (int i = 1; i < events.size(); ++i) {
        const QJsonObject event = events[i].toObject();
        const double time = event["wall_time"].toDouble();
        QVERIFY2(time >= lastTime - 1e-6, "wall times never go back");
        lastTime = std::max(lastTime, time);
        const QJsonObject eventScalars = event["scalars"].toObject(), eventHistograms = event["histograms"].toObject();
        for (auto it = eventScalars.begin(); it != eventScalars.end(); ++it) {
            scalars[it.key()].push_back({event["step"].toInteger(), it.value().toDouble()});
        }
        for (auto it = eventHistograms.begin(); it != eventHistograms.end(); ++it) {
            histograms[it.key()].push_back(it.value().toObject());
        }
    }
    QCOMPARE(scalars["train/loss"].size(), steps.size());
    for (size_t i = 0; i < steps.size(); ++i) {
        QCOMPARE(scalars["train/loss"][i].first, steps[i].step);
        QCOMPARE(scalars["train/loss"][i].second, double(float(steps[i].loss)));
        QCOMPARE(scalars["train/lr"][i].second, double(float(steps[i].learningRate)));
        QCOMPARE(scalars["train/c_mean"][i].second, double(float(steps[i].meanCertainty)));
    }
    QCOMPARE(scalars["epoch/loss"].size(), size_t(2));
    QCOMPARE(scalars["epoch/loss"][1].second, double(float(epochs[1].loss)));
    QCOMPARE(scalars["c/p95"][0].second, double(float(0.9)));
    QCOMPARE(scalars["r/p5"][1].first, 6LL);
    // Buckets: below the first edge, the bins, above the last; limits are right edges.
    const QJsonObject r = histograms["r"][0];
    QCOMPARE(r["bucket"].toArray(), (QJsonArray{4.0, 1.0, 2.0, 3.0, 5.0}));
    QCOMPARE(r["bucket_limit"].toArray().first().toDouble(), -1.0);
    QCOMPARE(r["bucket_limit"].toArray()[3].toDouble(), 2.0);
    QCOMPARE(r["num"].toDouble(), 15.0);
    QCOMPARE(histograms["c"][1]["bucket"].toArray(), (QJsonArray{0.0, 6.0, 7.0, 0.0}));
    // Wall times: 30 s of epochs ending at the file's time; the first epoch's end is 20 s before the second's.
    const double firstEnd = [&] {
        for (int i = 1; i < events.size(); ++i) {
            const QJsonObject event = events[i].toObject();
            if (event["scalars"].toObject().contains("epoch/loss")) {
                return event["wall_time"].toDouble();
            }
        }
        return 0.0;
    }();
    QVERIFY(std::abs(lastTime - firstEnd - 20.0) < 1e-6);
    const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    QVERIFY2(std::abs(lastTime - now) < 120.0, "the last record ends when metrics.jsonl was written");
}

/** Records that carry their own wall_time keep it in the event file; free-form scalars become scalars/<name>. */
void TestTensorBoardExport::recordedWallTimesAndScalarsCarryOver()
{
    QTemporaryDir dir;
    const QString run = dir.filePath("run");
    QVERIFY(QDir().mkpath(run));
    tau::test::writeFile(run + "/config.yaml", "exp_name: run\n");
    const double start = 1.7e9; // a fixed clock time, far from now: rebuilt times could not land on it
    {
        MetricsWriter writer((run + "/metrics.jsonl").toStdString());
        for (int i = 1; i <= 4; ++i) {
            StepRecord step;
            step.epoch = 1;
            step.step = i;
            step.loss = 2.0 / i;
            step.wallTime = start + 1.5 * i;
            step.scalars["grad_norm"] = 0.25 * i;
            step.meanOutlierCertainty = 0.5 / i; // a run with outlier exposure
            writer.write(step);
        }
        EpochRecord epoch;
        epoch.epoch = 1;
        epoch.step = 4;
        epoch.loss = 1.0;
        epoch.seconds = 6.0;
        epoch.wallTime = start + 6.5;
        epoch.scalars["knn_top1"] = 0.625;
        epoch.hasOutliers = true;
        epoch.outlierCertaintyHistogram = {{0.0, 0.5, 1.0}, {3, 1}, 0, 0};
        epoch.outlierCertaintyPercentiles = {0.05, 0.1, 0.125, 0.3, 0.6, 0.2};
        writer.write(epoch);
    }
    const TensorBoardExportResult result = exportTensorBoard(run.toStdString());
    const auto decoded = tau::test::runReferenceScript("tfevents_reference.py", {QString::fromStdString(result.file)});
    QVERIFY2(decoded.exitCode == 0, decoded.standardError.constData());
    const QJsonArray events = QJsonDocument::fromJson(decoded.standardOutput).object()["events"].toArray();
    QCOMPARE(events[0].toObject()["wall_time"].toDouble(), start + 1.5); // the file starts at the first record
    std::map<QString, std::vector<std::pair<long long, double>>> times, values; // tag -> (step, wall time | value)
    for (int i = 1; i < events.size(); ++i) {
        const QJsonObject event = events[i].toObject();
        const QJsonObject scalars = event["scalars"].toObject();
        for (auto it = scalars.begin(); it != scalars.end(); ++it) {
            times[it.key()].push_back({event["step"].toInteger(), event["wall_time"].toDouble()});
            values[it.key()].push_back({event["step"].toInteger(), it.value().toDouble()});
        }
    }
    QCOMPARE(times["train/loss"].size(), size_t(4));
    for (size_t i = 0; i < 4; ++i) {
        QCOMPARE(times["train/loss"][i].second, start + 1.5 * double(i + 1));
        QCOMPARE(values["scalars/grad_norm"][i].second, double(float(0.25 * double(i + 1))));
    }
    QCOMPARE(times["epoch/loss"].front().second, start + 6.5);
    QCOMPARE(values["scalars/knn_top1"], (std::vector<std::pair<long long, double>>{{4, 0.625}}));
    // The outliers' c: per step, and the epoch's percentiles.
    QCOMPARE(values["train/outlier_c_mean"].size(), size_t(4));
    QCOMPARE(values["train/outlier_c_mean"][1].second, double(float(0.25)));
    QCOMPARE(values["outlier_c/p50"], (std::vector<std::pair<long long, double>>{{4, 0.125}}));
    int outlierHistograms = 0;
    for (const QJsonValue& event : events) {
        const QJsonObject histogram = event.toObject()["histograms"].toObject()["outlier_c"].toObject();
        if (!histogram.isEmpty()) {
            ++outlierHistograms;
            QCOMPARE(histogram["num"].toDouble(), 4.0); // the epoch's 3 + 1 outliers
        }
    }
    QCOMPARE(outlierHistograms, 1);
}

QTEST_APPLESS_MAIN(TestTensorBoardExport)
#include "tst_tensorboard_export.moc"
