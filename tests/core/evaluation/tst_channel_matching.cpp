// Every per-image command on a set whose channel count differs from the training set's: a grayscale-trained run
// on RGB images and an RGB-trained run on grayscale ones (the one evaluation pass converts the channels).

#include "core/config/config_loader.h"
#include "core/evaluation/embedding.h"
#include "core/evaluation/ood_evaluation.h"
#include "core/evaluation/ranking.h"
#include "core/evaluation/representation_evaluation.h"
#include "core/training/trainer.h"
#include "tests/support/test_support.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cstdlib>

using namespace tau::core;

namespace {

class Quiet : public TrainingObserver, public EvaluationObserver
{
};

} // namespace

class TestChannelMatching : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void everyCommandRunsOnTheOtherChannelCount_data();
    void everyCommandRunsOnTheOtherChannelCount();

private:
    std::string trainTiny(const std::vector<std::string>& overrides, const std::string& name);

    QTemporaryDir m_scratch;
    std::string m_grayRun, m_rgbRun;
};

std::string TestChannelMatching::trainTiny(const std::vector<std::string>& overrides, const std::string& name)
{
    ConfigLoadOptions options;
    options.overrides = {"num_epochs=1", "optimizer.batch_size=16", "threads=2", "exp_name=" + name};
    options.overrides.insert(options.overrides.end(), overrides.begin(), overrides.end());
    ExperimentConfig config =
        loadConfigFile((tau::test::sourceDir() + "/configs/default.yaml").toStdString(), options);
    config.runsDir = m_scratch.filePath("runs").toStdString();
    Quiet quiet;
    CancellationToken cancel;
    return train(config, quiet, cancel).runDirectory;
}

void TestChannelMatching::initTestCase()
{
    // 28x28 RGB images in class folders, found as the `folder` set through $TAU_DATA_ROOT/folder.
    const QString root = m_scratch.filePath("data");
    const auto made = tau::test::runReferenceScript("make_dataset_files.py", {"rgb_folder", root + "/folder"});
    QVERIFY2(made.exitCode == 0, made.standardError.constData());
    qputenv("TAU_DATA_ROOT", root.toUtf8());
    m_grayRun = trainTiny({"dataset.train_subset=256"}, "gray");
    m_rgbRun = trainTiny({"dataset.name=folder", "dataset.image_size=28"}, "rgb");
}

void TestChannelMatching::everyCommandRunsOnTheOtherChannelCount_data()
{
    QTest::addColumn<bool>("grayTrained");
    QTest::newRow("grayscale run, RGB images") << true;
    QTest::newRow("RGB run, grayscale images") << false;
}

void TestChannelMatching::everyCommandRunsOnTheOtherChannelCount()
{
    QFETCH(bool, grayTrained);
    const std::string run = grayTrained ? m_grayRun : m_rgbRun;
    const std::string otherSet = grayTrained ? "folder" : "fashion_mnist";
    Quiet quiet;
    CancellationToken cancel;

    EmbeddingOptions embed;
    embed.checkpoint = run;
    embed.dataset = otherSet;
    embed.limit = 60;
    embed.withTsne = false;
    QCOMPARE(embedDataset(embed, quiet, cancel).points, 60LL);

    RankingOptions rank;
    rank.checkpoint = run;
    rank.dataset = otherSet;
    rank.limit = 60;
    rank.perClass = 2;
    const RankingResult ranking = rankByCertainty(rank, quiet, cancel);
    QVERIFY(tau::test::readFile(QString::fromStdString(ranking.directory) + "/most_certain.png").startsWith("\x89PNG"));

    RepresentationOptions knn;
    knn.checkpoint = run;
    knn.dataset = otherSet;
    knn.limitTrain = 80;
    knn.limit = 60;
    knn.knnK = 5;
    const RepresentationResult accuracy = evaluateKnnAccuracy(knn, quiet, cancel);
    QVERIFY(accuracy.top1 >= 0.0 && accuracy.top1 <= 1.0);

    OodEvaluationOptions ood;
    ood.checkpoint = run;
    ood.dataset = otherSet;
    ood.outDatasets = {"gaussian_noise"};
    ood.scores = {"tau", "knn"};
    ood.limit = 60;
    ood.knnReferenceLimit = 80;
    const OodEvaluationResult result = evaluateOod(ood, quiet, cancel);
    const double auroc = result.results.at("gaussian_noise").at("knn").metrics.auroc;
    QVERIFY(auroc >= 0.0 && auroc <= 1.0);
}

QTEST_APPLESS_MAIN(TestChannelMatching)
#include "tst_channel_matching.moc"
