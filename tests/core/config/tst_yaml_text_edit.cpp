#include "core/common/error.h"
#include "core/config/config_loader.h"
#include "core/config/yaml_text_edit.h"

#include "tests/support/test_support.h"

#include <QDir>
#include <QDirIterator>
#include <QtTest>

#include <map>

using namespace tau::core;

class TestYamlTextEdit : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void replacesKeepingCommentsAndOrder();
    void addsMissingKeysAndSections();
    void editsFlowStyleAndJson();
    void refusesTextThatDoesNotParse();
    void formEditsOfEveryPresetAndOriginalConfigReadBack_data();
    void formEditsOfEveryPresetAndOriginalConfigReadBack();
    void everyEditReadsBack_data();
    void everyEditReadsBack();
};

void TestYamlTextEdit::replacesKeepingCommentsAndOrder()
{
    std::string text = "# my run\nexp_name: a   # the name\noptimizer:\n  name: adam\n  batch_size: 128  # pairs\nnum_epochs: 3\n";
    QVERIFY(setYamlValue(text, "optimizer.batch_size", "64"));
    QVERIFY(setYamlValue(text, "num_epochs", "20"));
    QCOMPARE(text, std::string("# my run\nexp_name: a   # the name\noptimizer:\n  name: adam\n  batch_size: 64   # pairs\n"
                               "num_epochs: 20\n"));
}

void TestYamlTextEdit::addsMissingKeysAndSections()
{
    std::string text = "optimizer:\n    name: sgd\n\nseed: 1\n";
    QVERIFY(setYamlValue(text, "optimizer.learning_rate", "0.01"));
    QVERIFY(setYamlValue(text, "loss.t", "0.2"));
    QCOMPARE(text, std::string("optimizer:\n    name: sgd\n    learning_rate: 0.01\n\nseed: 1\nloss:\n  t: 0.2\n"));
}

void TestYamlTextEdit::editsFlowStyleAndJson()
{
    std::string flow = "exp_name: x\noptimizer: {name: adam}\n";
    QVERIFY(setYamlValue(flow, "optimizer.batch_size", "8"));
    QCOMPARE(loadConfigText(flow, "flow.yaml").optimizer.batchSize, 8);
    QCOMPARE(loadConfigText(flow, "flow.yaml").optimizer.name, std::string("adam"));

    // The original repository's layout: JSON with flow-style sections and quoted keys.
    std::string json = "{\n  \"exp_name\": \"x\",\n  \"optimizer\": {\"name\": \"adam\", \"batch_size\": 128}\n}\n";
    QVERIFY(setYamlValue(json, "optimizer.batch_size", "64"));
    QVERIFY(setYamlValue(json, "loss.t", "0.2"));
    QVERIFY2(json.find("}\noptimizer:") == std::string::npos, json.c_str()); // nothing appended after the brace
    const ExperimentConfig config = loadConfigText(json, "original.json");
    QCOMPARE(config.optimizer.batchSize, 64);
    QCOMPARE(config.loss.t, 0.2);
    QCOMPARE(json.find("\"exp_name\""), size_t(6)); // key order kept
}

void TestYamlTextEdit::refusesTextThatDoesNotParse()
{
    // Found by fuzz_yaml_edit: a value that is not UTF-8 in a JSON config made the JSON writer throw.
    std::string json = "{\"exp_name\": \"x\"}\n";
    QVERIFY(setYamlValue(json, "exp_name", "caf\xe9"));
    QCOMPARE(loadConfigText(json, "latin1.json").expName, std::string("caf\xef\xbf\xbd"));

    std::string broken = "optimizer: [unclosed\n";
    QVERIFY(!setYamlValue(broken, "optimizer.batch_size", "8"));
    QCOMPARE(broken, std::string("optimizer: [unclosed\n"));
}

void TestYamlTextEdit::formEditsOfEveryPresetAndOriginalConfigReadBack_data()
{
    QTest::addColumn<QString>("file");
    QDirIterator presets(tau::test::sourceDir() + "/configs", {"*.yaml"}, QDir::Files, QDirIterator::Subdirectories);
    while (presets.hasNext()) {
        const QString file = presets.next();
        QTest::newRow(qPrintable(QDir(tau::test::sourceDir()).relativeFilePath(file))) << file;
    }
    for (const QString& name : QDir(tau::test::dataPath("original")).entryList({"*.json"}, QDir::Files)) {
        QTest::newRow(qPrintable("original/" + name)) << tau::test::dataPath("original/" + name);
    }
}

void TestYamlTextEdit::formEditsOfEveryPresetAndOriginalConfigReadBack()
{
    QFETCH(QString, file);
    const std::string original = tau::test::readFile(file).toStdString();
    // The config form's fields, each with a value unlike every preset's.
    std::string withDataset = original;
    QVERIFY(setConfigValue(withDataset, "dataset.name", "cifar10")); // the original's configs leave it to --dataset
    ExperimentConfig shipped;
    try {
        shipped = loadConfigText(withDataset, file.toStdString());
    } catch (const TauError& error) {
        QSKIP(qPrintable(QString("does not load as shipped: ") + error.what()));
    }
    // Another system the file's other settings allow (a temperature system keeps its posterior head; HIB's
    // original config names its Gaussian posterior, which only HIB accepts, so its system stays).
    const std::string system = shipped.system == "hib"          ? "hib"
                               : shipped.system == "tau_simclr" ? "tau_mocov2"
                               : shipped.system == "tau_mocov2" ? "tau_simclr"
                               : shipped.system == "simclr"     ? "mocov2"
                                                                : "simclr";
    const std::vector<std::pair<std::string, std::string>> fields = {
        {"system", system},              {"dataset.name", "cifar10"},     {"model.encoder", "resnet18"},
        {"num_epochs", "7"},             {"optimizer.batch_size", "32"},  {"optimizer.learning_rate", "0.0003"},
        {"loss.t", "0.07"},              {"device", "cpu"}};
    for (const auto& [path, value] : fields) {
        std::string text = withDataset;
        QVERIFY2(setConfigValue(text, path, value), path.c_str());
        ExperimentConfig config;
        try {
            config = loadConfigText(text, file.toStdString());
        } catch (const std::exception& error) {
            QFAIL(qPrintable(QString::fromStdString(path + "=" + value + ": " + error.what() + "\n" + text)));
        }
        const std::map<std::string, std::string> read = {
            {"system", config.system},
            {"dataset.name", config.dataset.name},
            {"model.encoder", config.model.encoder},
            {"num_epochs", std::to_string(config.numEpochs)},
            {"optimizer.batch_size", std::to_string(config.optimizer.batchSize)},
            {"optimizer.learning_rate", config.optimizer.learningRate == 0.0003 ? "0.0003" : std::to_string(config.optimizer.learningRate)},
            {"loss.t", config.loss.t == 0.07 ? "0.07" : std::to_string(config.loss.t)},
            {"device", config.device}};
        QVERIFY2(read.at(path) == value, qPrintable(QString::fromStdString(path + ": wrote " + value + ", read " +
                                                                             read.at(path))));
        // Everything else the file said is still said.
        ExperimentConfig before = loadConfigText(withDataset, file.toStdString());
        if (path != "num_epochs") {
            QCOMPARE(config.numEpochs, before.numEpochs);
        }
        if (path != "optimizer.batch_size") {
            QCOMPARE(config.optimizer.batchSize, before.optimizer.batchSize);
        }
    }
}

void TestYamlTextEdit::everyEditReadsBack_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("value");
    QTest::newRow("system") << "system" << "tau_mocov2";
    QTest::newRow("dataset") << "dataset.name" << "cifar10";
    QTest::newRow("encoder") << "model.encoder" << "resnet18";
    QTest::newRow("epochs") << "num_epochs" << "7";
    QTest::newRow("batch") << "optimizer.batch_size" << "32";
    QTest::newRow("lr") << "optimizer.learning_rate" << "0.0003";
    QTest::newRow("t") << "loss.t" << "0.07";
    QTest::newRow("device") << "device" << "cpu";
}

void TestYamlTextEdit::everyEditReadsBack()
{
    QFETCH(QString, path);
    QFETCH(QString, value);
    std::string text = "exp_name: x\ndataset:\n  name: fashion_mnist\nloss:\n  t: 0.1\n";
    QVERIFY(setYamlValue(text, path.toStdString(), value.toStdString()));
    const ExperimentConfig config = loadConfigText(text, "edited.yaml");
    const QString yaml = QString::fromStdString(toYaml(config));
    const QString key = path.section('.', -1);
    QVERIFY2(yaml.contains(key + ": " + value), qPrintable(yaml));
}

QTEST_APPLESS_MAIN(TestYamlTextEdit)
#include "tst_yaml_text_edit.moc"
