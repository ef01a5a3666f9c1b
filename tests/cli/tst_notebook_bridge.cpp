// The bridge to a notebook as a user crosses it: tau export features, weights and tensorboard on trained runs, read
// by packaging/python's tau_explorer with Debian's python3, the weights loaded strictly into tau_explorer.SmallCnn
// and torchvision's resnet18, and h recomputed there from the dataset's own files.

#include "core/data/dataset_catalog.h"
#include "core/io/npy_file.h"
#include "tests/support/test_support.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <cstring>
#include <filesystem>

using namespace tau::core;

class TestNotebookBridge : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void npyFilesReadBack();
    void exportedRunsReadInPython();
    void exportHelpStaysHeadless();
};

void TestNotebookBridge::npyFilesReadBack()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath("a.npy").toStdString();
    writeNpy(path, npyArray(std::vector<double>{1.5, -2.0, 3.25, 4.0, 5.0, 6.0}, {2, 3}));
    const NpyArray back = readNpy(path);
    QCOMPARE(back.dtype, std::string("<f8"));
    QCOMPARE(back.shape, (std::vector<int64_t>{2, 3}));
    double third = 0;
    std::memcpy(&third, back.bytes.data() + 2 * sizeof(double), sizeof(double));
    QCOMPARE(third, 3.25);
    // NumPy agrees, header and data.
    const auto numpy = tau::test::runProcess(tau::test::referencePython(),
                                             {"-c", "import numpy, sys; a = numpy.load(sys.argv[1]); print(a.dtype, a.shape, a[0, 2], a[1].sum())",
                                              QString::fromStdString(path)});
    QVERIFY2(numpy.exitCode == 0, numpy.standardError.constData());
    QCOMPARE(numpy.standardOutput.trimmed(), QByteArray("float64 (2, 3) 3.25 15.0"));
    writeNpy(path, npyArray(std::vector<int64_t>{7, 8, 9}, {3}));
    QCOMPARE(readNpy(path).shape, (std::vector<int64_t>{3}));
    // A header that declares more data than the file holds is refused, naming the file.
    std::filesystem::resize_file(path, std::filesystem::file_size(path) - 4);
    QVERIFY_THROWS_EXCEPTION(std::exception, readNpy(path));
}

namespace {

QJsonObject runJson(const QStringList& arguments, int timeoutMs = 300000)
{
    const auto result = tau::test::runProcess(TAU_CLI_PATH, arguments + QStringList{"--json"}, timeoutMs);
    if (result.exitCode != 0) {
        qWarning("tau %s: %s", qPrintable(arguments.join(' ')), result.standardError.constData());
        return {};
    }
    return QJsonDocument::fromJson(result.standardOutput).object();
}

} // namespace

void TestNotebookBridge::exportedRunsReadInPython()
{
    QTemporaryDir dir;
    const QString config = tau::test::dataPath("configs/tiny.yaml");
    const QString small = runJson({"train", config, "--runs-dir", dir.path()})["run_directory"].toString();
    QVERIFY(!small.isEmpty());
    QVERIFY(!runJson({"ood", "--checkpoint", small, "--out", "gaussian_noise", "--limit", "300", "--name", "bridge"}).isEmpty());
    const QJsonObject features = runJson({"export", "features", small, "--dataset", "gaussian_noise", "--limit", "300",
                                          "-o", dir.filePath("features")});
    QCOMPARE(features["sets"].toArray().size(), 2);
    QCOMPARE(features["sets"].toArray()[0].toObject()["images"].toInt(), 300);
    const QJsonObject tensorboard = runJson({"export", "tensorboard", small});
    QCOMPARE(tensorboard["histograms"].toInt(), 4); // c and r of each of the two epochs
    QVERIFY(QFile::exists(tensorboard["file"].toString()));
    QVERIFY(tensorboard["file"].toString().startsWith(small + "/tensorboard/events.out.tfevents."));
    const QJsonObject weights = runJson({"export", "weights", small, "-o", dir.filePath("small.pt")});
    QCOMPARE(weights["encoder"].toString(), QString("small_cnn"));
    QVERIFY(weights["keys"].toArray().contains(QJsonValue("layers.0.weight")));

    const QString resnet = runJson({"train", config, "--runs-dir", dir.path(), "--set", "exp_name=resnet", "--set",
                                    "model.encoder=resnet18", "--set", "dataset.train_subset=64", "--set", "num_epochs=1"})
                               ["run_directory"].toString();
    QVERIFY(!resnet.isEmpty());
    QVERIFY(!runJson({"export", "features", resnet, "--limit", "12", "-o", dir.filePath("resnet_features")}).isEmpty());
    const QJsonObject resnetWeights = runJson({"export", "weights", resnet, "-o", dir.filePath("resnet.pt")});
    QVERIFY(resnetWeights["keys"].toArray().contains(QJsonValue("layer4.1.bn2.running_var")));

    const std::string root = resolveDatasetRoot("fashion_mnist", "", {});
    const std::string images = root + (fileOrGzipExists(root, "t10k-images-idx3-ubyte") &&
                                               std::filesystem::exists(root + "/t10k-images-idx3-ubyte")
                                           ? "/t10k-images-idx3-ubyte"
                                           : "/t10k-images-idx3-ubyte.gz");
    const QJsonObject spec{{"package", tau::test::sourceDir() + "/packaging/python"},
                           {"idx_images", QString::fromStdString(images)},
                           {"mean", 0.2860},
                           {"std", 0.3530},
                           {"small", QJsonObject{{"run", small}, {"features", dir.filePath("features")},
                                                 {"weights", dir.filePath("small.pt")}, {"eval", small + "/eval/bridge"}}},
                           {"resnet", QJsonObject{{"features", dir.filePath("resnet_features")}, {"weights", dir.filePath("resnet.pt")}}}};
    tau::test::writeFile(dir.filePath("spec.json"), QJsonDocument(spec).toJson());
    const auto check = tau::test::runReferenceScript("notebook_bridge_check.py", {dir.filePath("spec.json")}, 300000);
    QVERIFY2(check.exitCode == 0, check.standardError.constData());
    const QJsonObject out = QJsonDocument::fromJson(check.standardOutput).object();
    qInfo("%s", check.standardOutput.constData());

    QCOMPARE(out["sets"].toArray(), (QJsonArray{"fashion_mnist", "gaussian_noise"}));
    const QJsonObject arrays = out["arrays"].toObject();
    QCOMPARE(arrays["h"].toArray(), (QJsonArray{"float32", QJsonArray{300, 128}}));
    QCOMPARE(arrays["loc"].toArray(), (QJsonArray{"float32", QJsonArray{300, 32}}));
    QCOMPARE(arrays["c"].toArray(), (QJsonArray{"float64", QJsonArray{300}}));
    QCOMPARE(arrays["source_index"].toArray(), (QJsonArray{"int64", QJsonArray{300}}));
    QVERIFY2(out["small_h_max_diff"].toDouble() < 1e-4, "h of the small CNN rebuilt in PyTorch");
    QVERIFY(out["c_is_sigmoid_r"].toDouble() < 1e-12);
    QVERIFY(out["index_is_position"].toBool());
    QVERIFY2(out["eval_tau_vs_c"].toDouble() < 1e-12, "tau ood's tau column is the exported c");
    QVERIFY(out["eval_labels_match"].toBool());
    QVERIFY(out["eval_auroc"].toDouble() >= 0.0);
    QCOMPARE(out["steps"].toInt(), 2 * 256 / 32); // tiny.yaml: 2 epochs of 8 steps, a record each
    QVERIFY(out["step_numbers_unique"].toBool());
    QVERIFY(out["losses_finite"].toBool());
    QCOMPARE(out["epochs"].toInt(), 2);
    QVERIFY2(out["resnet_h_max_diff"].toDouble() < 1e-4 * std::max(1.0, out["resnet_h_scale"].toDouble()),
             "h of torchvision's resnet18 with the exported weights");
}

void TestNotebookBridge::exportHelpStaysHeadless()
{
    const auto help = tau::test::runProcess(TAU_CLI_PATH, {"export", "--help"});
    QCOMPARE(help.exitCode, 0);
    QVERIFY2(help.standardOutput.contains("features") && help.standardOutput.contains("weights"), help.standardOutput.constData());
    const auto missing = tau::test::runProcess(TAU_CLI_PATH, {"export", "weights", "/nonexistent/run", "-o", "/tmp/x.pt"});
    QCOMPARE(missing.exitCode, 1);
    QVERIFY2(missing.standardError.contains("/nonexistent/run"), missing.standardError.constData());
}

QTEST_APPLESS_MAIN(TestNotebookBridge)
#include "tst_notebook_bridge.moc"
