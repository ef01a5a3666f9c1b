// The `tau` executable as a user runs it: exit codes, one-line errors, Ctrl-C and resume.

#include "core/config/config_loader.h"
#include "core/io/evaluation_files.h"
#include "core/models/contrastive_model.h"
#include "core/training/checkpoint.h"
#include "core/common/build_info.h"
#include "tests/support/test_support.h"

#include <QDir>
#include <QImage>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

class TestCliTrain : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void badValueGivesOneLineAndNonZeroExit_data();
    void badValueGivesOneLineAndNonZeroExit();
    void missingDatasetIsNamed();
    void interruptLeavesLoadableCheckpointAndResumeFinishes();
    void configValidateAndShow();
    void originalJsonConfigTrains();
    void exportsRocFiguresAndTables();
    void resultsTableGroupsSeeds();
    void versionAndPresetsByName();
    void evaluationCommandsShareOneTargetGroup();
    void jsonReportAndResume();
    void importsAConvertedOriginalCheckpoint();
    void unavailableCudaDeviceIsRefused();
    void aTorchScriptProgramRunsOnlyWhenTrusted();
    void aReportShowsNamesFromFilesAsText();

private:
    QString writeConfig(const QTemporaryDir& dir, const QByteArray& text) const;
};

QString TestCliTrain::writeConfig(const QTemporaryDir& dir, const QByteArray& text) const
{
    const QString path = dir.filePath("config.yaml");
    tau::test::writeFile(path, text);
    return path;
}

void TestCliTrain::badValueGivesOneLineAndNonZeroExit_data()
{
    QTest::addColumn<QByteArray>("yaml");
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("expected");
    QTest::newRow("negative batch size") << QByteArray("exp_name: x\noptimizer:\n  batch_size: -3\n") << QStringList()
                                         << ":3: optimizer.batch_size: expected an integer >= 2 (pairs per batch), got '-3'";
    QTest::newRow("unknown dataset") << QByteArray("dataset:\n  name: cifar11\n") << QStringList()
                                     << ":2: dataset.name: expected one of fashion_mnist, mnist, kmnist, cifar10, cifar100, svhn, tinyimagenet, imagenet, lsun, celeba, coco, folder, got 'cifar11'";
    QTest::newRow("bad --set") << QByteArray("exp_name: x\n") << QStringList{"--set", "loss.t=-1"}
                               << "--set loss.t=-1: loss.t: expected a positive number, got '-1'";
}

void TestCliTrain::badValueGivesOneLineAndNonZeroExit()
{
    QFETCH(QByteArray, yaml);
    QFETCH(QStringList, arguments);
    QFETCH(QString, expected);
    QTemporaryDir dir;
    const QString config = writeConfig(dir, yaml);
    const auto result = tau::test::runProcess(TAU_CLI_PATH, QStringList{"train", config} + arguments + QStringList{"--runs-dir", dir.path()});
    QCOMPARE(result.exitCode, 2);
    const QString error = QString::fromUtf8(result.standardError).trimmed();
    QVERIFY2(!error.contains('\n'), qPrintable("expected one line, got:\n" + error));
    QVERIFY2(error.startsWith("tau: error: "), qPrintable(error));
    QVERIFY2(error.contains(expected), qPrintable(error));
    QVERIFY2(!QDir(dir.filePath("x")).exists(), "nothing may be written for an invalid config");
}

void TestCliTrain::missingDatasetIsNamed()
{
    QTemporaryDir dir;
    const QString config = writeConfig(dir, "dataset:\n  root: /nonexistent/fmnist\n");
    const auto result = tau::test::runProcess(TAU_CLI_PATH, {"train", config, "--runs-dir", dir.path()});
    QCOMPARE(result.exitCode, 1);
    const QString error = QString::fromUtf8(result.standardError);
    QVERIFY2(error.contains("tau: error: /nonexistent/fmnist/train-images-idx3-ubyte.gz: file not found"),
             qPrintable(error));
}

void TestCliTrain::interruptLeavesLoadableCheckpointAndResumeFinishes()
{
    QTemporaryDir dir;
    const QString config = tau::test::dataPath("configs/tiny.yaml");
    QProcess process;
    process.start(TAU_CLI_PATH, {"train", config, "--runs-dir", dir.path(), "--set", "num_epochs=50"});
    QVERIFY(process.waitForStarted());
    const QString metrics = dir.filePath("tiny/metrics.jsonl");
    // Wait for the first step records, then press Ctrl-C.
    QTRY_VERIFY_WITH_TIMEOUT(tau::test::readFile(metrics).count("\"type\":\"step\"") >= 2, 120000);
    ::kill(pid_t(process.processId()), SIGINT);
    QVERIFY(process.waitForFinished(60000));
    QCOMPARE(process.exitCode(), 130);
    const QString stderrText = QString::fromUtf8(process.readAllStandardError());
    QVERIFY2(stderrText.contains("resume with: tau train --resume"), qPrintable(stderrText));

    const QString last = dir.filePath("tiny/checkpoints/last.pt");
    QVERIFY(QFile::exists(last));
    const tau::core::ExperimentConfig written =
        tau::core::loadConfigFile(dir.filePath("tiny/config.yaml").toStdString());
    tau::core::ContrastiveModel model(written.model, tau::core::ModelInput{1, 28});
    const auto position = tau::core::loadCheckpoint(last.toStdString(), *model);
    QVERIFY(position.step >= 2);
    QCOMPARE(written.numEpochs, 50);

    // Resume runs to the end of the recorded config; shorten it first so the test stays quick.
    QVERIFY(tau::test::writeFile(dir.filePath("tiny/config.yaml"),
                                 tau::test::readFile(dir.filePath("tiny/config.yaml")).replace("num_epochs: 50", "num_epochs: 1")));
    // The original's way: a config whose continue_from_checkpoint names the checkpoint.
    const auto continued = tau::test::runProcess(
        TAU_CLI_PATH, {"train", dir.filePath("tiny/config.yaml"), "--set", "continue_from_checkpoint=" + last}, 300000);
    QVERIFY2(continued.exitCode == 0, continued.standardError.constData());
    QVERIFY(tau::test::readFile(metrics).contains("\"event\":\"resume\""));
    // And ours: nothing is left to do, so it ends at once.
    const auto resumed = tau::test::runProcess(TAU_CLI_PATH, {"train", "--resume", dir.filePath("tiny")}, 300000);
    QVERIFY2(resumed.exitCode == 0, resumed.standardError.constData());
    QVERIFY(QString::fromUtf8(resumed.standardError).contains("done: 1 epochs"));
}

void TestCliTrain::configValidateAndShow()
{
    const QString original = tau::test::dataPath("original/tau_simclr.json");
    const auto valid = tau::test::runProcess(TAU_CLI_PATH, {"config", "validate", original, "--dataset", "cifar10"});
    QVERIFY2(valid.exitCode == 0, valid.standardError.constData());
    QVERIFY(valid.standardOutput.contains("valid (tau_simclr on cifar10)"));

    const auto shown = tau::test::runProcess(TAU_CLI_PATH, {"config", "show", original, "--dataset", "cifar10"});
    QCOMPARE(shown.exitCode, 0);
    for (const char* line : {"system: tau_simclr", "encoder: resnet18", "lars: true", "device: cuda:0", "t: 0.1"}) {
        QVERIFY2(shown.standardOutput.contains(line), line);
    }

    QTemporaryDir dir;
    const QString bad = writeConfig(dir, "optimizer:\n  batch_size: many\n");
    const auto invalid = tau::test::runProcess(TAU_CLI_PATH, {"config", "validate", bad});
    QCOMPARE(invalid.exitCode, 2);
    QVERIFY(invalid.standardError.contains(":2: optimizer.batch_size: expected an integer, got 'many'"));
}

void TestCliTrain::originalJsonConfigTrains()
{
    // The original repository's layout, as is, with the dataset given on the command line as there.
    QTemporaryDir dir;
    const auto result = tau::test::runProcess(
        TAU_CLI_PATH, {"train", tau::test::dataPath("original/tau_simclr.json"), "--dataset", "fashion_mnist",
                       "--runs-dir", dir.path(), "--device", "cpu", "--set", "num_epochs=1", "--set",
                       "dataset.train_subset=32", "--set", "optimizer.batch_size=16"},
        300000);
    QVERIFY2(result.exitCode == 0, result.standardError.constData());
    const QString config = QString::fromUtf8(tau::test::readFile(dir.filePath("tau_simclr_seed1/config.yaml")));
    QVERIFY2(config.contains("encoder: resnet18") && config.contains("system: tau_simclr"), qPrintable(config));
    QVERIFY(QFile::exists(dir.filePath("tau_simclr_seed1/checkpoints/last.pt")));
}

/**
 * tau export table over several runs' eval folders: runs alike but for the seed are one method, shown as mean ±
 * sample std (checked against Python's statistics module) with the runs' linear top-1 and the mean over the sets;
 * another system stays a row of its own. Markdown and --sets, as configs/study/run_study.sh writes docs/results.md.
 */
void TestCliTrain::resultsTableGroupsSeeds()
{
    QTemporaryDir dir;
    struct Run
    {
        const char* name;
        const char* system;
        int seed;
        double aurocMnist, fprMnist, aurocNoise;
    };
    const std::vector<Run> runs = {{"tau_s1", "tau_simclr", 1, 0.75, 0.5, 0.25},
                                   {"tau_s2", "tau_simclr", 2, 0.85, 0.4, 0.125},
                                   {"tau_s3", "tau_simclr", 3, 0.70, 0.6, 0.5},
                                   {"simclr_s1", "simclr", 1, 0.9, 0.3, 0.95}};
    QStringList folders;
    for (const Run& run : runs) {
        const QString root = dir.filePath(run.name);
        const QString eval = root + "/eval/study";
        QVERIFY(QDir().mkpath(eval));
        tau::test::writeFile(root + "/config.yaml", QStringLiteral("exp_name: %1\nsystem: %2\nseed: %3\n")
                                                        .arg(run.name, run.system).arg(run.seed).toUtf8());
        tau::test::writeFile(eval + "/metrics.json",
                             QStringLiteral(R"({"in_dataset": "fashion_mnist", "results": {
                                 "mnist": {"knn": {"auroc": %1, "fpr95": %2, "fpr95_ood_positive": 0, "aupr_in": 0, "aupr_out": 0}},
                                 "gaussian_noise": {"knn": {"auroc": %3, "fpr95": 0.5, "fpr95_ood_positive": 0, "aupr_in": 0, "aupr_out": 0}}}})")
                                 .arg(run.aurocMnist).arg(run.fprMnist).arg(run.aurocNoise).toUtf8());
        for (const char* ood : {"mnist", "gaussian_noise"}) {
            tau::test::writeFile(eval + QStringLiteral("/roc_%1_knn.csv").arg(ood), "fpr,tpr,threshold\n0,0,inf\n1,1,0\n");
        }
        folders << eval;
        if (run.seed <= 2 && QString(run.system) == "tau_simclr") { // the third seed was never linear-evaluated
            QVERIFY(QDir().mkpath(root + "/eval/linear"));
            tau::test::writeFile(root + "/eval/linear/metrics.json",
                                 QStringLiteral(R"({"linear_top1": %1})").arg(run.seed == 1 ? 0.77 : 0.79).toUtf8());
        }
    }
    const QString csv = dir.filePath("results.csv");
    const auto written = tau::test::runProcess(TAU_CLI_PATH, QStringList{"export", "table"} + folders + QStringList{"-o", csv});
    QVERIFY2(written.exitCode == 0, written.standardError.constData());
    const QList<QByteArray> lines = tau::test::readFile(csv).trimmed().split('\n');
    QCOMPARE(lines.front(), QByteArray("method,score,runs,ood,n,auroc_mean,auroc_std,fpr95_mean,fpr95_std,"
                                       "linear_top1_mean,linear_top1_std"));
    QCOMPARE(lines.size(), 1 + 2 * 2); // two methods x two sets (sets in alphabetical order)
    QVERIFY(lines[1].startsWith("TaU-SimCLR,knn,tau_s1 tau_s2 tau_s3,gaussian_noise,3,"));
    const QList<QByteArray> tauMnist = lines[2].split(',');
    QCOMPARE(tauMnist.mid(0, 5), (QList<QByteArray>{"TaU-SimCLR", "knn", "tau_s1 tau_s2 tau_s3", "mnist", "3"}));
    const auto python = tau::test::runProcess(
        tau::test::referencePython(),
        {"-c", "import statistics as s; a = [0.75, 0.85, 0.70]; f = [0.5, 0.4, 0.6]; l = [0.77, 0.79]; "
               "print(repr(s.mean(a)), repr(s.stdev(a)), repr(s.mean(f)), repr(s.stdev(f)), repr(s.mean(l)), "
               "repr(s.stdev(l)), '%.3f' % s.mean([s.mean(a), s.mean([0.25, 0.125, 0.5])]))"});
    QVERIFY2(python.exitCode == 0, python.standardError.constData());
    const QList<QByteArray> expected = python.standardOutput.trimmed().split(' ');
    for (int i = 0; i < 6; ++i) {
        QVERIFY2(std::abs(tauMnist[5 + i].toDouble() - expected[i].toDouble()) < 1e-9,
                 qPrintable(QString("column %1: %2 vs Python's %3").arg(5 + i).arg(tauMnist[5 + i].constData(), expected[i].constData())));
    }
    const QList<QByteArray> simclr = lines[4].split(',');
    QCOMPARE(simclr.mid(0, 6), (QList<QByteArray>{"SimCLR", "knn", "simclr_s1", "mnist", "1", "0.9"}));
    QCOMPARE(simclr[6], QByteArray()); // no std for one run
    QCOMPARE(simclr[9], QByteArray()); // and no linear evaluation

    const QString tex = dir.filePath("results.tex");
    QCOMPARE(tau::test::runProcess(TAU_CLI_PATH, QStringList{"export", "table"} + folders + QStringList{"-o", tex}).exitCode, 0);
    const QString table = QString::fromUtf8(tau::test::readFile(tex));
    QVERIFY2(table.contains("TaU-SimCLR & knn & 3 & 0.292 $\\pm$ 0.191 & 0.767 $\\pm$ 0.076 & " + QString::fromUtf8(expected[6]) +
                            " & 0.780 $\\pm$ 0.014"),
             qPrintable(table));
    QVERIFY(table.contains("FPR@95: the share of OOD images accepted"));
    QCOMPARE(table.count("\\begin{tabular}"), 2); // AUROC, then FPR@95

    // Markdown, for docs/results.md, with the sets chosen and ordered by --sets (mnist alone: no mean column).
    const QString md = dir.filePath("results.md");
    const auto markdown = tau::test::runProcess(TAU_CLI_PATH, QStringList{"export", "table"} + folders +
                                                                  QStringList{"--sets", "mnist", "-o", md});
    QVERIFY2(markdown.exitCode == 0, markdown.standardError.constData());
    const QString mdText = QString::fromUtf8(tau::test::readFile(md));
    // The last column: what scoring an image costs, from the score catalogue.
    QVERIFY2(mdText.contains("| method | score | n | mnist | linear top-1 | cost per image |\n") &&
                 mdText.contains("| TaU-SimCLR | knn | 3 | 0.767 ± 0.076 | 0.780 ± 0.014 | "
                                 "1 pass + k-NN search of stored ID embeddings |\n") &&
                 mdText.contains("| SimCLR | knn | 1 | 0.900 | – | 1 pass + k-NN search of stored ID embeddings |\n") &&
                 !mdText.contains("gaussian_noise"),
             qPrintable(mdText));
    // --near splits the sets into near- and far-OOD means (here noise is called near, to have two groups).
    const auto split = tau::test::runProcess(TAU_CLI_PATH, QStringList{"export", "table"} + folders +
                                                               QStringList{"--near", "gaussian_noise", "-o", md});
    QVERIFY2(split.exitCode == 0, split.standardError.constData());
    const QString splitText = QString::fromUtf8(tau::test::readFile(md));
    QVERIFY2(splitText.contains("| gaussian_noise | mnist | mean | near-OOD | far-OOD | linear top-1 | cost per image |\n") &&
                 splitText.contains("| TaU-SimCLR | knn | 3 | 0.292 ± 0.191 | 0.767 ± 0.076 | " + QString::fromUtf8(expected[6]) +
                                    " | 0.292 | 0.767 | 0.780 ± 0.014 |") &&
                 splitText.contains("near-OOD: gaussian_noise, far-OOD: mnist"),
             qPrintable(splitText));
    const auto unknownNear = tau::test::runProcess(TAU_CLI_PATH, QStringList{"export", "table"} + folders +
                                                                     QStringList{"--near", "svhn", "-o", md});
    QCOMPARE(unknownNear.exitCode, 1);
    QVERIFY2(unknownNear.standardError.contains("--near: no OOD set 'svhn'"), unknownNear.standardError.constData());
    const auto unknown = tau::test::runProcess(TAU_CLI_PATH, QStringList{"export", "table"} + folders +
                                                                 QStringList{"--sets", "svhn", "-o", md});
    QCOMPARE(unknown.exitCode, 1);
    QVERIFY2(unknown.standardError.contains("no OOD set 'svhn'") && unknown.standardError.contains("gaussian_noise, mnist"),
             unknown.standardError.constData());
}

/**
 * tau ood, knn, linear-eval, embed, rank and export features spell, explain and default the target's options
 * alike: each shared option's help line is the same in every command that takes it.
 */
void TestCliTrain::evaluationCommandsShareOneTargetGroup()
{
    const QList<QStringList> commands = {{"ood"}, {"knn"}, {"linear-eval"}, {"embed"}, {"rank"}, {"export", "features"}};
    QMap<QString, QString> firstLine; // option -> its help line, as the first command shows it
    QMap<QString, int> takenBy;
    for (const QStringList& command : commands) {
        const auto help = tau::test::runProcess(TAU_CLI_PATH, command + QStringList{"--help"});
        QVERIFY2(help.exitCode == 0, help.standardError.constData());
        for (const QString& line : QString::fromUtf8(help.standardOutput).split('\n')) {
            const QString trimmed = line.simplified();
            for (const QString& option : {QStringLiteral("--device"), QStringLiteral("--threads"),
                                          QStringLiteral("--name"), QStringLiteral("--checkpoint")}) {
                if (!trimmed.startsWith(option + ' ')) {
                    continue;
                }
                // --name and --checkpoint differ in their default and REQUIRED mark; the rest of the line is one.
                const QString shared = trimmed.section(QRegularExpression("\\s+"), -4);
                const bool sameWhole = option == "--device" || option == "--threads";
                if (!firstLine.contains(option)) {
                    firstLine.insert(option, sameWhole ? trimmed : shared);
                } else if (sameWhole) {
                    QCOMPARE(trimmed, firstLine.value(option));
                } else {
                    QCOMPARE(shared, firstLine.value(option));
                }
                takenBy[option] += 1;
            }
        }
    }
    QVERIFY2(firstLine.value("--device").startsWith("--device TEXT=auto "), qPrintable(firstLine.value("--device")));
    QVERIFY2(firstLine.value("--threads").startsWith("--threads INT=0 "), qPrintable(firstLine.value("--threads")));
    QCOMPARE(takenBy.value("--device"), 6);
    QCOMPARE(takenBy.value("--threads"), 6);
    QCOMPARE(takenBy.value("--checkpoint"), 5); // export features takes its run as an argument
    QCOMPARE(takenBy.value("--name"), 5);       // and writes to --output
    QVERIFY2(firstLine.value("--checkpoint").endsWith("(or the run directory)"), qPrintable(firstLine.value("--checkpoint")));
    const auto batch = tau::test::runProcess(TAU_CLI_PATH, {"ood", "--help"});
    QVERIFY(QString::fromUtf8(batch.standardOutput).contains(QRegularExpression("--batch-size INT=256 ")));
}

/** tau --version names version, revision, LibTorch and backends; presets are taken by name, unknown names refused. */
void TestCliTrain::versionAndPresetsByName()
{
    const auto version = tau::test::runProcess(TAU_CLI_PATH, {"--version"});
    QCOMPARE(version.exitCode, 0);
    const QString text = QString::fromUtf8(version.standardOutput);
    const QString build = "LibTorch " + QString::fromStdString(tau::core::libtorchVersion()) + " \u00b7 ";
    QVERIFY2(text.startsWith("tau 0.") && text.contains("\ngit revision: ") && text.contains("\n" + build), qPrintable(text));
    // What the build has beside the CPU, against the torch of its own Python where the LibTorch came with one.
    if (!tau::test::libtorchPython().isEmpty()) {
        const auto python = tau::test::runProcess(tau::test::libtorchPython(), {"-c", R"py(import torch
cudnn = torch.backends.cudnn.version()
parts = [f"CUDA {torch.version.cuda}", f"cuDNN {cudnn // 10000}.{cudnn % 10000 // 100}.{cudnn % 100}" if cudnn else "no cuDNN"]
parts.append("NCCL " + ".".join(map(str, torch.cuda.nccl.version())) if torch.distributed.is_nccl_available() else "no NCCL")
gpus = torch.cuda.device_count()
parts.append("no GPU visible" if gpus == 0 else f"{gpus} GPU visible" if gpus == 1 else f"{gpus} GPUs visible")
print(" \u00b7 ".join(parts) if torch.version.cuda else "CPU only (a LibTorch built without CUDA)")
)py"});
        QVERIFY2(python.exitCode == 0, python.standardError.constData());
        const QString expected = build + QString::fromUtf8(python.standardOutput.trimmed());
        QVERIFY2(text.contains("\n" + expected + "\n"), qPrintable(text + " lacks " + expected));
    } else {
        QVERIFY2(text.contains(build + "CPU only") || text.contains(build + "CUDA "), qPrintable(text));
    }
    const auto presets = tau::test::runProcess(TAU_CLI_PATH, {"config", "presets"});
    QCOMPARE(presets.exitCode, 0);
    QVERIFY2(presets.standardOutput.contains("tau_simclr_fashion_mnist") && presets.standardOutput.contains("default "),
             presets.standardOutput.constData());
    const auto valid = tau::test::runProcess(TAU_CLI_PATH, {"config", "validate", "tau_mocov2_fashion_mnist"});
    QVERIFY2(valid.exitCode == 0 && valid.standardOutput.contains("configs/fashion_mnist/tau_mocov2.yaml: valid"),
             valid.standardOutput.constData());
    const auto unknown = tau::test::runProcess(TAU_CLI_PATH, {"train", "tau_simclr_no_such_set"});
    QCOMPARE(unknown.exitCode, 1);
    QVERIFY2(unknown.standardError.contains("tau_simclr_no_such_set: no such config file, and no preset of that name") &&
                 unknown.standardError.contains("tau_simclr_fashion_mnist"),
             unknown.standardError.constData());
}

void TestCliTrain::exportsRocFiguresAndTables()
{
    // An eval folder as tau ood writes it, by hand: two scores on one OOD set.
    QTemporaryDir dir;
    tau::test::writeFile(dir.filePath("metrics.json"),
                         R"({"in_dataset": "fashion_mnist", "results": {"mnist": {
                              "tau": {"auroc": 0.75, "fpr95": 0.5, "fpr95_ood_positive": 0.6, "aupr_in": 0.7, "aupr_out": 0.8},
                              "knn": {"auroc": 0.9, "fpr95": 0.3, "fpr95_ood_positive": 0.2, "aupr_in": 0.9, "aupr_out": 0.85}}}})");
    for (const char* score : {"tau", "knn"}) {
        tau::test::writeFile(dir.filePath(QStringLiteral("roc_mnist_%1.csv").arg(score)),
                             "fpr,tpr,threshold\n0,0,inf\n0.1,0.6,2\n0.5,0.96,1\n1,1,0\n");
    }
    const QString pdf = dir.filePath("roc.pdf");
    const auto figure = tau::test::runProcess(TAU_CLI_PATH, {"export", "roc", dir.path(), "-o", pdf, "--size", "column"});
    QVERIFY2(figure.exitCode == 0, figure.standardError.constData());
    const auto vectors = tau::test::runReferenceScript("pdf_has_vector_paths.py", {pdf});
    QVERIFY2(vectors.exitCode == 0, vectors.standardOutput.constData());

    // The issue's spelling: --format names the format and completes an output without an extension.
    const auto named = tau::test::runProcess(
        TAU_CLI_PATH, {"export", "roc", dir.path(), "--format", "pdf", "--size", "column", "-o", dir.filePath("named")});
    QVERIFY2(named.exitCode == 0, named.standardError.constData());
    QVERIFY(tau::test::readFile(dir.filePath("named.pdf")).startsWith("%PDF"));
    const auto contradicting = tau::test::runProcess(TAU_CLI_PATH, {"export", "roc", dir.path(), "--format", "svg", "-o", pdf});
    QCOMPARE(contradicting.exitCode, 1);
    QVERIFY(contradicting.standardError.contains("contradicts --format svg"));
    const QString curves = dir.filePath("roc.csv");
    QCOMPARE(tau::test::runProcess(TAU_CLI_PATH, {"export", "roc", dir.path(), "-o", curves}).exitCode, 0);
    const QString curveText = QString::fromUtf8(tau::test::readFile(curves));
    QVERIFY2(curveText.startsWith("ood,series,fpr,tpr\n") && curveText.contains("mnist,knn,0.1,0.6\n"), qPrintable(curveText));

    const QString tex = dir.filePath("table.tex");
    QCOMPARE(tau::test::runProcess(TAU_CLI_PATH, {"export", "table", dir.path(), "-o", tex}).exitCode, 0);
    const QString table = QString::fromUtf8(tau::test::readFile(tex));
    QVERIFY2(table.contains("\\begin{tabular}{llrrrr}") && table.contains("mnist & tau & 0.750 & 0.500"),
             qPrintable(table));
    QVERIFY(table.contains("\\end{tabular}"));

    // The score histograms from scores.csv, and the embedding from tau embed's embedding.csv.
    tau::test::writeFile(dir.filePath("scores.csv"), "dataset,index,label,tau,knn\nfashion_mnist,0,1,0.9,-0.2\n"
                                                     "fashion_mnist,1,2,0.8,-0.3\nmnist,0,3,0.4,-0.6\nmnist,1,4,0.95,-0.5\n");
    const auto histograms = tau::test::runProcess(
        TAU_CLI_PATH, {"export", "histograms", dir.path(), "--score", "knn", "-o", dir.filePath("hist.csv")});
    QVERIFY2(histograms.exitCode == 0, histograms.standardError.constData());
    const QString histogramText = QString::fromUtf8(tau::test::readFile(dir.filePath("hist.csv")));
    QVERIFY(histogramText.startsWith("set,bin_low,bin_high,density\n") && histogramText.contains("mnist,-0.6,"));
    const auto unknownScore = tau::test::runProcess(
        TAU_CLI_PATH, {"export", "histograms", dir.path(), "--score", "energy", "-o", dir.filePath("hist.svg")});
    QCOMPARE(unknownScore.exitCode, 1);
    QVERIFY(unknownScore.standardError.contains("--score energy: not in"));
    QTemporaryDir embedded;
    tau::test::writeFile(embedded.filePath("embedding.csv"), "index,label,c,pca_x,pca_y\n0,1,0.9,0.1,0.2\n"
                                                             "1,2,0.7,-1.5,0.4\n2,1,0.8,0.3,-0.9\n");
    const QString png = embedded.filePath("embedding.png");
    const auto embedding = tau::test::runProcess(
        TAU_CLI_PATH, {"export", "embedding", embedded.path(), "--size", "column", "--dpi", "100", "-o", png});
    QVERIFY2(embedding.exitCode == 0, embedding.standardError.constData());
    QCOMPARE(QImage(png).width(), 350); // 3.5 in at 100 dpi

    const auto wrong = tau::test::runProcess(TAU_CLI_PATH, {"export", "table", dir.path(), "-o", dir.filePath("t.txt")});
    QCOMPARE(wrong.exitCode, 1);
    QVERIFY(wrong.standardError.contains("a table is written as .tex (LaTeX tabular), .md (Markdown) or .csv"));
}

void TestCliTrain::jsonReportAndResume()
{
    QTemporaryDir dir;
    const auto trained = tau::test::runProcess(
        TAU_CLI_PATH, {"train", tau::test::dataPath("configs/tiny.yaml"), "--runs-dir", dir.path(), "--json"}, 300000);
    QVERIFY2(trained.exitCode == 0, trained.standardError.constData());
    const QJsonObject summary = QJsonDocument::fromJson(trained.standardOutput).object();
    const QString run = summary["run_directory"].toString();
    QCOMPARE(run, dir.filePath("tiny"));
    QCOMPARE(summary["epochs"].toInt(), 2);
    QVERIFY(summary["last_epoch_loss"].toDouble() > 0);

    // The report: one HTML file with the figures inside, the certainty grids ranked on the way.
    const auto report = tau::test::runProcess(TAU_CLI_PATH, {"report", run, "--json"}, 300000);
    QVERIFY2(report.exitCode == 0, report.standardError.constData());
    const QString html = QString::fromUtf8(tau::test::readFile(QJsonDocument::fromJson(report.standardOutput)
                                                                   .object()["report"].toString()));
    QVERIFY(html.startsWith("<!doctype html>"));
    QVERIFY2(html.count("<svg") >= 4, "curves, c histogram, c by epoch, tau histogram"); // inline, not linked
    QVERIFY(html.contains("<h2>Most and least certain images</h2>") && html.contains("data:image/png;base64,"));
    QVERIFY(html.contains("system: tau_simclr"));
    // Self-contained: every image and link is a data: URI, nothing points at another file.
    const QRegularExpression outside(QStringLiteral("(src|href)=\"(?!data:)"));
    QVERIFY(!html.contains(outside));

    // tau resume: the run is finished, so it ends at once, reporting the same run.
    const auto resumed = tau::test::runProcess(TAU_CLI_PATH, {"resume", run, "--json"}, 300000);
    QVERIFY2(resumed.exitCode == 0, resumed.standardError.constData());
    const QJsonObject again = QJsonDocument::fromJson(resumed.standardOutput).object();
    QCOMPARE(again["run_directory"].toString(), run);
    QCOMPARE(again["steps"].toInt(), summary["steps"].toInt());

    // kNN accuracy as JSON.
    const auto knn = tau::test::runProcess(TAU_CLI_PATH, {"knn", "--checkpoint", run, "--limit-train", "500",
                                                          "--limit-test", "200", "--json"}, 300000);
    QVERIFY2(knn.exitCode == 0, knn.standardError.constData());
    const double top1 = QJsonDocument::fromJson(knn.standardOutput).object()["knn_top1"].toDouble();
    QVERIFY(top1 > 0.1 && top1 <= 1.0);
}

void TestCliTrain::importsAConvertedOriginalCheckpoint()
{
    QTemporaryDir dir;
    const auto made = tau::test::runReferenceScript("make_original_checkpoint.py", {dir.filePath("original"), "resnet"});
    QVERIFY2(made.exitCode == 0, made.standardError.constData());
    const QString converted = dir.filePath("converted.pt");
    const auto conversion = tau::test::runProcess(
        tau::test::referencePython(), {tau::test::sourceDir() + "/packaging/tools/convert_original_checkpoint.py",
                                       dir.filePath("original/epoch=199-step=77999.ckpt"), "-o", converted});
    QVERIFY2(conversion.exitCode == 0, conversion.standardError.constData());
    QVERIFY(conversion.standardOutput.contains("left out 2 that are not the model"));

    const auto imported = tau::test::runProcess(
        TAU_CLI_PATH, {"import", converted, "--config", tau::test::dataPath("original/tau_simclr.json"), "--dataset",
                       "cifar10", "--runs-dir", dir.filePath("runs"), "--json"});
    QVERIFY2(imported.exitCode == 0, imported.standardError.constData());
    const QString run = QJsonDocument::fromJson(imported.standardOutput).object()["run_directory"].toString();
    QVERIFY(QFile::exists(run + "/checkpoints/last.pt"));
    const QString config = QString::fromUtf8(tau::test::readFile(run + "/config.yaml"));
    QVERIFY2(config.contains("device: auto") && config.contains("name: cifar10"), qPrintable(config));

    // A report of an imported run (no training record, no CIFAR-10 here) still comes out, saying what is missing.
    const auto report = tau::test::runProcess(TAU_CLI_PATH, {"report", run}, 300000);
    QVERIFY2(report.exitCode == 0, report.standardError.constData());
    const QString html = QString::fromUtf8(tau::test::readFile(run + "/report.html"));
    QVERIFY(html.contains("no training record"));

    // Not a converted file: the converter's advice, and the file named.
    const auto wrong = tau::test::runProcess(
        TAU_CLI_PATH, {"import", dir.filePath("original/epoch=199-step=77999.ckpt"), "--config",
                       tau::test::dataPath("original/tau_simclr.json"), "--dataset", "cifar10", "--runs-dir", dir.filePath("runs")});
    QCOMPARE(wrong.exitCode, 1);
    QVERIFY2(wrong.standardError.contains("epoch=199-step=77999.ckpt") &&
                 wrong.standardError.contains("convert_original_checkpoint.py"),
             wrong.standardError.constData());
}

void TestCliTrain::unavailableCudaDeviceIsRefused()
{
    QTemporaryDir dir;
    const auto result = tau::test::runProcess(
        TAU_CLI_PATH, {"train", tau::test::dataPath("configs/tiny.yaml"), "--device", "cuda:1", "--runs-dir", dir.path()});
    QCOMPARE(result.exitCode, result.standardError.contains("CUDA") ? 1 : result.exitCode); // a GPU machine may run it
    if (result.exitCode != 0) {
        QVERIFY2(result.standardError.contains("cuda:1"), result.standardError.constData());
        QVERIFY(!QFile::exists(dir.filePath("tiny"))); // nothing written
    }
}

/**
 * A post-hoc TaU run whose frozen encoder is a TorchScript file that writes a file from its forward (torch.save):
 * tau refuses it by name and says how to trust it, nothing runs; with --trust-script it trains, and the file's
 * program really ran.
 */
void TestCliTrain::aTorchScriptProgramRunsOnlyWhenTrusted()
{
    QTemporaryDir dir;
    const QString script = dir.filePath("saver.pt"), marker = dir.filePath("written_by_the_script");
    const auto made = tau::test::runReferenceScript("make_hostile_files.py", {"script", "saver", script, marker});
    QVERIFY2(made.exitCode == 0, made.standardError.constData());
    const QStringList train = {"train", "posthoc_tau_fashion_mnist", "--runs-dir", dir.filePath("runs"), "--set",
                               "num_epochs=1", "dataset.train_subset=64", "optimizer.batch_size=32",
                               "model.encoder_checkpoint=", "model.encoder_torchscript=" + script};
    const auto refused = tau::test::runProcess(TAU_CLI_PATH, train);
    QCOMPARE(refused.exitCode, 1);
    QVERIFY2(refused.standardError.contains(script.toUtf8() + ": a TorchScript file is a program") &&
                 refused.standardError.contains("calls aten::save") && refused.standardError.contains("--trust-script"),
             refused.standardError.constData());
    QVERIFY(!QFile::exists(marker));

    const auto trusted = tau::test::runProcess(TAU_CLI_PATH, QStringList(train) << "--trust-script");
    QVERIFY2(trusted.exitCode == 0, trusted.standardError.constData());
    QVERIFY(QFile::exists(marker));
    const auto help = tau::test::runProcess(TAU_CLI_PATH, {"ood", "--help"});
    QVERIFY(help.standardOutput.contains("--trust-script"));
}

/**
 * Names in a run's files are text, never markup or paths: a run folder written by hand whose ranking has class names
 * holding markup and "../", and whose OOD evaluation names its sets "<img ...>" and "../../outside", reports with
 * every such string escaped (tables, captions, the ROC figure's inline SVG) and no file outside the run.
 */
void TestCliTrain::aReportShowsNamesFromFilesAsText()
{
    QTemporaryDir dir;
    const QString run = dir.filePath("run");
    QVERIFY(QDir().mkpath(run + "/eval/rank") && QDir().mkpath(run + "/eval/ood"));
    QVERIFY(QFile::copy(tau::test::dataPath("configs/tiny.yaml"), run + "/config.yaml"));
    QImage grid(8, 8, QImage::Format_Grayscale8);
    grid.fill(128);
    QVERIFY(grid.save(run + "/eval/rank/most_certain.png") && grid.save(run + "/eval/rank/least_certain.png"));
    const QByteArray markup = "<b onclick=alert(1)>bold</b>", climbing = "../../up & away";
    tau::test::writeFile(run + "/eval/rank/rankings.csv", "class,class_name,kind,rank,index,r,c\n"
                                                          "0,\"" + markup + "\",most,1,3,0.5,0.6\n0,\"" + markup + "\",least,1,4,-1,0.2\n"
                                                          "1," + climbing + ",most,1,5,0.1,0.5\n");
    const QByteArray image = "<img src=x onerror=alert(2)>", outside = "../../outside";
    const QByteArray record = R"({"auroc": 0.75, "fpr95": 0.5, "fpr95_ood_positive": 0.6, "aupr_in": 0.7, "aupr_out": 0.8})";
    tau::test::writeFile(run + "/eval/ood/metrics.json",
                         R"({"in_dataset": "<i>fashion</i>", "warnings": ["<script>alert(3)</script>"], "results": {")" +
                             image + R"(": {"tau": )" + record + R"(}, ")" + outside + R"(": {"tau": )" + record + "}}}");
    for (const QByteArray& set : {image, outside}) {
        const QString roc = run + "/eval/ood/" + QString::fromStdString(tau::core::rocFileName(set.toStdString(), "tau"));
        QVERIFY2(QFileInfo(roc).absolutePath() == QDir(run + "/eval/ood").absolutePath(), qPrintable(roc));
        tau::test::writeFile(roc, "fpr,tpr,threshold\n0,0,inf\n0.2,0.7,1\n1,1,0\n");
    }
    const QStringList before = QDir(dir.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot);

    const auto report = tau::test::runProcess(TAU_CLI_PATH, {"report", run}, 300000);
    QVERIFY2(report.exitCode == 0, report.standardError.constData());
    const QString html = QString::fromUtf8(tau::test::readFile(run + "/report.html"));
    for (const QByteArray& raw : {markup, image, QByteArray("<script"), QByteArray("<i>fashion")}) {
        QVERIFY2(!html.contains(QString::fromUtf8(raw)), raw.constData());
    }
    for (const QString& shown : {QString("Rows from the top: &lt;b onclick=alert(1)&gt;bold&lt;/b&gt;, ../../up &amp; away."),
                                 QString("&lt;img src=x onerror=alert(2)&gt;"), QString("&lt;script&gt;alert(3)&lt;/script&gt;"),
                                 QString("&lt;i&gt;fashion&lt;/i&gt;"), QString("<td>../../outside</td>")}) {
        QVERIFY2(html.contains(shown), qPrintable(shown));
    }
    QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot), before);
}

QTEST_GUILESS_MAIN(TestCliTrain)
#include "tst_cli_train.moc"
