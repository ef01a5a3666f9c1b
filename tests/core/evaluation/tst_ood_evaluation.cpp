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
    void everyScoreMatchesItsPythonReference_data();
    void everyScoreMatchesItsPythonReference();

private:
    std::string trainPreset(const QString& preset, const std::string& name, const std::string& seed = "1337");

    QTemporaryDir m_runs;
    std::map<std::string, std::string> m_trained; ///< preset -> run directory
};

std::string TestOodEvaluation::trainPreset(const QString& preset, const std::string& name, const std::string& seed)
{
    ConfigLoadOptions options;
    options.overrides = {"num_epochs=1", "dataset.train_subset=128", "optimizer.batch_size=32", "loss.k=64",
                         "exp_name=" + name, "threads=2", "seed=" + seed};
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
    m_trained["simclr_2"] = trainPreset("simclr", "simclr_2", "7"); // an ensemble member: another seed
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

nlohmann::json rowsOf(const torch::Tensor& tensor)
{
    const torch::Tensor t = tensor.to(torch::kCPU, torch::kDouble).contiguous();
    if (t.dim() == 1) {
        return std::vector<double>(t.data_ptr<double>(), t.data_ptr<double>() + t.numel());
    }
    nlohmann::json rows = nlohmann::json::array();
    for (int64_t i = 0; i < t.size(0); ++i) {
        rows.push_back(rowsOf(t[i]));
    }
    return rows;
}

/** What a score row asks of the exported outputs beyond loc, r and h. */
struct ExportNeeds
{
    int dropoutPasses = 0; ///< mc_dropout: this many further passes per batch, as the score draws them
    std::vector<TrainingObjective*> members;
    bool inputs = false; ///< odin: the model's inputs
};

/** The model's outputs for every image of @p set through the one model pass, as JSON for the Python reference. */
nlohmann::json exportSet(const std::string& name, const LoadedRun& run, const ImageDataset& set, const ExportNeeds& needs)
{
    std::vector<torch::Tensor> loc, r, h, inputs;
    std::vector<std::vector<torch::Tensor>> passes(needs.dropoutPasses), members(needs.members.size());
    Quiet quiet;
    PassProgress progress(quiet);
    forEachBatch(run.model(), set, PassOptions{}, progress, CancellationToken(), [&](const PassBatch& batch) {
        loc.push_back(batch.output.loc);
        h.push_back(batch.output.features.flatten(1));
        if (batch.output.rawR.defined()) {
            r.push_back(batch.output.rawR);
        }
        for (auto& pass : passes) {
            pass.push_back(run.objective->infer(batch.inputs).loc);
        }
        for (size_t m = 0; m < needs.members.size(); ++m) {
            members[m].push_back(needs.members[m]->infer(batch.inputs).loc);
        }
        if (needs.inputs) {
            inputs.push_back(batch.inputs);
        }
    });
    nlohmann::json out = {{"name", name}, {"loc", rowsOf(torch::cat(loc))}, {"features", rowsOf(torch::cat(h))},
                          {"labels", rowsOf(set.labels)}};
    if (!r.empty()) {
        out["r"] = rowsOf(torch::cat(r));
    }
    for (const auto& pass : passes) {
        out["passes"].push_back(rowsOf(torch::cat(pass)));
    }
    for (const auto& member : members) {
        out["members"].push_back(rowsOf(torch::cat(member)));
    }
    if (needs.inputs) {
        out["inputs"] = rowsOf(torch::cat(inputs));
    }
    return out;
}

nlohmann::json weightsOf(torch::nn::Module& model)
{
    nlohmann::json weights;
    for (const auto& item : model.named_parameters()) {
        weights[item.key()] = {{"shape", item.value().sizes().vec()}, {"values", rowsOf(item.value().flatten())}};
    }
    for (const auto& item : model.named_buffers()) {
        if (item.value().is_floating_point()) {
            weights[item.key()] = {{"shape", item.value().sizes().vec()}, {"values", rowsOf(item.value().flatten())}};
        }
    }
    return weights;
}

/** scores.csv of an evaluation folder: set -> score -> one value per image, in file order. */
std::map<std::string, std::map<std::string, std::vector<double>>> writtenScores(const std::string& folder)
{
    const QList<QByteArray> lines = tau::test::readFile(QString::fromStdString(folder) + "/scores.csv").trimmed().split('\n');
    const QList<QByteArray> header = lines.front().split(',');
    std::map<std::string, std::map<std::string, std::vector<double>>> sets;
    for (int i = 1; i < lines.size(); ++i) {
        const QList<QByteArray> cells = lines[i].split(',');
        for (int column = 3; column < header.size(); ++column) {
            sets[cells[0].toStdString()][header[column].toStdString()].push_back(cells[column].toDouble());
        }
    }
    return sets;
}

constexpr uint64_t kDropoutSeed = 4242;

} // namespace

void TestOodEvaluation::everyScoreMatchesItsPythonReference_data()
{
    QTest::addColumn<QString>("run");
    QTest::addColumn<QStringList>("scores");
    QTest::addColumn<bool>("knnTestReference");
    QTest::newRow("tau, tau_repo, knn (train reference, mean), mahalanobis, tau_mahalanobis")
        << "tau_simclr" << QStringList{"tau", "tau_repo", "knn", "mahalanobis", "tau_mahalanobis"} << false;
    QTest::newRow("knn (test reference without itself, max)") << "simclr" << QStringList{"knn"} << true;
    QTest::newRow("hib") << "hib" << QStringList{"hib"} << false;
    QTest::newRow("msp, energy, odin") << "supervised" << QStringList{"msp", "energy", "odin"} << false;
    QTest::newRow("mc_dropout (the same dropout masks)") << "mc_dropout" << QStringList{"mc_dropout"} << false;
    QTest::newRow("ensemble") << "simclr" << QStringList{"ensemble"} << false;
}

/**
 * Each score as tau ood writes it to scores.csv, image by image, against ood_scores_reference.py computing it
 * from its definition out of the model's own outputs (loc, r, h, dropout passes, members' embeddings), and for
 * ODIN out of the network rebuilt in PyTorch from the checkpoint's weights. A flipped sign, a wrong reference set,
 * a biased std or a perturbation in the wrong direction fails here; the metrics alone would not show it.
 */
void TestOodEvaluation::everyScoreMatchesItsPythonReference()
{
    QFETCH(QString, run);
    QFETCH(QStringList, scores);
    QFETCH(bool, knnTestReference);
    OodEvaluationOptions options;
    options.checkpoint = m_trained[run.toStdString()];
    options.outDatasets = {"mnist"};
    options.scores.clear();
    for (const QString& score : scores) {
        options.scores.push_back(score.toStdString());
    }
    options.limit = 64;
    options.knnReferenceLimit = 160;
    options.knnK = 5;
    options.knnTestReference = knnTestReference;
    options.knnAggregate = knnTestReference ? "max" : "mean";
    options.mcPasses = 4;
    options.odinTemperature = 10.0; // T and eps large enough that the perturbation moves the score visibly
    options.odinEpsilon = 0.02;
    options.threads = 1;
    options.name = "reference";
    if (scores.contains("ensemble")) {
        options.ensemble = {m_trained["simclr_2"]};
    }
    Quiet quiet;
    CancellationToken cancel;
    torch::manual_seed(kDropoutSeed);
    const OodEvaluationResult result = evaluateOod(options, quiet, cancel);
    const auto written = writtenScores(result.directory);

    // The same images and models, the global generator where the evaluation had it: mc_dropout's passes follow the
    // one forward pass of each batch, and nothing else draws from it.
    torch::manual_seed(kDropoutSeed);
    const LoadedRun loaded = loadRun(options.checkpoint, "", options.limit, Split::Test, torch::kCPU);
    ExportNeeds needs;
    needs.dropoutPasses = scores.contains("mc_dropout") ? options.mcPasses : 0;
    needs.inputs = scores.contains("odin");
    std::vector<std::unique_ptr<TrainingObjective>> members;
    for (const std::string& member : options.ensemble) {
        RunLoadOptions load;
        load.checkpoint = member;
        members.push_back(loadModelOf(load, loaded, torch::kCPU));
        needs.members.push_back(members.back().get());
    }
    const ImageDataset ood = loadOodSet("mnist", loaded.images, loaded.config.data, options.limit, options.seed);
    nlohmann::json spec;
    spec["scores"] = options.scores;
    spec["sets"] = {exportSet(loaded.data.name, loaded, loaded.images, needs), exportSet("mnist", loaded, ood, needs)};
    const auto& normalisation = loaded.transform->options();
    spec["options"] = {{"knn_k", options.knnK}, {"knn_aggregate", options.knnAggregate},
                       {"knn_test_reference", options.knnTestReference}, {"odin_temperature", options.odinTemperature},
                       {"odin_epsilon", options.odinEpsilon}, {"mean", normalisation.mean}, {"std", normalisation.std}};
    if (scores.contains("knn") || scores.contains("mahalanobis") || scores.contains("tau_mahalanobis")) {
        const LoadedRun train = loadRun(options.checkpoint, "", options.knnReferenceLimit, Split::Train, torch::kCPU);
        spec["train"] = exportSet("train", train, train.images, ExportNeeds{});
    }
    if (needs.inputs) {
        spec["weights"] = weightsOf(loaded.objective->model());
    }
    QTemporaryDir dir;
    const QString input = dir.filePath("outputs.json");
    std::ofstream(input.toStdString()) << spec.dump();
    const auto reference = tau::test::runReferenceScript("ood_scores_reference.py", {input});
    QVERIFY2(reference.exitCode == 0, reference.standardError.constData());
    const auto expected = nlohmann::json::parse(reference.standardOutput.toStdString());

    for (const auto& set : spec["sets"]) {
        const std::string name = set["name"];
        if (needs.inputs) { // the rebuilt network is the model: else a mismatch below would say nothing of ODIN
            const std::vector<std::vector<double>> logits = expected[name]["odin_logits"];
            const std::vector<std::vector<double>> ours = set["loc"];
            for (size_t i = 0; i < logits.size(); ++i) {
                for (size_t j = 0; j < logits[i].size(); ++j) {
                    QVERIFY2(std::abs(logits[i][j] - ours[i][j]) < 1e-4, qPrintable(QString("%1 logit %2,%3").arg(name.c_str()).arg(i).arg(j)));
                }
            }
        }
        for (const std::string& score : options.scores) {
            const std::vector<double>& ours = written.at(name).at(score);
            const std::vector<double> theirs = expected[name][score];
            QCOMPARE(ours.size(), size_t(options.limit));
            QCOMPARE(theirs.size(), ours.size());
            const auto [low, high] = std::minmax_element(theirs.begin(), theirs.end());
            const double spread = *high - *low;
            QVERIFY2(spread > 0.0, qPrintable(QString("%1 on %2: every image scored alike").arg(score.c_str(), name.c_str())));
            for (size_t i = 0; i < ours.size(); ++i) {
                // float32 model outputs: agreement to 1e-5 of the score's range across the images
                const double tolerance = 1e-5 * std::max(spread, std::abs(theirs[i]));
                QVERIFY2(std::abs(ours[i] - theirs[i]) <= tolerance,
                         qPrintable(QString("%1 of %2 image %3: written %4, the reference %5")
                                        .arg(score.c_str(), name.c_str()).arg(i).arg(ours[i], 0, 'g', 12).arg(theirs[i], 0, 'g', 12)));
            }
        }
    }
}

QTEST_APPLESS_MAIN(TestOodEvaluation)
#include "tst_ood_evaluation.moc"
