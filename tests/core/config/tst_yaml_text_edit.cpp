#include "core/config/config_loader.h"
#include "core/config/yaml_text_edit.h"

#include <QtTest>

using namespace tau::core;

class TestYamlTextEdit : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void replacesKeepingCommentsAndOrder();
    void addsMissingKeysAndSections();
    void leavesFlowStyleAlone();
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

void TestYamlTextEdit::leavesFlowStyleAlone()
{
    std::string text = "optimizer: {name: adam}\n";
    QVERIFY(!setYamlValue(text, "optimizer.batch_size", "8"));
    QCOMPARE(text, std::string("optimizer: {name: adam}\n"));
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
