// kNN accuracy and PCA against scikit-learn, t-SNE on separated clusters, and the linear evaluation, embedding
// and ranking commands on a tiny trained model.

#include "core/config/config_loader.h"
#include "core/evaluation/embedding.h"
#include "core/evaluation/ranking.h"
#include "core/evaluation/representation_evaluation.h"
#include "core/training/trainer.h"
#include "tests/support/test_support.h"

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <fstream>
#include <random>

using namespace tau::core;
using nlohmann::json;

namespace {

class Quiet : public TrainingObserver, public EvaluationObserver
{
};

/** @p perCluster points around each of @p clusters random centres in @p dim dimensions. */
void clusters(int clusters, int perCluster, int dim, double spread, uint64_t seed, std::vector<float>& points,
              std::vector<int64_t>& labels)
{
    std::mt19937_64 random(seed);
    std::normal_distribution<float> normal;
    std::vector<std::vector<float>> centres(static_cast<size_t>(clusters), std::vector<float>(static_cast<size_t>(dim)));
    for (auto& centre : centres) {
        for (float& v : centre) {
            v = 5.0f * normal(random);
        }
    }
    for (int i = 0; i < clusters * perCluster; ++i) {
        const int label = i % clusters;
        for (int d = 0; d < dim; ++d) {
            points.push_back(centres[size_t(label)][size_t(d)] + float(spread) * normal(random));
        }
        labels.push_back(label);
    }
}

json runReference(const char* kind, const json& spec)
{
    QTemporaryDir dir;
    const QString input = dir.filePath("in.json");
    std::ofstream(input.toStdString()) << spec.dump();
    const auto result = tau::test::runReferenceScript("representation_reference.py", {kind, input});
    if (result.exitCode != 0) {
        qWarning("%s", result.standardError.constData());
        return json();
    }
    return json::parse(result.standardOutput.toStdString());
}

} // namespace

class TestRepresentation : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void weightedKnnMatchesScikitLearn();
    void linearClassifierMatchesAPyTorchLoop();
    void pcaMatchesScikitLearn();
    void tsneSeparatesClusters();
    void tsneRefusesTooFewPoints();
    void barnesHutSeparatesClusters();
    void commandsOnATrainedModel();

private:
    QTemporaryDir m_runs;
};

void TestRepresentation::weightedKnnMatchesScikitLearn()
{
    std::vector<float> train, test;
    std::vector<int64_t> trainLabels, testLabels;
    clusters(4, 60, 8, 4.0, 1, train, trainLabels); // overlapping clusters: some predictions are wrong
    clusters(4, 40, 8, 4.0, 1, test, testLabels);
    const double ours = weightedKnnTop1(train, trainLabels, test, testLabels, 8, 15, 0.1);
    const json reference = runReference("knn", {{"dim", 8}, {"train", train}, {"test", test}, {"train_labels", trainLabels},
                                                {"test_labels", testLabels}, {"k", 15}, {"temperature", 0.1}});
    QVERIFY(!reference.is_null());
    QCOMPARE(ours, reference["accuracy"].get<double>());
    QVERIFY(ours > 0.25 && ours < 1.0);
}

void TestRepresentation::linearClassifierMatchesAPyTorchLoop()
{
    std::vector<float> points;
    std::vector<int64_t> labels;
    clusters(5, 100, 12, 6.0, 3, points, labels); // overlapping: the classifier gets some wrong
    // 350 training images (5 batches of 64 and a dropped partial one), 150 test images of the same clusters.
    const std::vector<float> train(points.begin(), points.begin() + 350 * 12), test(points.begin() + 350 * 12, points.end());
    const std::vector<int64_t> trainLabels(labels.begin(), labels.begin() + 350), testLabels(labels.begin() + 350, labels.end());
    RepresentationOptions options;
    options.epochs = 6;
    options.batchSize = 64;
    options.learningRate = 0.05;
    options.weightDecay = 1e-3; // large enough that leaving it out shows
    options.seed = 99;
    const LinearClassifier ours = trainLinearClassifier(train, trainLabels, test, testLabels, 12, 5, options);

    QTemporaryDir dir;
    const QString input = dir.filePath("in.json"), output = dir.filePath("out.json");
    std::ofstream(input.toStdString()) << json{{"dim", 12}, {"classes", 5}, {"seed", options.seed},
                                               {"train", train}, {"train_labels", trainLabels}, {"test", test},
                                               {"test_labels", testLabels}, {"lr", options.learningRate},
                                               {"momentum", options.momentum}, {"weight_decay", options.weightDecay},
                                               {"batch_size", options.batchSize}, {"epochs", options.epochs}}
                                              .dump();
    const auto result = tau::test::runReferenceScript("linear_eval_reference.py", {input, output});
    QVERIFY2(result.exitCode == 0, result.standardError.constData());
    const json reference = json::parse(tau::test::readFile(output).toStdString());
    QCOMPARE(ours.history, reference["history"].get<std::vector<double>>());
    const std::vector<float> weight = reference["weight"], bias = reference["bias"];
    QCOMPARE(ours.weight.size(), weight.size());
    double worst = 0;
    for (size_t i = 0; i < weight.size(); ++i) {
        worst = std::max(worst, double(std::abs(ours.weight[i] - weight[i])));
    }
    for (size_t i = 0; i < bias.size(); ++i) {
        worst = std::max(worst, double(std::abs(ours.bias[i] - bias[i])));
    }
    QVERIFY2(worst < 1e-5, qPrintable(QString::number(worst)));
    QVERIFY2(ours.history.back() > 0.3 && ours.history.back() < 1.0, // learned something, not everything
             qPrintable(QString::number(ours.history.back())));
}

void TestRepresentation::pcaMatchesScikitLearn()
{
    std::vector<float> points;
    std::vector<int64_t> labels;
    clusters(3, 30, 6, 1.0, 2, points, labels);
    const std::vector<double> ours = pca2(points, 6);
    const json reference = runReference("pca", {{"dim", 6}, {"points", points}});
    const auto absolute = reference["abs"].get<std::vector<double>>();
    QCOMPARE(ours.size(), absolute.size());
    for (size_t i = 0; i < ours.size(); ++i) {
        QVERIFY2(std::abs(std::abs(ours[i]) - absolute[i]) < 1e-4, qPrintable(QString::number(i))); // up to sign
    }
    // Fitted on the first 30 rows (the ID set), every row projected: what the Embedding page draws.
    const std::vector<double> idFitted = pca2(points, 6, 30);
    const auto idAbsolute = runReference("pca", {{"dim", 6}, {"points", points}, {"fit_rows", 30}})["abs"].get<std::vector<double>>();
    QCOMPARE(idFitted.size(), idAbsolute.size());
    for (size_t i = 0; i < idFitted.size(); ++i) {
        QVERIFY2(std::abs(std::abs(idFitted[i]) - idAbsolute[i]) < 1e-4, qPrintable(QString::number(i)));
    }
    // Adding points after the fitted ones leaves the fitted rows' coordinates as they were.
    std::vector<float> more = points;
    more.insert(more.end(), points.begin(), points.begin() + 6 * 10);
    const std::vector<double> extended = pca2(more, 6, 30);
    for (size_t i = 0; i < idFitted.size(); ++i) {
        QCOMPARE(extended[i], idFitted[i]);
    }
}

void TestRepresentation::tsneSeparatesClusters()
{
    std::vector<float> points;
    std::vector<int64_t> labels;
    clusters(3, 50, 20, 0.5, 3, points, labels);
    TsneOptions options;
    options.perplexity = 15;
    options.iterations = 400;
    CancellationToken cancel;
    const std::vector<double> y = tsne(points, 20, options, {}, cancel);
    // Every point's nearest neighbour in the 2-D map belongs to its own cluster.
    const size_t n = labels.size();
    int correct = 0;
    for (size_t i = 0; i < n; ++i) {
        double best = 1e300;
        size_t nearest = i;
        for (size_t j = 0; j < n; ++j) {
            const double d = std::pow(y[2 * i] - y[2 * j], 2) + std::pow(y[2 * i + 1] - y[2 * j + 1], 2);
            if (j != i && d < best) {
                best = d;
                nearest = j;
            }
        }
        correct += labels[i] == labels[nearest];
    }
    QCOMPARE(correct, int(n));
    // Seeded: the same map again.
    QCOMPARE(tsne(points, 20, options, {}, cancel), y);
}

void TestRepresentation::barnesHutSeparatesClusters()
{
    std::vector<float> points;
    std::vector<int64_t> labels;
    clusters(4, 150, 20, 0.5, 5, points, labels);
    TsneOptions options;
    options.perplexity = 20;
    options.iterations = 400;
    options.exactLimit = 100; // 600 points: Barnes-Hut
    CancellationToken cancel;
    const std::vector<double> y = tsne(points, 20, options, {}, cancel);
    // Each cluster's points are closer to their own cluster's centre in the map than to any other's.
    std::vector<double> cx(4, 0), cy(4, 0), count(4, 0);
    for (size_t i = 0; i < labels.size(); ++i) {
        cx[size_t(labels[i])] += y[2 * i];
        cy[size_t(labels[i])] += y[2 * i + 1];
        count[size_t(labels[i])] += 1;
    }
    int correct = 0;
    for (size_t i = 0; i < labels.size(); ++i) {
        int nearest = 0;
        double best = 1e300;
        for (int c = 0; c < 4; ++c) {
            const double d = std::pow(y[2 * i] - cx[size_t(c)] / count[size_t(c)], 2) + std::pow(y[2 * i + 1] - cy[size_t(c)] / count[size_t(c)], 2);
            if (d < best) {
                best = d;
                nearest = c;
            }
        }
        correct += nearest == labels[i];
    }
    QCOMPARE(correct, int(labels.size()));
}

void TestRepresentation::tsneRefusesTooFewPoints()
{
    CancellationToken cancel;
    QVERIFY_THROWS_EXCEPTION(std::exception, tsne(std::vector<float>(20, 0.0f), 2, TsneOptions{}, {}, cancel));
}

void TestRepresentation::commandsOnATrainedModel()
{
    ConfigLoadOptions load;
    load.overrides = {"num_epochs=2", "dataset.train_subset=1024", "optimizer.batch_size=64", "threads=2"};
    ExperimentConfig config =
        loadConfigFile((tau::test::sourceDir() + "/configs/default.yaml").toStdString(), load);
    config.runsDir = m_runs.path().toStdString();
    Quiet quiet;
    CancellationToken cancel;
    const std::string run = train(config, quiet, cancel).runDirectory;

    RepresentationOptions options;
    options.checkpoint = run;
    options.limitTrain = 2000;
    options.limit = 500;
    const RepresentationResult knn = evaluateKnnAccuracy(options, quiet, cancel);
    QVERIFY2(knn.top1 > 0.4, qPrintable(QString::number(knn.top1))); // chance is 0.1
    QVERIFY(tau::test::readFile(QString::fromStdString(knn.directory) + "/metrics.json").contains("\"knn_top1\""));
    options.epochs = 10;
    const RepresentationResult linear = evaluateLinear(options, quiet, cancel);
    QCOMPARE(linear.history.size(), size_t(10));
    QVERIFY2(linear.top1 > 0.4, qPrintable(QString::number(linear.top1)));
    QVERIFY(tau::test::readFile(QString::fromStdString(linear.directory) + "/metrics.json").contains("\"protocol\": \"ours\""));

    // The original's protocol: new augmented views each epoch, its lr and weight decay, recorded with the result;
    // the views are a function of the seed, so a second evaluation gives the same numbers.
    RepresentationOptions original = options;
    useOriginalLinearProtocol(original);
    QCOMPARE(original.learningRate, 1e-4);
    QCOMPARE(original.weightDecay, 1e-6);
    original.epochs = 3;
    original.learningRate = 0.1; // the original's 1e-4 needs its 100 epochs to move a fresh head
    original.batchSize = 64;
    original.limitTrain = 600;
    original.name = "linear_original";
    const RepresentationResult augmented = evaluateLinear(original, quiet, cancel);
    QCOMPARE(augmented.history.size(), size_t(3));
    QVERIFY2(augmented.top1 > 0.3, qPrintable(QString::number(augmented.top1)));
    QCOMPARE(evaluateLinear(original, quiet, cancel).history, augmented.history);
    const QByteArray record = tau::test::readFile(QString::fromStdString(augmented.directory) + "/metrics.json");
    QVERIFY2(record.contains("\"protocol\": \"original\"") && record.contains("\"weight_decay\": 1e-06") &&
                 record.contains("augmented views"),
             record.constData());

    EmbeddingOptions embed;
    embed.checkpoint = run;
    embed.limit = 150;
    embed.tsne.perplexity = 10;
    embed.tsne.iterations = 300;
    const EmbeddingResult embedding = embedDataset(embed, quiet, cancel);
    const QList<QByteArray> lines = tau::test::readFile(QString::fromStdString(embedding.file)).trimmed().split('\n');
    QCOMPARE(lines.front(), QByteArray("index,label,c,pca_x,pca_y,tsne_x,tsne_y"));
    QCOMPARE(lines.size(), 151);

    RankingOptions rank;
    rank.checkpoint = run;
    rank.perClass = 3;
    rank.limit = 1000;
    const RankingResult ranking = rankByCertainty(rank, quiet, cancel);
    const QString folder = QString::fromStdString(ranking.directory);
    for (const char* png : {"/most_certain.png", "/least_certain.png"}) {
        QVERIFY(tau::test::readFile(folder + png).startsWith("\x89PNG"));
    }
    const QList<QByteArray> rows = tau::test::readFile(folder + "/rankings.csv").trimmed().split('\n');
    QCOMPARE(rows.size(), 1 + 10 * 3 * 2);
    // The first "most" row of a class has the largest r of that class's rows.
    QVERIFY(rows[1].contains(",most,1,"));
}

QTEST_APPLESS_MAIN(TestRepresentation)
#include "tst_representation.moc"
