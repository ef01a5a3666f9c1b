// The eval-folder format: what writeEvaluationFolder writes, readEvaluationFolder reads back exactly, and a
// damaged folder is named with what is wrong.

#include "core/common/error.h"
#include "core/io/csv.h"
#include "core/io/evaluation_files.h"
#include "core/io/path_names.h"
#include "core/io/run_directory.h"
#include "tests/support/test_support.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <sstream>

#include <cmath>
#include <limits>

using namespace tau::core;

namespace {

EvaluationFolderData sample(const std::string& folder)
{
    EvaluationFolderData data;
    data.folder = folder;
    data.inDataset = "fashion_mnist";
    data.checkpoint = folder + "/../../checkpoints/last.pt";
    data.scores = {"tau", "knn"};
    data.warnings = {"score 'tau' ranks mnist as more in-distribution than the ID set"};
    for (const std::string ood : {"mnist", "gaussian_noise"}) {
        for (const std::string& score : data.scores) {
            ScoreMetricsRecord& record = data.results[ood][score];
            record.metrics = {0.25 + 0.1 * double(score.size()), 0.5, 0.6, 0.7, 0.8};
            record.intervals = OodMetricIntervals{{0.1, 0.9}, {0.2, 0.8}, {0.3, 0.7}, {0.4, 0.6}, {0.45, 0.55}};
            record.resamples = 50;
            data.roc[ood][score] = RocCurve{{0.0, 0.5, 1.0}, {0.0, 0.75, 1.0},
                                            {std::numeric_limits<double>::infinity(), 0.1 / 3.0, -2.0}};
        }
    }
    data.sets = {SetScores{"fashion_mnist", {3, 1}, {{"tau", {0.1, 1.0 / 3.0}}, {"knn", {-0.5, -0.25}}}},
                 SetScores{"mnist", {-1, 7}, {{"tau", {0.9, 2e-17}}, {"knn", {-1.5, -1e300}}}},
                 SetScores{"gaussian_noise", {-1}, {{"tau", {0.5}}, {"knn", {-2.0}}}}};
    data.protocol.recorded = true;
    data.protocol.images = {{"fashion_mnist", 2}, {"mnist", 2}, {"gaussian_noise", 1}};
    data.protocol.limit = 2;
    data.protocol.seed = 18446744073709551557ULL; // the largest 64-bit prime: every digit of a seed survives
    data.protocol.bootstrap = 50;
    data.protocol.hasReference = true;
    data.protocol.reference = "train";
    data.protocol.referenceImages = 60000;
    data.protocol.knnK = 10;
    data.protocol.knnAggregate = "mean";
    return data;
}

} // namespace

class TestEvaluationFiles : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void writtenFolderReadsBackExactly();
    void theSummaryReadsMetricsAsTheReaderDoes();
    void damagedFilesAreNamed_data();
    void damagedFilesAreNamed();
    void embeddingAndAccuracyFilesReadBack();
    void namesWithCommasAndQuotesReadBack();
    void namesFromFilesNeverLeaveTheFolder_data();
    void namesFromFilesNeverLeaveTheFolder();
    void evaluationNamesAreOneFolderName();
};

void TestEvaluationFiles::writtenFolderReadsBackExactly()
{
    QTemporaryDir dir;
    const EvaluationFolderData written = sample(dir.filePath("eval/ood").toStdString());
    writeEvaluationFolder(written);
    const EvaluationFolderData read = readEvaluationFolder(written.folder);
    QCOMPARE(read.inDataset, written.inDataset);
    QCOMPARE(read.checkpoint, written.checkpoint);
    QCOMPARE(read.scores, written.scores);
    QCOMPARE(read.warnings, written.warnings);
    QCOMPARE(read.oodSets, (std::vector<std::string>{"gaussian_noise", "mnist"}));
    for (const auto& [ood, byScore] : written.results) {
        for (const auto& [score, record] : byScore) {
            const ScoreMetricsRecord& back = read.results.at(ood).at(score);
            QCOMPARE(back.metrics.auroc, record.metrics.auroc);
            QCOMPARE(back.metrics.auprOut, record.metrics.auprOut);
            QVERIFY(back.intervals.has_value());
            QCOMPARE(back.intervals->fpr95OodPositive.high, record.intervals->fpr95OodPositive.high);
            QCOMPARE(back.resamples, 50);
            const RocCurve& curve = read.roc.at(ood).at(score);
            QCOMPARE(curve.tpr, written.roc.at(ood).at(score).tpr);
            QVERIFY(std::isinf(curve.thresholds.front()));
            QCOMPARE(curve.thresholds[1], 0.1 / 3.0); // every digit survives the text
        }
    }
    QCOMPARE(read.sets.size(), written.sets.size());
    for (size_t s = 0; s < read.sets.size(); ++s) {
        QCOMPARE(read.sets[s].name, written.sets[s].name);
        QCOMPARE(read.sets[s].labels, written.sets[s].labels);
        QCOMPARE(read.sets[s].values, written.sets[s].values);
    }
    QVERIFY(readEvaluationFolder(written.folder, /*withScores=*/false).sets.empty());
    // The protocol: what a reader needs to compare these numbers with another evaluation's.
    QVERIFY(read.protocol.recorded);
    QCOMPARE(read.protocol.images, written.protocol.images);
    QCOMPARE(read.protocol.limit, written.protocol.limit);
    QCOMPARE(read.protocol.seed, written.protocol.seed);
    QCOMPARE(read.protocol.bootstrap, 50);
    QVERIFY(read.protocol.hasReference);
    QCOMPARE(read.protocol.reference, std::string("train"));
    QCOMPARE(read.protocol.referenceImages, int64_t(60000));
    QCOMPARE(read.protocol.knnK, 10);
    QCOMPARE(read.protocol.knnAggregate, std::string("mean"));
}

/**
 * One reader of metrics.json: the summary the run index shows (kind, scores, the first score's mean AUROC) is what
 * readEvaluationFolder reads, also for a folder that names its scores only in its results.
 */
void TestEvaluationFiles::theSummaryReadsMetricsAsTheReaderDoes()
{
    QTemporaryDir dir;
    const EvaluationFolderData written = sample(dir.filePath("eval/ood").toStdString());
    writeEvaluationFolder(written);
    QByteArray metrics = tau::test::readFile(QString::fromStdString(written.folder + "/metrics.json"));
    for (const bool withScoresList : {true, false}) {
        if (!withScoresList) { // as a hand-written or older metrics.json: no "scores" list
            const nlohmann::json json = nlohmann::json::parse(metrics.toStdString());
            nlohmann::json without = json;
            without.erase("scores");
            QVERIFY(tau::test::writeFile(QString::fromStdString(written.folder + "/metrics.json"),
                                         QByteArray::fromStdString(without.dump(2))));
        }
        const EvaluationFolderData read = readEvaluationFolder(written.folder, /*withScores=*/false);
        const EvaluationSummary summary = summarizeEvaluationFolder(written.folder);
        QVERIFY(summary.present && summary.oodDetection);
        QCOMPARE(summary.scores, read.scores);
        double sum = 0;
        for (const std::string& set : read.oodSets) {
            sum += read.results.at(set).at(read.scores.front()).metrics.auroc;
        }
        QCOMPARE(summary.aurocSets, int(read.oodSets.size()));
        QCOMPARE(summary.meanAuroc.value(), sum / double(read.oodSets.size()));
    }
}

void TestEvaluationFiles::damagedFilesAreNamed_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QByteArray>("contents");
    QTest::addColumn<QString>("expected");
    QTest::newRow("metrics.json not JSON") << "metrics.json" << QByteArray("{\"results\": [") << "metrics.json: not a metrics.json";
    QTest::newRow("a metric missing") << "metrics.json"
                                      << QByteArray("{\"results\": {\"mnist\": {\"tau\": {\"auroc\": 0.5}}}}")
                                      << "expected a number at \"fpr95\"";
    QTest::newRow("a protocol without its images") << "metrics.json"
                                                   << QByteArray("{\"results\": {}, \"protocol\": {\"limit\": 0}}")
                                                   << "metrics.json: \"protocol\" is not as tau ood writes it";
    QTest::newRow("ROC file missing") << "roc_mnist_knn.csv" << QByteArray() << "roc_mnist_knn.csv: not found";
    QTest::newRow("a score not a number") << "scores.csv" << QByteArray("dataset,index,label,tau,knn\nfashion_mnist,0,3,x,1\n")
                                          << "scores.csv:2: expected a number, got 'x'";
    QTest::newRow("a row cut short") << "scores.csv" << QByteArray("dataset,index,label,tau,knn\nfashion_mnist,0,3,0.5\n")
                                     << "scores.csv:2: expected 5 fields, got 4";
}

void TestEvaluationFiles::damagedFilesAreNamed()
{
    QFETCH(QString, file);
    QFETCH(QByteArray, contents);
    QFETCH(QString, expected);
    QTemporaryDir dir;
    const EvaluationFolderData written = sample(dir.filePath("eval").toStdString());
    writeEvaluationFolder(written);
    const QString path = dir.filePath("eval/" + file);
    if (contents.isEmpty()) {
        QVERIFY(QFile::remove(path));
    } else {
        QVERIFY(tau::test::writeFile(path, contents));
    }
    try {
        readEvaluationFolder(written.folder);
        QFAIL("a damaged folder was read");
    } catch (const DataError& error) {
        QVERIFY2(QString::fromUtf8(error.what()).contains(expected), error.what());
    }
}

void TestEvaluationFiles::embeddingAndAccuracyFilesReadBack()
{
    QTemporaryDir dir;
    const std::string folder = dir.filePath("eval/embedding").toStdString();
    std::vector<EmbeddedPoint> points(2);
    points[0] = {0, 3, 0.25, 1.5, -2.0, 10.0, 20.0};
    points[1] = {1, -1, std::nullopt, 0.125, 4.0, -3.0, 0.5};
    writeEmbeddingTable(folder, points);
    const std::vector<EmbeddedPoint> read = readEmbeddingTable(folder);
    QCOMPARE(read.size(), size_t(2));
    QCOMPARE(read[0].certainty.value(), 0.25);
    QVERIFY(!read[1].certainty.has_value()); // a run without a temperature
    QCOMPARE(read[1].label, int64_t(-1));
    QCOMPARE(read[1].tsneY.value(), 0.5);
    QCOMPARE(tau::test::readFile(dir.filePath("eval/embedding/embedding.csv")).split('\n').front(),
             QByteArray("index,label,c,pca_x,pca_y,tsne_x,tsne_y"));

    AccuracyRecord record;
    record.linear = true;
    record.dataset = "fashion_mnist";
    record.top1 = 0.75;
    record.settings = {{"epochs", 100}, {"learning_rate", 0.1}};
    writeAccuracyMetrics(dir.filePath("eval/linear").toStdString(), record);
    const EvaluationSummary summary = summarizeEvaluationFolder(dir.filePath("eval/linear").toStdString());
    QVERIFY(summary.present && !summary.oodDetection);
    QCOMPARE(summary.linearTop1.value(), 0.75);
    QVERIFY(!summary.knnTop1.has_value());
    QVERIFY(tau::test::readFile(dir.filePath("eval/linear/metrics.json")).contains("\"epochs\": 100,"));
    QVERIFY(!summarizeEvaluationFolder(dir.filePath("eval/none").toStdString()).present);
}

void TestEvaluationFiles::namesWithCommasAndQuotesReadBack()
{
    // Set names come from folder paths and class names from folder names: RFC 4180 quoting keeps them whole.
    QTemporaryDir dir;
    EvaluationFolderData written = sample(dir.filePath("eval/ood").toStdString());
    written.sets[1].name = "folder:/data/cats, dogs \"v2\"";
    written.sets[2].name = "two\nlines";
    writeEvaluationFolder(written);
    const EvaluationFolderData read = readEvaluationFolder(written.folder);
    QCOMPARE(read.sets.size(), written.sets.size());
    for (size_t s = 0; s < written.sets.size(); ++s) {
        QCOMPARE(read.sets[s].name, written.sets[s].name);
        QCOMPARE(read.sets[s].values.at("knn"), written.sets[s].values.at("knn"));
    }
    std::vector<std::string> fields;
    std::istringstream line("1,\"a, \"\"quoted\"\" name\",\n");
    QVERIFY(readCsvRecord(line, fields));
    QCOMPARE(fields, (std::vector<std::string>{"1", "a, \"quoted\" name", ""}));
    QCOMPARE(csvField("plain"), std::string("plain"));
    QCOMPARE(csvField("a,b"), std::string("\"a,b\""));
}

void TestEvaluationFiles::namesFromFilesNeverLeaveTheFolder_data()
{
    QTest::addColumn<QString>("oodSet");
    QTest::newRow("climbing") << "../../outside";
    QTest::newRow("absolute") << "/tmp/elsewhere";
    QTest::newRow("backslash") << "..\\up";
    QTest::newRow("percent") << "50%";
    QTest::newRow("line break") << "two\nlines";
    QTest::newRow("markup") << "<img src=x onerror=alert(1)>";
}

/** OOD set names (from configs, metrics.json files of others) become roc_<set>_<score>.csv: always inside the folder. */
void TestEvaluationFiles::namesFromFilesNeverLeaveTheFolder()
{
    QFETCH(QString, oodSet);
    QTemporaryDir dir;
    const QString folder = dir.filePath("run/eval/ood");
    EvaluationFolderData written = sample(folder.toStdString());
    written.results[oodSet.toStdString()] = written.results.at("mnist");
    written.roc[oodSet.toStdString()] = written.roc.at("mnist");
    writeEvaluationFolder(written);
    // Every file is directly in the folder, nothing was made beside or above it.
    const QStringList files = QDir(folder).entryList(QDir::AllEntries | QDir::NoDotAndDotDot);
    QCOMPARE(files.size(), 2 + 3 * 2); // metrics.json, scores.csv and a ROC file per set and score
    for (const QString& file : files) {
        QVERIFY2(QFileInfo(folder + "/" + file).isFile(), qPrintable(file));
    }
    QCOMPARE(QDir(dir.filePath("run/eval")).entryList(QDir::AllEntries | QDir::NoDotAndDotDot), QStringList{"ood"});
    QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot), QStringList{"run"});
    const EvaluationFolderData read = readEvaluationFolder(written.folder);
    QCOMPARE(read.roc.at(oodSet.toStdString()).at("knn").tpr, written.roc.at("mnist").at("knn").tpr);
    // The encoding keeps ordinary names as they are, so folders written before it still read.
    QCOMPARE(rocFileName("fashion_mnist@8+9", "tau_mahalanobis"), std::string("roc_fashion_mnist@8+9_tau_mahalanobis.csv"));
}

void TestEvaluationFiles::evaluationNamesAreOneFolderName()
{
    const RunPaths paths{"/runs/r"};
    QCOMPARE(paths.evaluation("ood"), std::string("/runs/r/eval/ood"));
    for (const char* name : {"..", "../../x", "a/b", "", ".", "a\\b"}) {
        const QString error = tau::test::errorOf([&] { paths.evaluation(name); });
        QVERIFY2(error.startsWith("evaluation name (the folder under /runs/r/eval): expected a non-empty name"), qPrintable(error));
    }
    QVERIFY(pathComponentProblem("tab\tname").find("without control characters") != std::string::npos);
    QCOMPARE(pathComponentProblem("tau_simclr_s1"), std::string());
    QCOMPARE(fileNamePart("a/b\\c%d\n"), std::string("a%2Fb%5Cc%25d%0A"));
}

QTEST_APPLESS_MAIN(TestEvaluationFiles)
#include "tst_evaluation_files.moc"
