// The Analyse page end to end, offscreen: open a tiny trained checkpoint, browse by certainty, click through
// the embedding, add an OOD set, evaluate OOD against a second run, export the ROC figure and the table.
#include "app/mainwindow/analysis_panel.h"
#include "app/mainwindow/main_window.h"
#include "core/common/cancellation.h"
#include "core/config/config_loader.h"
#include "core/training/trainer.h"
#include "tests/support/test_support.h"
#include "widgets/browser/certainty_browser.h"
#include "widgets/browser/certainty_models.h"
#include "widgets/plots/embedding_plot.h"
#include "widgets/plots/qcp.h"
#include "widgets/plots/roc_plot.h"
#include "widgets/tables/metrics_table_model.h"

#include <QFrame>
#include <QJsonDocument>
#include <QJsonObject>
#include <QListWidget>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest>

using namespace tau;

namespace {

struct Quiet : core::TrainingObserver
{
};

QString trainTiny(const QString& runsRoot, const std::string& name, int seed)
{
    core::ConfigLoadOptions options;
    options.overrides = {"exp_name=" + name, "seed=" + std::to_string(seed)};
    core::ExperimentConfig config =
        core::loadConfigFile(tau::test::dataPath("configs/tiny.yaml").toStdString(), options);
    config.runsDir = runsRoot.toStdString();
    Quiet quiet;
    core::CancellationToken cancel;
    return QString::fromStdString(core::train(config, quiet, cancel).runDirectory);
}

} // namespace

class TestAnalysisPanel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void opensACheckpointAndBrowsesByCertainty();
    void aBadCheckpointIsReportedNotFatal();
    void aTorchScriptEncoderRunsOnlyOnceTrusted();
    void cancelStopsTsne();

private:
    QTemporaryDir m_runs;
    QString m_runA;
    QString m_runB;
};

void TestAnalysisPanel::initTestCase()
{
    QVERIFY(m_runs.isValid());
    m_runA = trainTiny(m_runs.path(), "tiny_a", 7);
    m_runB = trainTiny(m_runs.path(), "tiny_b", 8);
    QVERIFY(QFileInfo::exists(m_runA + "/checkpoints/last.pt"));
}

void TestAnalysisPanel::opensACheckpointAndBrowsesByCertainty()
{
    app::MainWindow window;
    window.show();
    app::AnalysisPanel* panel = window.analysisPanel();
    panel->setRunsRoot(m_runs.path());
    QSignalSpy scanned(panel, &app::AnalysisPanel::setScanned);
    QVERIFY(window.openCheckpoint(m_runA + "/checkpoints/last.pt"));
    QVERIFY(panel->busy());
    QVERIFY(scanned.wait(120000));
    QCOMPARE(scanned.takeFirst().at(0).toString(), QStringLiteral("fashion_mnist"));

    // The browser: every test image, the most certain first, a score under each.
    widgets::CertaintyBrowser* browser = panel->browser();
    const widgets::SharedThumbnailSet set = browser->imageSet();
    QCOMPARE(set->count(), 10000);
    QCOMPARE(browser->gridModel()->rowCount(), 10000);
    const double highest = *std::max_element(set->scores.cbegin(), set->scores.cend());
    QCOMPARE(browser->gridModel()->index(0).data(widgets::ScoreRole).toDouble(), highest);
    QCOMPARE(browser->extremesModel()->rowCount(), 10); // a row per Fashion-MNIST class

    // The embedding: PCA at once; a click on a point selects its image in the browser.
    widgets::EmbeddingPlot* embedding = panel->embedding();
    QCOMPARE(embedding->pointCount(), 5000);
    auto* tabs = panel->findChild<QTabWidget*>("analysisTabs");
    tabs->setCurrentIndex(1);
    QCustomPlot* plot = embedding->plot();
    plot->replot();
    QPoint target;
    int expectedImage = -1;
    for (int y = 40; y < plot->height() - 40 && expectedImage < 0; y += 7) {
        for (int x = 60; x < plot->width() - 120 && expectedImage < 0; x += 7) {
            const int point = embedding->pointNear(QPointF(x, y), 2.0);
            if (point >= 0) {
                target = QPoint(x, y);
                expectedImage = embedding->toCsv().split('\n')[point + 1].split(',')[1].toInt();
            }
        }
    }
    QVERIFY(expectedImage >= 0);
    QTest::mouseMove(plot, target);
    QTRY_VERIFY(panel->findChild<QFrame*>("embeddingHover")->isVisible());
    QTest::mouseClick(plot, Qt::LeftButton, {}, target);
    QCOMPARE(tabs->currentIndex(), 0);
    QCOMPARE(browser->selectedImage(), expectedImage);

    // An OOD set: scored by the same model, offered in the browser, drawn in the embedding with its own marker.
    QVERIFY(panel->showSet("gaussian_noise"));
    QVERIFY(scanned.wait(120000));
    QCOMPARE(browser->imageSet()->name, QStringLiteral("gaussian_noise"));
    QVERIFY(browser->imageSet()->outOfDistribution);
    QCOMPARE(embedding->pointCount(), 6000);

    // OOD evaluation of this run and the other one, side by side.
    panel->setOodChoices({"gaussian_noise", "inverted"}, {"tau", "knn"}, 50, 300);
    auto* compare = panel->findChild<QListWidget*>("compareRuns");
    QCOMPARE(compare->count(), 1);
    compare->item(0)->setCheckState(Qt::Checked);
    QSignalSpy evaluated(panel, &app::AnalysisPanel::oodEvaluated);
    QVERIFY(panel->runOod());
    QVERIFY(evaluated.wait(300000));
    const QStringList folders = evaluated.takeFirst().at(0).toStringList();
    QCOMPARE(folders.size(), 2);
    QCOMPARE(panel->metricsModel()->rowCount(), 2 * 2 * 2); // runs x OOD sets x scores
    QVERIFY(panel->metricsModel()->rows().front().auroc.interval.has_value());
    QCOMPARE(panel->rocPlot()->panelCount(), 2);

    // The table shows what scikit-learn computes from the written scores.
    const auto check = tau::test::runReferenceScript("metrics_from_scores_csv.py", {folders[0], "fashion_mnist"});
    QVERIFY2(check.exitCode == 0, check.standardError.constData());
    const QJsonObject sklearn = QJsonDocument::fromJson(check.standardOutput).object();
    int compared = 0;
    for (const widgets::MetricRow& row : panel->metricsModel()->rows()) {
        if (row.run == QStringLiteral("tiny_a")) {
            const double expected = sklearn[row.oodSet].toObject()[row.score].toObject()["auroc"].toDouble();
            QVERIFY2(std::abs(row.auroc.value - expected) < 1e-9, qPrintable(row.oodSet + " " + row.score));
            ++compared;
        }
    }
    QCOMPARE(compared, 4);

    // The browser's c is the tau score tau ood wrote for the same images (two code paths, one model).
    QFile scores(folders[0] + "/scores.csv");
    QVERIFY(scores.open(QIODevice::ReadOnly | QIODevice::Text));
    const QStringList header = QString::fromUtf8(scores.readLine()).trimmed().split(',');
    const int tauColumn = int(header.indexOf("tau"));
    QVector<double> browserScores;
    panel->showSet("fashion_mnist");
    browserScores = panel->browser()->imageSet()->scores;
    std::sort(browserScores.begin(), browserScores.end());
    int checkedScores = 0;
    while (!scores.atEnd()) {
        const QStringList fields = QString::fromUtf8(scores.readLine()).trimmed().split(',');
        if (fields[0] != "fashion_mnist") {
            continue;
        }
        const double c = fields[tauColumn].toDouble();
        const auto nearest = std::lower_bound(browserScores.cbegin(), browserScores.cend(), c - 1e-6);
        QVERIFY2(nearest != browserScores.cend() && std::abs(*nearest - c) < 1e-6, qPrintable(QString::number(c, 'g', 17)));
        ++checkedScores;
    }
    QCOMPARE(checkedScores, 300);

    // Export for papers: the ROC figure as a vector PDF, the table as LaTeX with a run column.
    tabs->setCurrentIndex(2);
    QTemporaryDir out;
    const QString pdf = out.filePath("roc.pdf");
    QCOMPARE(window.exportCurrentFigure(pdf, 0, 300), QString());
    const auto vectors = tau::test::runReferenceScript("pdf_has_vector_paths.py", {pdf});
    QVERIFY2(vectors.exitCode == 0, vectors.standardOutput.constData());
    const QString latex = panel->metricsTable(true);
    QVERIFY2(latex.contains("\\begin{tabular}{lllrrrr}") && latex.contains("tiny\\_b & gaussian\\_noise & knn"),
             qPrintable(latex));
    QVERIFY(latex.contains("{\\scriptsize ["));
    QVERIFY(window.currentFigureCsv().startsWith("ood,series,fpr,tpr\n"));
    QCOMPARE(panel->figures().size(), 3); // embedding, ROC curves, score histograms
}

/**
 * A post-hoc run on a TorchScript encoder that writes a file from its forward, trained by tau with --trust-script
 * (this process has trusted nothing). Opening it is refused and the user is asked, once, with the file and what it
 * does; answered no, nothing ran and nothing is open; answered yes, the same job runs again and the run opens.
 */
void TestAnalysisPanel::aTorchScriptEncoderRunsOnlyOnceTrusted()
{
    QTemporaryDir dir;
    const QString script = dir.filePath("saver.pt"), marker = dir.filePath("written_by_the_script");
    const auto made = tau::test::runReferenceScript("make_hostile_files.py", {"script", "saver", script, marker});
    QVERIFY2(made.exitCode == 0, made.standardError.constData());
    const auto trained = tau::test::runProcess(
        TAU_CLI_PATH, {"train", tau::test::dataPath("configs/tiny.yaml"), "--set", "system=posthoc_tau", "--set",
                       "exp_name=posthoc", "--set", "num_epochs=1", "--set", "model.encoder_torchscript=" + script,
                       "--runs-dir", dir.filePath("runs"), "--trust-script"});
    QVERIFY2(trained.exitCode == 0, trained.standardError.constData());
    QVERIFY(QFile::remove(marker)); // training ran the program; from here on only the explorer may

    app::AnalysisPanel panel;
    QStringList asked;
    bool answer = false;
    panel.setTrustQuestion([&](const QString& path, const QStringList& reasons) {
        asked << path + ": " + reasons.join("; ");
        return answer;
    });
    QSignalSpy failed(&panel, &app::AnalysisPanel::jobFailed);
    QSignalSpy opened(&panel, &app::AnalysisPanel::checkpointOpened);
    QVERIFY(panel.openCheckpoint(dir.filePath("runs/posthoc")));
    QVERIFY(failed.wait(60000));
    QVERIFY2(failed.first().at(0).toString().contains("a TorchScript file is a program"),
             qPrintable(failed.first().at(0).toString()));
    QCOMPARE(asked.size(), 1);
    QVERIFY2(asked.first().startsWith(script + ": calls aten::save"), qPrintable(asked.first()));
    QVERIFY(!QFile::exists(marker));
    QVERIFY(!panel.busy());
    QVERIFY(panel.runDirectory().isEmpty());

    answer = true;
    QVERIFY(panel.openCheckpoint(dir.filePath("runs/posthoc")));
    QVERIFY(opened.wait(120000));
    QCOMPARE(asked.size(), 2);
    QCOMPARE(failed.size(), 1); // the refusal before the answer is not reported as a failure
    QVERIFY(QFile::exists(marker));
    QCOMPARE(QFileInfo(panel.runDirectory()).fileName(), QStringLiteral("posthoc"));
}

void TestAnalysisPanel::aBadCheckpointIsReportedNotFatal()
{
    QTemporaryDir dir;
    QDir(dir.path()).mkpath("run/checkpoints");
    QVERIFY(tau::test::writeFile(dir.filePath("run/checkpoints/last.pt"), "not a checkpoint"));
    QFile::copy(m_runA + "/config.yaml", dir.filePath("run/config.yaml"));
    app::AnalysisPanel panel;
    QSignalSpy failed(&panel, &app::AnalysisPanel::jobFailed);
    QVERIFY(panel.openCheckpoint(dir.filePath("run")));
    QVERIFY(failed.wait(60000));
    QVERIFY2(failed.takeFirst().at(0).toString().contains("last.pt"), "the message names the file");
    QVERIFY(!panel.busy());
    QVERIFY(panel.runDirectory().isEmpty());
}

void TestAnalysisPanel::cancelStopsTsne()
{
    app::AnalysisPanel panel;
    QSignalSpy scanned(&panel, &app::AnalysisPanel::setScanned);
    QVERIFY(panel.openCheckpoint(m_runA));
    QVERIFY(scanned.wait(120000));
    QSignalSpy failed(&panel, &app::AnalysisPanel::statusMessage);
    QSignalSpy projected(&panel, &app::AnalysisPanel::embeddingProjected);
    QVERIFY(panel.computeTsne());
    QTest::qWait(300);
    panel.cancel();
    QTRY_VERIFY_WITH_TIMEOUT(!panel.busy(), 30000);
    QCOMPARE(projected.count(), 0);
    QVERIFY(failed.count() > 0 && failed.last().at(0).toString() == QStringLiteral("Cancelled"));
}

QTEST_MAIN(TestAnalysisPanel)
#include "tst_analysis_panel.moc"
