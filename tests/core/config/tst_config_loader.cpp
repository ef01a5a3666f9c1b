#include "core/common/error.h"
#include "core/config/config_loader.h"
#include "core/config/presets.h"
#include "core/evaluation/ood_config.h"
#include "tests/support/test_support.h"

#include <QDir>
#include <QDirIterator>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>

using namespace tau::core;

class TestConfigLoader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void presetsByName();
    void everyShippedConfigLoads_data();
    void everyShippedConfigLoads();
    void readsValuesAndKeepsDefaults();
    void invalidValueNamesKeyLineAndExpectation_data();
    void invalidValueNamesKeyLineAndExpectation();
    void syntaxErrorNamesLine();
    void unknownKeysAreErrorsNamingTheNearestKey();
    void duplicateKeysWarnWhichValueIsUsed();
    void overridesApplyAndNameTheirSource();
    void resolvedYamlRoundTrips();
    void everyKeyOfEveryPresetIsWrittenAndReadBack_data();
    void everyKeyOfEveryPresetIsWrittenAndReadBack();
    void everyChoiceOfEveryKeyRoundTrips();
    void readmeDocumentsEveryKey();
    void jsonIsAccepted();
    void missingFileIsNamed();
    void originalLayoutTranslates_data();
    void originalLayoutTranslates();
    void originalPretrainedEncoderIsRefusedClearly();
    void originalLayoutTrainsTheOriginalNumerator();
    void biasExclusionTakesTheOriginalsRule();
    void deviceNamesAreChecked();
    void originalLayoutOfTheWrongShapeIsRefused_data();
    void originalLayoutOfTheWrongShapeIsRefused();
    void oodConfigNamesOneEvaluationFolder_data();
    void oodConfigNamesOneEvaluationFolder();
};

void TestConfigLoader::everyShippedConfigLoads_data()
{
    QTest::addColumn<QString>("path");
    // Enumerate the folder so that a new preset cannot rot unnoticed.
    const QString root = tau::test::sourceDir() + QStringLiteral("/configs");
    QDirIterator files(root, {QStringLiteral("*.yaml"), QStringLiteral("*.json")}, QDir::Files,
                       QDirIterator::Subdirectories);
    int count = 0;
    while (files.hasNext()) {
        const QString path = files.next();
        QTest::newRow(qPrintable(QDir(root).relativeFilePath(path))) << path;
        ++count;
    }
    QVERIFY(count >= 17); // default.yaml and eight presets for each of two datasets
}

void TestConfigLoader::everyShippedConfigLoads()
{
    QFETCH(QString, path);
    QStringList warnings;
    ConfigLoadOptions options;
    options.warn = [&](const std::string& line) { warnings << QString::fromStdString(line); };
    const ExperimentConfig config = loadConfigFile(path.toStdString(), options);
    QVERIFY2(warnings.isEmpty(), qPrintable(warnings.join('\n')));
    QVERIFY(!config.expName.empty());
    // configs/cifar10/ holds the original's values, and so trains the original's TaU loss.
    if (path.contains("/configs/cifar10/") && (config.system == "tau_simclr" || config.system == "posthoc_tau")) {
        QCOMPARE(config.loss.tauNumerator, std::string("first_view"));
    }
}

void TestConfigLoader::readsValuesAndKeepsDefaults()
{
    const ExperimentConfig config = loadConfigText("exp_name: demo\n"
                                                   "data:\n"
                                                   "  roots: {cifar10: /data/cifar, svhn: /data/svhn}\n"
                                                   "  strict: true\n"
                                                   "dataset:\n"
                                                   "  classes: [0, 1, 2]\n"
                                                   "  limit: 500\n"
                                                   "optimizer:\n"
                                                   "  batch_size: 64\n"
                                                   "  learning_rate: 3.0e-4\n"
                                                   "loss:\n"
                                                   "  simclr_mask: true\n",
                                                   "inline.yaml");
    QCOMPARE(config.expName, std::string("demo"));
    QCOMPARE(config.optimizer.batchSize, 64);
    QCOMPARE(config.optimizer.learningRate, 3.0e-4);
    QCOMPARE(config.loss.simclrMask, true);
    QCOMPARE(config.data.roots.at("cifar10"), std::string("/data/cifar"));
    QCOMPARE(config.data.roots.size(), size_t(2));
    QVERIFY(config.data.strict);
    QCOMPARE(config.dataset.classes, (std::vector<int>{0, 1, 2}));
    QCOMPARE(config.dataset.limit, 500LL);
    // Untouched keys keep the original repository's defaults.
    QCOMPARE(config.loss.t, 0.1);
    QCOMPARE(config.loss.eps, 1e-6);
    QCOMPARE(config.optimizer.weightDecay, 1e-6);
    QCOMPARE(config.model.outDim, 128);
    QCOMPARE(config.seed, 1337LL);
}

void TestConfigLoader::invalidValueNamesKeyLineAndExpectation_data()
{
    QTest::addColumn<QString>("yaml");
    QTest::addColumn<QString>("keyPath");
    QTest::addColumn<int>("line");
    QTest::addColumn<QString>("expected");

    QTest::newRow("negative batch size") << "exp_name: x\noptimizer:\n  name: adam\n  batch_size: -3\n"
                                         << "optimizer.batch_size" << 4 << "expected an integer >= 2";
    QTest::newRow("unknown dataset") << "dataset:\n  name: imagenet21k\n"
                                     << "dataset.name" << 2 << "expected one of fashion_mnist, mnist, kmnist, cifar10, cifar100, svhn, tinyimagenet, imagenet, lsun, celeba, coco, folder, got 'imagenet21k'";
    QTest::newRow("text for a number") << "loss:\n  t: warm\n" << "loss.t" << 2 << "expected a number, got 'warm'";
    QTest::newRow("zero temperature") << "loss:\n  t: 0\n" << "loss.t" << 2 << "expected a positive number";
    QTest::newRow("bad boolean") << "\n\nloss:\n  simclr_mask: maybe\n" << "loss.simclr_mask" << 4
                                 << "expected true or false";
    QTest::newRow("unknown system") << "system: byol\n" << "system" << 1 << "expected one of tau_simclr, tau_simclr_oe, simclr, tau_mocov2, mocov2, hib, supervised, posthoc_tau";
    QTest::newRow("exp_name leaving runs_dir") << "seed: 1\nexp_name: ..\n" << "exp_name" << 2
                                              << "expected a non-empty name without '/' or '\\' that is not '.' or '..', got '..'";
    QTest::newRow("exp_name with a backslash") << "exp_name: a\\b\n" << "exp_name" << 1 << "got 'a\\b'";
    QTest::newRow("unknown outlier family") << "loss:\n  outlier_families: [jigsaw, rotated]\n" << "loss.outlier_families" << 2
                                            << "expected families among jigsaw, smooth_field, got 'rotated'";
    QTest::newRow("no outliers") << "system: tau_simclr_oe\nloss:\n  outlier_fraction: 0\n" << "loss.outlier_fraction" << 3
                                 << "expected a share of the batch in (0, 1], got 0";
    QTest::newRow("zero epochs") << "num_epochs: 0\n" << "num_epochs" << 1 << "expected a positive integer";
    QTest::newRow("list for a scalar") << "seed: [1, 2]\n" << "seed" << 1 << "expected an integer, got a list";
    QTest::newRow("tau needs r") << "system: tau_simclr\nmodel:\n  posterior_head: false\n"
                                 << "model.posterior_head" << 3 << "expected true for system tau_simclr";
    QTest::newRow("scalar for a section") << "exp_name: x\nloss: 1\n" << "loss" << 2
                                          << "expected a mapping of keys, got '1'";
}

void TestConfigLoader::invalidValueNamesKeyLineAndExpectation()
{
    QFETCH(QString, yaml);
    QFETCH(QString, keyPath);
    QFETCH(int, line);
    QFETCH(QString, expected);
    try {
        loadConfigText(yaml.toStdString(), "bad.yaml");
        QFAIL("an invalid config was accepted");
    } catch (const ConfigError& error) {
        const QString message = QString::fromUtf8(error.what());
        QCOMPARE(QString::fromStdString(error.keyPath()), keyPath);
        QCOMPARE(error.line(), line);
        QVERIFY2(message.startsWith(QStringLiteral("bad.yaml:%1: %2: ").arg(line).arg(keyPath)), qPrintable(message));
        QVERIFY2(message.contains(expected), qPrintable(message));
        QVERIFY2(!message.contains('\n'), "the message must be one line");
    }
}

void TestConfigLoader::syntaxErrorNamesLine()
{
    try {
        loadConfigText("exp_name: a\noptimizer:\n  batch_size: [1, 2\n", "broken.yaml");
        QFAIL("broken YAML was accepted");
    } catch (const ConfigError& error) {
        QVERIFY2(QString::fromUtf8(error.what()).contains("not valid YAML"), error.what());
        QVERIFY(error.line() >= 3);
    }
}

// A typo must not leave a value at its default and run another experiment than the one written down.
void TestConfigLoader::unknownKeysAreErrorsNamingTheNearestKey()
{
    const auto errorOf = [](const std::string& text, const std::vector<std::string>& overrides = {}) -> QString {
        ConfigLoadOptions options;
        options.overrides = overrides;
        try {
            loadConfigText(text, "typo.yaml", options);
        } catch (const ConfigError& error) {
            return QString::fromUtf8(error.what());
        }
        return QStringLiteral("accepted");
    };
    QCOMPARE(errorOf("exp_name: a\nnum_epoch: 2\n"), QStringLiteral("typo.yaml:2: num_epoch: unknown key (did you mean num_epochs?)"));
    QCOMPARE(errorOf("exp_name: a\noptimizer:\n  batch_sise: 64\nflavour: vanilla\n"),
             QStringLiteral("typo.yaml:3: optimizer.batch_sise: unknown key (did you mean optimizer.batch_size?); also unknown: flavour"));
    QCOMPARE(errorOf("exp_name: a\n", {"optimizer.bach=3"}),
             QStringLiteral("--set optimizer.bach=3: optimizer.bach: unknown key (did you mean optimizer.batch_size?)"));
    QCOMPARE(errorOf("optimiser:\n  batch_size: 3\n"), QStringLiteral("typo.yaml:1: optimiser: unknown key (did you mean optimizer?)"));
    QCOMPARE(errorOf("zzz_unrelated: 1\n"), QStringLiteral("typo.yaml:1: zzz_unrelated: unknown key"));
    QCOMPARE(errorOf("num_epochs: 2\n", {"num_epochs=3"}), QStringLiteral("accepted"));
    // A mapping as a key is YAML, not a config key (fuzzing found it ending the process).
    QVERIFY2(errorOf("optimizer:\n  ? {a: 1}\n  : 2\n").contains("optimizer: expected a key name, got a mapping"),
             qPrintable(errorOf("optimizer:\n  ? {a: 1}\n  : 2\n")));
}

void TestConfigLoader::duplicateKeysWarnWhichValueIsUsed()
{
    QStringList warnings;
    ConfigLoadOptions options;
    options.warn = [&](const std::string& line) { warnings << QString::fromStdString(line); };
    const ExperimentConfig config =
        loadConfigText("num_epochs: 2\noptimizer:\n  batch_size: 16\n  batch_size: 64\nnum_epochs: 100\n", "dup.yaml", options);
    QCOMPARE(warnings.size(), 2);
    QVERIFY2(warnings.contains("dup.yaml:5: duplicate key 'num_epochs'; the value at line 1 is the one used"),
             qPrintable(warnings.join('\n')));
    QVERIFY(warnings.contains("dup.yaml:4: duplicate key 'optimizer.batch_size'; the value at line 3 is the one used"));
    QCOMPARE(config.numEpochs, 2); // what the warning says
    QCOMPARE(config.optimizer.batchSize, 16);
}

void TestConfigLoader::overridesApplyAndNameTheirSource()
{
    ConfigLoadOptions options;
    options.overrides = {"optimizer.batch_size=16", "dataset.train_subset=100", "loss.simclr_mask=true"};
    const ExperimentConfig config = loadConfigText("optimizer:\n  batch_size: 128\n", "base.yaml", options);
    QCOMPARE(config.optimizer.batchSize, 16);
    QCOMPARE(config.dataset.trainSubset, 100LL);
    QVERIFY(config.loss.simclrMask);

    options.overrides = {"optimizer.batch_size=-3"};
    try {
        loadConfigText("optimizer:\n  batch_size: 128\n", "base.yaml", options);
        QFAIL("a bad override was accepted");
    } catch (const ConfigError& error) {
        const QString message = QString::fromUtf8(error.what());
        QVERIFY2(message.startsWith("--set optimizer.batch_size=-3: optimizer.batch_size: expected"),
                 qPrintable(message));
    }
    options.overrides = {"no_equals_sign"};
    QVERIFY_THROWS_EXCEPTION(ConfigError, loadConfigText("", "base.yaml", options));
}

void TestConfigLoader::resolvedYamlRoundTrips()
{
    ConfigLoadOptions options;
    options.overrides = {"optimizer.learning_rate=0.00025", "loss.tau_numerator=first_view", "num_epochs=7",
                         "loss.outlier_families=[smooth_field]", "loss.outlier_weight=0.5",
                         "memory_format=channels_last"};
    const ExperimentConfig original =
        loadConfigFile((tau::test::sourceDir() + "/configs/default.yaml").toStdString(), options);
    const ExperimentConfig again = loadConfigText(toYaml(original), "resolved.yaml");
    QCOMPARE(toYaml(again), toYaml(original));
    QCOMPARE(again.optimizer.learningRate, 0.00025);
    QCOMPARE(again.loss.tauNumerator, std::string("first_view"));
    QCOMPARE(again.numEpochs, 7);
    QCOMPARE(again.loss.outlierFamilies, std::vector<std::string>{"smooth_field"});
    QCOMPARE(again.loss.outlierWeight, 0.5);
    QCOMPARE(again.memoryFormat, std::string("channels_last"));

    // Found by fuzz_config_loader: a carriage return at the end of a string was written raw and read back as a
    // line break, so the value lost it.
    const ExperimentConfig control = loadConfigText("dataset:\n  root: \"data\\r\\r\"\ndata:\n  roots:\n    "
                                                    "\"cifar10\\t\": \"x\\u007f\"\n", "control.yaml");
    QCOMPARE(control.dataset.root, std::string("data\r\r"));
    const ExperimentConfig controlAgain = loadConfigText(toYaml(control), "resolved.yaml");
    QCOMPARE(controlAgain.dataset.root, std::string("data\r\r"));
    QCOMPARE(controlAgain.data.roots.at("cifar10\t"), std::string("x\x7f"));
    QCOMPARE(toYaml(controlAgain), toYaml(control));
}

void TestConfigLoader::everyKeyOfEveryPresetIsWrittenAndReadBack_data()
{
    everyShippedConfigLoads_data();
}

/** config.yaml holds every key of the table, and reading it back gives every key's value again. */
void TestConfigLoader::everyKeyOfEveryPresetIsWrittenAndReadBack()
{
    QFETCH(QString, path);
    const ExperimentConfig config = loadConfigFile(path.toStdString());
    const std::vector<std::pair<std::string, std::string>> written = flattenConfig(config);
    const ExperimentConfig again = loadConfigText(toYaml(config), "config.yaml");
    QCOMPARE(flattenConfig(again), written);
    for (const ConfigKeyReference& key : configKeyReference()) {
        const bool present = std::any_of(written.begin(), written.end(), [&key](const auto& entry) {
            return entry.first == key.path || entry.first.rfind(key.path + ".", 0) == 0;
        });
        // A mapping with no entries (data.roots: {}) has no dotted path of its own to flatten to.
        QVERIFY2(present || key.defaultValue == "{}", key.path.c_str());
    }
}

/** Each choice of each choice key, given with --set, is read, written and read back as itself. */
void TestConfigLoader::everyChoiceOfEveryKeyRoundTrips()
{
    int checked = 0;
    for (const ConfigKeyReference& key : configKeyReference()) {
        QCOMPARE(configChoices(key.path), key.choices);
        for (const std::string& choice : key.choices) {
            ConfigLoadOptions options;
            // Systems have rules of their own (a frozen encoder, a queue): those keys follow each system's needs.
            options.overrides = {key.path + "=" + choice, "model.encoder_checkpoint=run",
                                 "optimizer.batch_size=64"};
            if (choice != "posthoc_tau") {
                options.overrides[1] = "model.encoder_checkpoint=";
            }
            const ExperimentConfig config = loadConfigText("{}", "inline", options);
            const ExperimentConfig again = loadConfigText(toYaml(config), "config.yaml");
            const auto written = flattenConfig(again);
            const auto value = std::find_if(written.begin(), written.end(),
                                            [&key](const auto& entry) { return entry.first == key.path; });
            QVERIFY2(value != written.end() && value->second == choice, (key.path + "=" + choice).c_str());
            ++checked;
        }
    }
    QVERIFY(checked >= 20);
}

/** The README's key reference (## Configs) names every key of the table, and no key the table lacks. */
void TestConfigLoader::readmeDocumentsEveryKey()
{
    const QString readme = QString::fromUtf8(tau::test::readFile(tau::test::sourceDir() + "/README.md"));
    const qsizetype start = readme.indexOf("\n## Configs\n");
    QVERIFY(start >= 0);
    const QString section = readme.mid(start, readme.indexOf("\n## ", start + 1) - start);
    QSet<QString> documented;
    const QRegularExpression firstColumn(QStringLiteral("^\\| ([^|]+) \\|"), QRegularExpression::MultilineOption);
    const QRegularExpression quoted(QStringLiteral("`([a-zA-Z0-9_.]+)`"));
    for (auto row = firstColumn.globalMatch(section); row.hasNext();) {
        for (auto name = quoted.globalMatch(row.next().captured(1)); name.hasNext();) {
            documented.insert(name.next().captured(1));
        }
    }
    QSet<QString> table;
    for (const ConfigKeyReference& key : configKeyReference()) {
        table.insert(QString::fromStdString(key.path));
    }
    QCOMPARE(documented - table, QSet<QString>());
    QCOMPARE(table - documented, QSet<QString>());
}

void TestConfigLoader::jsonIsAccepted()
{
    const ExperimentConfig config =
        loadConfigText(R"({"exp_name": "j", "optimizer": {"batch_size": 32}, "num_epochs": 3})", "c.json");
    QCOMPARE(config.optimizer.batchSize, 32);
    QCOMPARE(config.numEpochs, 3);
}

void TestConfigLoader::missingFileIsNamed()
{
    try {
        loadConfigFile("/nonexistent/dir/x.yaml");
        QFAIL("a missing file was accepted");
    } catch (const ConfigError& error) {
        QVERIFY2(QString::fromUtf8(error.what()).startsWith("/nonexistent/dir/x.yaml: cannot open"), error.what());
    }
}

void TestConfigLoader::originalLayoutTranslates_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("system");
    QTest::addColumn<QString>("encoder");
    QTest::addColumn<bool>("mcDropout");
    QTest::addColumn<bool>("lars");
    QTest::addColumn<QString>("schedule");
    QTest::addColumn<QString>("device");
    QTest::addColumn<QString>("runsDir");
    QTest::newRow("TaU-SimCLR") << "tau_simclr.json" << "tau_simclr" << "resnet18" << false << true << "warmup_cosine"
                                << "cuda:0" << "runs";
    // Its moco_scheduler: true was overridden by the original's per-step warm-up + cosine, so that is what it gets.
    QTest::newRow("TaU-MoCo-v2") << "tau_mocov2.json" << "tau_mocov2" << "resnet18" << false << true << "warmup_cosine"
                                 << "cpu" << "/tmp/experiments";
    QTest::newRow("HIB") << "hib.json" << "hib" << "resnet18" << false << true << "warmup_cosine" << "cuda:1" << "runs";
    QTest::newRow("supervised MC dropout") << "mc_dropout_supervised.json" << "supervised" << "resnet18" << true << true
                                           << "warmup_cosine" << "cuda:0" << "runs";
    QTest::newRow("transfer") << "transfer.json" << "linear_eval" << "small_cnn" << false << false << "warmup_cosine"
                              << "cuda:0" << "runs";
}

void TestConfigLoader::originalLayoutTranslates()
{
    QFETCH(QString, file);
    QFETCH(QString, system);
    QFETCH(QString, encoder);
    QFETCH(bool, mcDropout);
    QFETCH(bool, lars);
    QFETCH(QString, schedule);
    QFETCH(QString, device);
    QFETCH(QString, runsDir);
    QStringList unknown;
    ConfigLoadOptions options;
    options.overrides = {"dataset.name=cifar10"}; // what --dataset does; the files leave it null
    options.warn = [&](const std::string& line) {
        if (QString::fromStdString(line).contains("unknown key")) {
            unknown << QString::fromStdString(line);
        }
    };
    const ExperimentConfig config =
        loadConfigFile(tau::test::dataPath("original/" + file).toStdString(), options);
    QVERIFY2(unknown.isEmpty(), qPrintable(unknown.join('\n')));
    QCOMPARE(QString::fromStdString(config.system), system);
    QCOMPARE(QString::fromStdString(config.model.encoder), encoder);
    QCOMPARE(config.model.mcDropout, mcDropout);
    QCOMPARE(config.optimizer.lars, lars);
    QCOMPARE(QString::fromStdString(config.optimizer.schedule), schedule);
    QCOMPARE(QString::fromStdString(config.device), device);
    QCOMPARE(QString::fromStdString(config.runsDir), runsDir);
    QCOMPARE(QString::fromStdString(config.dataset.name), QStringLiteral("cifar10"));
    // The original's TaU-SimCLR loss: the first view's c in the numerator of both rows of a pair.
    QCOMPARE(config.loss.tauNumerator, std::string(system == "tau_simclr" ? "first_view" : "anchor"));
    if (system == "linear_eval") {
        QCOMPARE(config.model.encoderCheckpoint, std::string("runs/tau_simclr_seed1/checkpoints/epoch_0200.pt"));
    }
    if (system == "tau_mocov2") {
        QCOMPARE(config.loss.queueSize, 65536LL);
        QCOMPARE(config.loss.momentum, 0.999);
        QCOMPARE(config.seed, 1338LL);
    }
    if (system == "hib") {
        QCOMPARE(config.loss.samples, 4);
        QCOMPARE(config.loss.beta, 1e-4);
    }
}

void TestConfigLoader::originalPretrainedEncoderIsRefusedClearly()
{
    try {
        loadConfigFile(tau::test::dataPath("original/pretrained_clip.json").toStdString());
        QFAIL("a downloaded encoder was accepted");
    } catch (const ConfigError& error) {
        const QString message = QString::fromUtf8(error.what());
        QVERIFY2(message.contains("pretrained_clip.json:10: model.encoder: the pretrained 'clip' encoder"),
                 qPrintable(message));
        QVERIFY2(message.contains("model.encoder_torchscript"), qPrintable(message));
    }
}

void TestConfigLoader::originalLayoutTrainsTheOriginalNumerator()
{
    // Post-hoc TaU trains with the TaU-SimCLR loss; a numerator the file sets itself is kept.
    const std::string posthoc = R"({"system": "Pretrained_TaU_SimCLRSystem", "model": {"encoder_torchscript": "e.pt"}})";
    QCOMPARE(loadConfigText(posthoc, "posthoc.json").loss.tauNumerator, std::string("first_view"));
    const std::string ownChoice = R"({"system": "TaU_SimCLRSystem", "loss": {"tau_numerator": "anchor"}})";
    QCOMPARE(loadConfigText(ownChoice, "own.json").loss.tauNumerator, std::string("anchor"));
    // Our own layout keeps our default.
    QCOMPARE(loadConfigText("system: tau_simclr\n", "ours.yaml").loss.tauNumerator, std::string("anchor"));
}

void TestConfigLoader::biasExclusionTakesTheOriginalsRule()
{
    const ExperimentConfig ours = loadConfigText("optimizer:\n  exclude_bn_bias: yes\n", "ours.yaml");
    QVERIFY(ours.optimizer.excludeBnBias && !ours.optimizer.larsOnExcluded);
    const ExperimentConfig original = loadConfigText("optimizer:\n  exclude_bn_bias: original\n", "o.yaml");
    QVERIFY(original.optimizer.excludeBnBias && original.optimizer.larsOnExcluded);
    QVERIFY(loadConfigText(toYaml(original), "again.yaml").optimizer.larsOnExcluded);
    // A config in the original's layout asking for it gets the original's rule: weight decay only.
    const ExperimentConfig imported =
        loadConfigText(R"({"system": "SimCLRSystem", "optimizer": {"exclude_bn_bias": true}})", "simclr.json");
    QVERIFY(imported.optimizer.excludeBnBias && imported.optimizer.larsOnExcluded);
    QVERIFY_THROWS_EXCEPTION(ConfigError, loadConfigText("optimizer:\n  exclude_bn_bias: sometimes\n", "bad.yaml"));
}

void TestConfigLoader::deviceNamesAreChecked()
{
    QCOMPARE(loadConfigText("device: cuda:3\n", "d.yaml").device, std::string("cuda:3"));
    QVERIFY_THROWS_EXCEPTION(ConfigError, loadConfigText("device: gpu\n", "d.yaml"));
    QVERIFY_THROWS_EXCEPTION(ConfigError, loadConfigText("device: cuda:x\n", "d.yaml"));
    QVERIFY_THROWS_EXCEPTION(ConfigError, loadConfigText("memory_format: nhwc\n", "d.yaml"));
}

// Found by fuzz_config_loader: a scalar where the original's layout has a mapping escaped as a yaml-cpp exception.
void TestConfigLoader::originalLayoutOfTheWrongShapeIsRefused_data()
{
    QTest::addColumn<QString>("json");
    QTest::addColumn<QString>("expected");
    const QString system = R"("system": "TaU_SimCLRSystem", )";
    QTest::newRow("loss a scalar") << system + R"("loss": 1, "model": {"base_model": "resnet18"})" << "loss: expected a mapping";
    QTest::newRow("dataset a scalar") << system + R"("dataset": "cifar10")" << "";
    QTest::newRow("base_model a mapping") << system + R"("model": {"base_model": {"a": 1}})" << "model.base_model: expected an encoder name";
    QTest::newRow("posterior a mapping") << system + R"("loss": {"posterior": [1]})" << "loss.posterior";
    QTest::newRow("cuda a list") << system + R"("cuda": [1, 2])" << "cuda: expected true or false";
}

void TestConfigLoader::originalLayoutOfTheWrongShapeIsRefused()
{
    QFETCH(QString, json);
    QFETCH(QString, expected);
    try {
        loadConfigText(("{" + json + "}").toStdString(), "original.json");
        QFAIL("a config of the wrong shape loaded");
    } catch (const ConfigError& error) {
        const QString message = QString::fromUtf8(error.what());
        QVERIFY2(message.startsWith("original.json"), qPrintable(message));
        QVERIFY2(message.contains(expected), qPrintable(message));
    }
}

/**
 * Presets: named <file>_<folder>; $TAU_CONFIGS_DIR first, then (for this build in the checkout) configs/, an earlier
 * folder's preset hiding a later one's of the same name; data directories' tau-explorer/configs after them.
 */
void TestConfigLoader::presetsByName()
{
    QCOMPARE(presetName("fashion_mnist/tau_simclr.yaml"), std::string("tau_simclr_fashion_mnist"));
    QCOMPARE(presetName("default.yaml"), std::string("default"));
    QCOMPARE(presetName("a/b/c.yaml"), std::string("c_a_b"));

    const std::vector<std::string> fromCheckout = presetDirectories();
    QVERIFY(!fromCheckout.empty());
    QCOMPARE(QString::fromStdString(fromCheckout.front()), QDir(tau::test::sourceDir() + "/configs").canonicalPath());
    const auto shipped = findPreset("tau_simclr_fashion_mnist", fromCheckout);
    QVERIFY(shipped.has_value());
    QVERIFY(QString::fromStdString(*shipped).endsWith("configs/fashion_mnist/tau_simclr.yaml"));

    QTemporaryDir own, data;
    QVERIFY(QDir().mkpath(own.filePath("fashion_mnist")) && QDir().mkpath(data.filePath("tau-explorer/configs/x")));
    QVERIFY(tau::test::writeFile(own.filePath("fashion_mnist/tau_simclr.yaml"), "num_epochs: 3\n"));
    QVERIFY(tau::test::writeFile(data.filePath("tau-explorer/configs/x/mine.yaml"), "num_epochs: 2\n"));
    qputenv("TAU_CONFIGS_DIR", own.path().toUtf8());
    const std::vector<std::string> directories = presetDirectories({data.path().toStdString()});
    qunsetenv("TAU_CONFIGS_DIR");
    QCOMPARE(QString::fromStdString(directories.front()), QDir(own.path()).canonicalPath());
    QCOMPARE(QString::fromStdString(directories.back()), QDir(data.filePath("tau-explorer/configs")).canonicalPath());
    QCOMPARE(QString::fromStdString(*findPreset("tau_simclr_fashion_mnist", directories)),
             own.filePath("fashion_mnist/tau_simclr.yaml")); // the earlier folder wins
    QVERIFY(findPreset("mine_x", directories).has_value());
    QVERIFY(!findPreset("no_such_preset", directories).has_value());
}

void TestConfigLoader::oodConfigNamesOneEvaluationFolder_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("key");
    QTest::addColumn<int>("line");
    QTest::newRow("ours") << QByteArray("checkpoint: runs/a\nname: ../../escape\n") << "name" << 2;
    QTest::newRow("the original's") << QByteArray("{\"exp_name\": \"../x\",\n \"dataset\": {\"in_dataset\": \"cifar10\"},\n"
                                                  " \"model\": {\"encoder\": {\"exp_dir\": \"runs/a\"}}}\n")
                                    << "exp_name" << 1;
}

/** An OOD config names the folder RUN/eval/<name> its results go to: a name from a file must be one folder name. */
void TestConfigLoader::oodConfigNamesOneEvaluationFolder()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, key);
    QFETCH(int, line);
    QTemporaryDir dir;
    const QString path = dir.filePath("ood.yaml");
    QVERIFY(tau::test::writeFile(path, text));
    try {
        loadOodConfigFile(path.toStdString());
        QFAIL("a name leaving the run's eval folder was accepted");
    } catch (const ConfigError& error) {
        QCOMPARE(QString::fromStdString(error.keyPath()), key);
        QCOMPARE(error.line(), line);
        QVERIFY2(QString::fromUtf8(error.what()).contains("expected a non-empty name without '/'"), error.what());
    }
}

QTEST_APPLESS_MAIN(TestConfigLoader)
#include "tst_config_loader.moc"
