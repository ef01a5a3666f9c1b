// tau ood end to end on tiny trained models: the files it writes, every score, and the metrics recomputed
// by scikit-learn from the written scores.

#include "core/common/error.h"
#include "core/config/config_loader.h"
#include "core/evaluation/loaded_run.h"
#include "core/evaluation/ood_evaluation.h"
#include "core/training/trainer.h"
#include "tests/support/test_support.h"

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <fstream>

using namespace tau::core;

namespace {

class Quiet : public TrainingObserver, public EvaluationObserver
{
};

} // namespace

class TestOodEvaluation : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void writesMetricsScoresAndRocFiles();
    void everyScoreRunsOnItsModel_data();
    void everyScoreRunsOnItsModel();
    void aScoreTheModelCannotGiveIsRefused();
    void mahalanobisMatchesScikitLearn();

private:
    std::string trainPreset(const QString& preset, const std::string& name);

    QTemporaryDir m_runs;
    std::map<std::string, std::string> m_trained; ///< preset -> run directory
};

std::string TestOodEvaluation::trainPreset(const QString& preset, const std::string& name)
{
    ConfigLoadOptions options;
    options.overrides = {"num_epochs=1", "dataset.train_subset=128", "optimizer.batch_size=32", "loss.k=64",
                         "exp_name=" + name, "threads=2"};
    ExperimentConfig config = loadConfigFile(
        (tau::test::sourceDir() + "/configs/fashion_mnist/" + preset + ".yaml").toStdString(), options);
    config.runsDir = m_runs.path().toStdString();
    Quiet quiet;
    CancellationToken cancel;
    return train(config, quiet, cancel).runDirectory;
}

void TestOodEvaluation::initTestCase()
{
    for (const char* preset : {"tau_simclr", "supervised", "hib", "mc_dropout", "simclr"}) {
        m_trained[preset] = trainPreset(preset, preset);
    }
    m_trained["simclr_2"] = trainPreset("simclr", "simclr_2");
}

void TestOodEvaluation::writesMetricsScoresAndRocFiles()
{
    OodEvaluationOptions options;
    options.checkpoint = m_trained["tau_simclr"] + "/checkpoints/last.pt";
    options.outDatasets = {"mnist", "gaussian_noise"};
    options.scores = {"tau", "tau_repo", "knn"};
    options.limit = 300;
    options.knnReferenceLimit = 500;
    options.bootstrap = 50;
    options.name = "check";
    Quiet quiet;
    CancellationToken cancel;
    const OodEvaluationResult result = evaluateOod(options, quiet, cancel);
    const QString folder = QString::fromStdString(result.directory);
    QCOMPARE(folder, QString::fromStdString(m_trained["tau_simclr"] + "/eval/check"));

    const auto metrics = nlohmann::json::parse(tau::test::readFile(folder + "/metrics.json").toStdString());
    QCOMPARE(metrics["in_dataset"].get<std::string>(), std::string("fashion_mnist"));
    for (const char* ood : {"mnist", "gaussian_noise"}) {
        for (const char* score : {"tau", "tau_repo", "knn"}) {
            const auto& entry = metrics["results"][ood][score];
            for (const char* key : {"auroc", "fpr95", "fpr95_ood_positive", "aupr_in", "aupr_out"}) {
                QVERIFY2(entry.contains(key) && entry[key].is_number(), key);
            }
            const auto ci = entry["ci95"]["auroc"];
            QVERIFY(ci[0].get<double>() <= entry["auroc"].get<double>() + 1e-12);
            QVERIFY(entry["auroc"].get<double>() <= ci[1].get<double>() + 1e-12);
            QVERIFY(QFile::exists(folder + "/roc_" + ood + "_" + score + ".csv"));
        }
    }
    const QList<QByteArray> lines = tau::test::readFile(folder + "/scores.csv").trimmed().split('\n');
    QCOMPARE(lines.front(), QByteArray("dataset,index,label,tau,tau_repo,knn"));
    QCOMPARE(lines.size(), 1 + 3 * 300);
    QVERIFY(lines[1].startsWith("fashion_mnist,0,"));
    QVERIFY(tau::test::readFile(folder + "/roc_mnist_tau.csv").startsWith("fpr,tpr,threshold\n0,0,inf\n"));

    // scikit-learn, reading only the written scores, agrees with the written metrics.
    const auto check = tau::test::runReferenceScript("metrics_from_scores_csv.py", {folder, "fashion_mnist"});
    QVERIFY2(check.exitCode == 0, check.standardError.constData());
    const auto sklearn = nlohmann::json::parse(check.standardOutput.toStdString());
    for (const auto& [ood, byScore] : sklearn.items()) {
        for (const auto& [score, values] : byScore.items()) {
            QVERIFY(std::abs(values["auroc"].get<double>() - metrics["results"][ood][score]["auroc"].get<double>()) < 1e-9);
            QVERIFY(std::abs(values["aupr_in"].get<double>() - metrics["results"][ood][score]["aupr_in"].get<double>()) < 1e-9);
        }
    }
}

void TestOodEvaluation::everyScoreRunsOnItsModel_data()
{
    QTest::addColumn<QString>("run");
    QTest::addColumn<QString>("score");
    QTest::newRow("msp") << "supervised" << "msp";
    QTest::newRow("energy") << "supervised" << "energy";
    QTest::newRow("odin") << "supervised" << "odin";
    QTest::newRow("hib") << "hib" << "hib";
    QTest::newRow("mc_dropout") << "mc_dropout" << "mc_dropout";
    QTest::newRow("ensemble") << "simclr" << "ensemble";
    QTest::newRow("knn, max, test reference") << "simclr" << "knn";
}

void TestOodEvaluation::everyScoreRunsOnItsModel()
{
    QFETCH(QString, run);
    QFETCH(QString, score);
    OodEvaluationOptions options;
    options.checkpoint = m_trained[run.toStdString()];
    options.outDatasets = {"uniform_noise"};
    options.scores = {score.toStdString()};
    options.limit = 100;
    options.mcPasses = 4;
    options.name = score.toStdString();
    if (score == "ensemble") {
        options.ensemble = {m_trained["simclr_2"]};
    }
    if (score == "knn") {
        options.knnTestReference = true;
        options.knnAggregate = "max";
    }
    Quiet quiet;
    CancellationToken cancel;
    const OodEvaluationResult result = evaluateOod(options, quiet, cancel);
    const OodMetrics& m = result.results.at("uniform_noise").at(score.toStdString()).metrics;
    QVERIFY(m.auroc >= 0.0 && m.auroc <= 1.0);
    QVERIFY(m.auprIn > 0.0);
}

void TestOodEvaluation::aScoreTheModelCannotGiveIsRefused()
{
    OodEvaluationOptions options;
    options.checkpoint = m_trained["tau_simclr"];
    options.outDatasets = {"uniform_noise"};
    Quiet quiet;
    CancellationToken cancel;
    options.scores = {"msp"};
    try {
        evaluateOod(options, quiet, cancel);
        QFAIL("msp on a TaU model was accepted");
    } catch (const TauError& error) {
        QVERIFY2(QString::fromUtf8(error.what()).contains("needs a supervised model"), error.what());
    }
    options.scores = {"taus"};
    QVERIFY_THROWS_EXCEPTION(TauError, evaluateOod(options, quiet, cancel));
}

namespace {

/** h of every image of a run's @p split as tau ood loads it (the same seeded limit), through the one model pass. */
std::pair<nlohmann::json, nlohmann::json> featuresOf(const std::string& run, Split split, long long limit)
{
    const LoadedRun loaded = loadRun(run, "", limit, split, torch::kCPU);
    Quiet quiet;
    PassProgress progress(quiet);
    nlohmann::json rows = nlohmann::json::array(), labels = nlohmann::json::array();
    forEachBatch(loaded.model(), loaded.images, PassOptions{}, progress, CancellationToken(), [&](const PassBatch& batch) {
        const torch::Tensor h = batch.output.features.to(torch::kDouble).contiguous();
        for (int64_t i = 0; i < h.size(0); ++i) {
            rows.push_back(std::vector<double>(h[i].data_ptr<double>(), h[i].data_ptr<double>() + h.size(1)));
            labels.push_back(loaded.images.labels[batch.begin + i].item<int64_t>());
        }
    });
    return {rows, labels};
}

} // namespace

void TestOodEvaluation::mahalanobisMatchesScikitLearn()
{
    OodEvaluationOptions options;
    options.checkpoint = m_trained["tau_simclr"];
    options.outDatasets = {"gaussian_noise"};
    options.scores = {"mahalanobis"};
    options.limit = 200;
    options.knnReferenceLimit = 400;
    options.name = "mahalanobis";
    Quiet quiet;
    CancellationToken cancel;
    const OodEvaluationResult result = evaluateOod(options, quiet, cancel);
    QVERIFY(result.results.at("gaussian_noise").count("mahalanobis") == 1);

    // scikit-learn recomputes the ID test set's scores from the same features h.
    const auto [train, trainLabels] = featuresOf(options.checkpoint, Split::Train, options.knnReferenceLimit);
    const auto [query, ignored] = featuresOf(options.checkpoint, Split::Test, options.limit);
    QTemporaryDir dir;
    const QString input = dir.filePath("features.json");
    std::ofstream(input.toStdString()) << nlohmann::json{{"train", train}, {"train_labels", trainLabels}, {"query", query}}.dump();
    const auto reference = tau::test::runReferenceScript("mahalanobis_reference.py", {input});
    QVERIFY2(reference.exitCode == 0, reference.standardError.constData());
    const std::vector<double> expected = nlohmann::json::parse(reference.standardOutput.toStdString());
    QCOMPARE(expected.size(), size_t(200));

    const QList<QByteArray> lines = tau::test::readFile(QString::fromStdString(result.directory) + "/scores.csv").trimmed().split('\n');
    QCOMPARE(lines.front(), QByteArray("dataset,index,label,mahalanobis"));
    for (size_t i = 0; i < expected.size(); ++i) {
        const double written = lines[int(i) + 1].split(',').last().toDouble();
        QVERIFY2(std::abs(written - expected[i]) <= 1e-6 * std::max(1.0, std::abs(expected[i])),
                 qPrintable(QString("image %1: %2 vs scikit-learn's %3").arg(i).arg(written).arg(expected[i])));
    }
    // Higher is more in-distribution: Gaussian noise is far from every class mean.
    QVERIFY(result.results.at("gaussian_noise").at("mahalanobis").metrics.auroc > 0.9);
}

QTEST_APPLESS_MAIN(TestOodEvaluation)
#include "tst_ood_evaluation.moc"
