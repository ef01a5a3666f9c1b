// A TorchScript encoder is a program. loadTorchScript loads plain tensor math as it is, and refuses until trusted a
// file that calls operators outside aten:: and prim:: (profiler::), aten::save (writes files), or that defines
// __setstate__ (runs while loading). The marker files the scripts of make_hostile_files.py would write show that
// nothing ran before the user trusted the file, and that what was refused was real.
#include "core/models/script_trust.h"
#include "core/models/torchscript_loader.h"
#include "tests/support/test_support.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

using namespace tau::core;

class TestTorchScriptLoader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void operatorsAreListedAsPythonListsThem();
    void operatorProblemsNameEachOffender();
    void programsAreRefusedUntilTrusted_data();
    void programsAreRefusedUntilTrusted();
    void trustingOneFileTrustsNoOther();

private:
    /** make_hostile_files.py's script of @p kind at a path of its own (trust is per path). */
    QString script(const QString& kind, const QString& name);
    QString marker(const QString& name) const { return m_dir.filePath(name + ".marker"); }

    QTemporaryDir m_dir;
};

void TestTorchScriptLoader::initTestCase()
{
    QVERIFY(m_dir.isValid());
}

QString TestTorchScriptLoader::script(const QString& kind, const QString& name)
{
    const QString path = m_dir.filePath(name + ".pt");
    const auto made = tau::test::runReferenceScript("make_hostile_files.py", {"script", kind, path, marker(name)});
    if (made.exitCode != 0) {
        qWarning("%s", made.standardError.constData());
    }
    return path;
}

void TestTorchScriptLoader::operatorsAreListedAsPythonListsThem()
{
    const QString path = script("plain", "listed");
    const torch::jit::Module module = loadTorchScript(path.toStdString(), torch::kCPU);
    QStringList operators;
    for (const std::string& name : scriptOperators(module)) {
        operators << QString::fromStdString(name);
    }
    // Python walks the graph of every method of the module and its submodules, blocks included.
    const auto reference = tau::test::runProcess(
        tau::test::referencePython(),
        {"-c", "import json, sys, torch\n"
               "def walk(block, kinds):\n"
               "    for node in block.nodes():\n"
               "        kinds.add(node.kind())\n"
               "        for inner in node.blocks(): walk(inner, kinds)\n"
               "kinds = set()\n"
               "for module in torch.jit.load(sys.argv[1]).modules():\n"
               "    for name in module._c._method_names(): walk(module._c._get_method(name).graph, kinds)\n"
               "print(json.dumps(sorted(kinds)))",
         path});
    QVERIFY2(reference.exitCode == 0, reference.standardError.constData());
    QStringList expected;
    for (const QJsonValue& name : QJsonDocument::fromJson(reference.standardOutput).array()) {
        expected << name.toString();
    }
    QCOMPARE(operators, expected);
    QVERIFY(operators.contains("aten::conv2d"));
    QVERIFY(operatorProblems(scriptOperators(module)).empty());
}

void TestTorchScriptLoader::operatorProblemsNameEachOffender()
{
    const std::vector<std::string> problems =
        operatorProblems({"aten::conv2d", "prim::If", "aten::save", "aten::from_file", "quantized::linear", "c10d::broadcast_"});
    QCOMPARE(problems.size(), size_t(4));
    QVERIFY(QString::fromStdString(problems[0]).contains("aten::save (torch.save: writes files)"));
    QVERIFY(QString::fromStdString(problems[1]).contains("aten::from_file"));
    QVERIFY(QString::fromStdString(problems[2]).startsWith("calls quantized::linear (outside"));
    QVERIFY(QString::fromStdString(problems[3]).startsWith("calls c10d::broadcast_"));
}

void TestTorchScriptLoader::programsAreRefusedUntilTrusted_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("reason");
    QTest::addColumn<bool>("leavesMarker"); // what the refused file does once trusted
    QTest::newRow("torch.save in forward") << "saver" << "calls aten::save" << true;
    QTest::newRow("__setstate__") << "setstate" << "defines __setstate__" << true;
    QTest::newRow("profiler operators") << "profiler" << "calls profiler::_record_function_enter" << false;
}

void TestTorchScriptLoader::programsAreRefusedUntilTrusted()
{
    QFETCH(QString, kind);
    QFETCH(QString, reason);
    QFETCH(bool, leavesMarker);
    const QString path = script(kind, kind);
    QVERIFY(QFileInfo::exists(path));
    QString error;
    try {
        loadTorchScript(path.toStdString(), torch::kCPU);
    } catch (const UntrustedScriptError& refused) {
        error = QString::fromStdString(refused.what());
        QCOMPARE(QString::fromStdString(refused.path()), path);
        QVERIFY(!refused.reasons().empty());
    }
    QVERIFY2(error.startsWith(path + ": a TorchScript file is a program"), qPrintable(error));
    QVERIFY2(error.contains(reason), qPrintable(error));
    QVERIFY2(error.contains("--trust-script"), qPrintable(error));
    QVERIFY2(!QFileInfo::exists(marker(kind)), "the refused file ran while it was checked");

    trustScript(path.toStdString());
    torch::jit::Module module = loadTorchScript(path.toStdString(), torch::kCPU);
    const torch::Tensor features = module.forward({torch::zeros({2, 1, 28, 28})}).toTensor();
    QCOMPARE(features.sizes().vec(), (std::vector<int64_t>{2, 8}));
    QCOMPARE(QFileInfo::exists(marker(kind)), leavesMarker);
}

void TestTorchScriptLoader::trustingOneFileTrustsNoOther()
{
    const QString trusted = script("saver", "first");
    const QString other = script("saver", "second");
    trustScript(trusted.toStdString());
    QVERIFY(isScriptTrusted(trusted.toStdString()));
    QVERIFY(isScriptTrusted(m_dir.path().toStdString() + "/./first.pt")); // the same file by another spelling
    QVERIFY(!isScriptTrusted(other.toStdString()));
    QVERIFY_THROWS_EXCEPTION(UntrustedScriptError, loadTorchScript(other.toStdString(), torch::kCPU));
    trustAllScripts(); // tau --trust-script
    QVERIFY(isScriptTrusted(other.toStdString()));
    loadTorchScript(other.toStdString(), torch::kCPU);
}

QTEST_GUILESS_MAIN(TestTorchScriptLoader)
#include "tst_torchscript_loader.moc"
