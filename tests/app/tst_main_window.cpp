#include "app/config/config_form.h"
#include "app/mainwindow/main_window.h"
#include "app/mainwindow/training_controller.h"
#include "app/models/runs_model.h"
#include "app/mainwindow/recent_files.h"
#include "app/pages/runs_dock.h"
#include "app/pages/train_page.h"
#include "core/config/config_loader.h"
#include "core/config/presets.h"
#include "core/io/metrics_reader.h"
#include "tests/support/test_support.h"
#include "widgets/plots/distribution_plot.h"
#include "widgets/plots/qcp.h"
#include "widgets/plots/run_comparison_plot.h"
#include "widgets/plots/scalar_plot.h"
#include "widgets/plots/training_curve_plot.h"

#include <QAction>
#include <QItemSelectionModel>
#include <QStandardPaths>
#include <QTableView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSpinBox>
#include <QStatusBar>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QCheckBox>
#include <QComboBox>
#include <QMenu>
#include <QSettings>
#include <QTabWidget>
#include <QTextBrowser>
#include <QtTest>

using tau::app::MainWindow;

class TestMainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void trainFillsTheLiveCurves();
    void outlierExposureShowsTheOutliersCertainty();
    void stopEndsTrainingEarly();
    void badConfigShowsTheErrorInsteadOfTraining();
    void missingDatasetIsReportedNotFatal();
    void liveValidationMarksTheLine();
    void formAndTextStayInSync();
    void anOpenedRunIsWhatTrainRuns();
    void pauseHoldsTrainingAndResumeContinues();
    void finishedRunsShowInTheRunsPanelAndOverlay();
    void desktopHabits();
    void exportStartsAtThePlotTurnedTo();
    void aTorchScriptEncoderRunsOnlyOnceTrusted();

private:
    QAction* action(MainWindow& window, const char* name) const;
    void openTinyConfig(MainWindow& window, const QByteArray& extra = {});

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_previousDir;
};

void TestMainWindow::initTestCase()
{
    // Keep the tests' recent files and window state out of the user's settings.
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("TaU Explorer tests"));
}

void TestMainWindow::init()
{
    // Runs go to runs/ under the working directory: keep them in a temporary one.
    m_dir = std::make_unique<QTemporaryDir>();
    m_previousDir = QDir::currentPath();
    QDir::setCurrent(m_dir->path());
}

void TestMainWindow::cleanup()
{
    QDir::setCurrent(m_previousDir);
    m_dir.reset();
}

QAction* TestMainWindow::action(MainWindow& window, const char* name) const
{
    auto* found = window.findChild<QAction*>(QString::fromLatin1(name));
    return found;
}

void TestMainWindow::openTinyConfig(MainWindow& window, const QByteArray& extra)
{
    // `extra` holds "key: value" lines that replace the tiny config's top-level keys of the same name.
    QByteArray text = tau::test::readFile(tau::test::dataPath("configs/tiny.yaml"));
    for (const QByteArray& line : extra.split('\n')) {
        const int colon = line.indexOf(':');
        if (colon <= 0) {
            continue;
        }
        const QByteArray key = line.left(colon + 1);
        QList<QByteArray> lines = text.split('\n');
        bool replaced = false;
        for (QByteArray& existing : lines) {
            if (existing.startsWith(key)) {
                existing = line;
                replaced = true;
            }
        }
        text = lines.join('\n');
        if (!replaced) {
            text += line + '\n';
        }
    }
    const QString path = m_dir->filePath("tiny.yaml");
    QVERIFY(tau::test::writeFile(path, text));
    QVERIFY(window.openConfig(path));
}

void TestMainWindow::trainFillsTheLiveCurves()
{
    MainWindow window;
    window.show();
    openTinyConfig(window);
    QSignalSpy ended(&window, &MainWindow::trainingEnded);
    QAction* train = action(window, "trainAction");
    QVERIFY(train != nullptr && train->isEnabled());
    train->trigger();
    QVERIFY(window.isTraining());
    QVERIFY(!train->isEnabled());
    QVERIFY(action(window, "stopAction")->isEnabled());

    // The loss plot receives points while training runs on its own thread.
    QTRY_VERIFY_WITH_TIMEOUT(window.trainingCurves()->stepPointCount() > 0, 120000);
    QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 1, 300000);
    QCOMPARE(ended.first().at(0).toBool(), false);            // not cancelled
    QCOMPARE(ended.first().at(1).toString(), QString());      // no error
    QCOMPARE(window.trainingCurves()->stepPointCount(), 16);  // 2 epochs of 8 steps
    QCOMPARE(window.trainingCurves()->epochPointCount(), 2);
    QCOMPARE(window.certaintyPlot()->epochCount(), 2);
    QCOMPARE(window.rawPlot()->epochCount(), 2);
    QCOMPARE(window.temperaturePlot()->epochCount(), 2);
    // The temperature view is t / c: its median band is t over the certainty's median, epoch by epoch.
    const QVector<double> certainty = window.certaintyPlot()->medianBand();
    const QVector<double> temperature = window.temperaturePlot()->medianBand();
    QCOMPARE(temperature.size(), 2);
    for (int i = 0; i < 2; ++i) {
        QVERIFY(std::abs(temperature[i] - 0.1 / certainty[i]) < 1e-12);
    }
    QVERIFY(train->isEnabled());
    QVERIFY(QFile::exists(m_dir->filePath("runs/tiny/checkpoints/last.pt")));
}

/** A run with outlier exposure: the live c plot draws the outliers' c beside the training images', as recorded. */
void TestMainWindow::outlierExposureShowsTheOutliersCertainty()
{
    MainWindow window;
    openTinyConfig(window, "system: tau_simclr_oe\nexp_name: exposed\nnum_epochs: 1\n");
    QSignalSpy ended(&window, &MainWindow::trainingEnded);
    action(window, "trainAction")->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 1, 300000);
    QCOMPARE(ended.first().at(1).toString(), QString());
    tau::widgets::DistributionPlot* certainty = window.certaintyPlot();
    certainty->redraw();
    const auto history = tau::core::readMetricsFile(m_dir->filePath("runs/exposed/metrics.jsonl").toStdString());
    QCOMPARE(history.epochs.size(), size_t(1));
    QVERIFY(history.epochs.front().hasOutliers);
    QCOMPARE(certainty->comparisonMedian(), QVector<double>{history.epochs.front().outlierCertaintyPercentiles.p50});
    QVERIFY(certainty->histogramPlot()->legend->visible());
    QCOMPARE(certainty->histogramPlot()->legend->itemCount(), 2);
}

void TestMainWindow::stopEndsTrainingEarly()
{
    MainWindow window;
    openTinyConfig(window, "num_epochs: 100\n");
    QSignalSpy ended(&window, &MainWindow::trainingEnded);
    action(window, "trainAction")->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(window.trainingCurves()->stepPointCount() >= 2, 120000);
    action(window, "stopAction")->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 1, 60000);
    QCOMPARE(ended.first().at(0).toBool(), true);
    QVERIFY(!window.isTraining());
    QVERIFY(window.trainingCurves()->stepPointCount() < 800);
    QVERIFY(QFile::exists(m_dir->filePath("runs/tiny/checkpoints/last.pt")));
}

void TestMainWindow::badConfigShowsTheErrorInsteadOfTraining()
{
    MainWindow window;
    openTinyConfig(window);
    auto* editor = window.findChild<QPlainTextEdit*>("configEditor");
    QVERIFY(editor != nullptr);
    editor->setPlainText("exp_name: broken\noptimizer:\n  batch_size: -3\n");
    action(window, "trainAction")->trigger();
    QVERIFY(!window.isTraining());
    const QString error = window.configErrorText();
    QVERIFY2(error.contains("tiny.yaml:3: optimizer.batch_size: expected an integer >= 2"), qPrintable(error));
    // The cursor jumps to the offending line.
    QCOMPARE(editor->textCursor().blockNumber(), 2);
}

void TestMainWindow::missingDatasetIsReportedNotFatal()
{
    MainWindow window;
    openTinyConfig(window);
    auto* editor = window.findChild<QPlainTextEdit*>("configEditor");
    editor->setPlainText("exp_name: nodata\ndataset:\n  root: /nonexistent\n");
    QSignalSpy ended(&window, &MainWindow::trainingEnded);
    action(window, "trainAction")->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 1, 60000);
    const QString error = ended.first().at(1).toString();
    QVERIFY2(error.contains("/nonexistent/train-images-idx3-ubyte.gz: file not found"), qPrintable(error));
    QVERIFY(window.configErrorText().contains("Training failed"));
    QVERIFY(action(window, "trainAction")->isEnabled());
}

void TestMainWindow::liveValidationMarksTheLine()
{
    MainWindow window;
    openTinyConfig(window);
    QVERIFY(window.configErrorText().isEmpty());
    auto* editor = window.findChild<QPlainTextEdit*>("configEditor");
    editor->setPlainText("exp_name: x\nloss:\n  t: hot\n");
    // Validation follows the typing after a short pause; no Train press needed.
    QTRY_VERIFY_WITH_TIMEOUT(window.configErrorText().contains(":3: loss.t: expected a number, got 'hot'"), 5000);
    QCOMPARE(editor->extraSelections().size(), 1);
    QCOMPARE(editor->extraSelections().first().cursor.blockNumber(), 2);
    editor->setPlainText("exp_name: x\nloss:\n  t: 0.2\n");
    QTRY_VERIFY_WITH_TIMEOUT(window.configErrorText().isEmpty(), 5000);
    QVERIFY(editor->extraSelections().isEmpty());
}

void TestMainWindow::formAndTextStayInSync()
{
    MainWindow window;
    openTinyConfig(window);
    auto* editor = window.findChild<QPlainTextEdit*>("configEditor");
    auto* batch = window.findChild<QSpinBox*>("optimizer.batch_size");
    auto* epochs = window.findChild<QSpinBox*>("num_epochs");
    QVERIFY(batch != nullptr && epochs != nullptr);
    QCOMPARE(batch->value(), 32); // from the text
    // Form to text: only that value changes; the comment at the top stays.
    batch->setValue(48);
    QVERIFY(editor->toPlainText().contains("  batch_size: 48\n"));
    QVERIFY(editor->toPlainText().startsWith("# A few seconds of TaU-SimCLR"));
    // Text to form.
    editor->setPlainText(editor->toPlainText().replace("num_epochs: 2", "num_epochs: 5"));
    QTRY_COMPARE_WITH_TIMEOUT(epochs->value(), 5, 5000);
    // A form change is one undo step in the editor.
    epochs->setValue(9);
    QVERIFY(editor->toPlainText().contains("num_epochs: 9"));
    editor->undo();
    QVERIFY(editor->toPlainText().contains("num_epochs: 5"));
}

// After opening a run, the Train page shows that run's config, and Train runs exactly what is shown.
void TestMainWindow::anOpenedRunIsWhatTrainRuns()
{
    const QString run = m_dir->filePath("runs/earlier");
    QVERIFY(QDir().mkpath(run));
    QByteArray text = tau::test::readFile(tau::test::dataPath("configs/tiny.yaml"));
    text.replace("num_epochs: 2", "num_epochs: 1").replace("exp_name: tiny", "exp_name: again").replace("batch_size: 32", "batch_size: 64");
    QVERIFY(tau::test::writeFile(run + "/config.yaml", text)); // a run as tau train leaves it, before a checkpoint
    MainWindow window;
    window.show();
    window.openCheckpoint(run);
    auto* editor = window.findChild<QPlainTextEdit*>("configEditor");
    QCOMPARE(editor->toPlainText().toUtf8(), text);
    QTRY_COMPARE_WITH_TIMEOUT(window.findChild<QSpinBox*>("num_epochs")->value(), 1, 5000);
    QCOMPARE(window.findChild<QSpinBox*>("optimizer.batch_size")->value(), 64);
    const QString shown = editor->toPlainText();

    QSignalSpy ended(&window, &MainWindow::trainingEnded);
    action(window, "trainAction")->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 1, 300000);
    QCOMPARE(ended.first().at(1).toString(), QString());
    const tau::core::ExperimentConfig started = tau::core::loadConfigFile(m_dir->filePath("runs/again/config.yaml").toStdString());
    const tau::core::ExperimentConfig displayed = tau::core::loadConfigText(shown.toStdString(), "shown");
    QCOMPARE(QString::fromStdString(tau::core::toYaml(started)), QString::fromStdString(tau::core::toYaml(displayed)));
    QCOMPARE(QString::fromUtf8(tau::test::readFile(run + "/config.yaml")), QString::fromUtf8(text)); // the run untouched

    // An empty editor never trains every default: Train refuses and says why.
    editor->clear();
    action(window, "trainAction")->trigger();
    QVERIFY(!window.isTraining());
    QVERIFY2(window.configErrorText().contains("empty"), qPrintable(window.configErrorText()));
}

void TestMainWindow::pauseHoldsTrainingAndResumeContinues()
{
    MainWindow window;
    openTinyConfig(window, "num_epochs: 100\n");
    QSignalSpy ended(&window, &MainWindow::trainingEnded);
    action(window, "trainAction")->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(window.trainingCurves()->stepPointCount() >= 1, 120000);
    action(window, "pauseAction")->trigger();
    QVERIFY(window.isPaused());
    QTest::qWait(1500); // the step in flight finishes, then nothing more
    const int held = window.trainingCurves()->stepPointCount();
    QTest::qWait(1500);
    QCOMPARE(window.trainingCurves()->stepPointCount(), held);
    // A second run is refused while this one lives.
    window.startTraining();
    QVERIFY(window.statusBar()->findChildren<QLabel*>().first()->text().contains("one run at a time"));
    action(window, "pauseAction")->trigger();
    QVERIFY(!window.isPaused());
    QTRY_VERIFY_WITH_TIMEOUT(window.trainingCurves()->stepPointCount() > held, 60000);
    action(window, "pauseAction")->trigger(); // stop works from a pause too
    action(window, "stopAction")->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 1, 60000);
    QCOMPARE(ended.first().at(0).toBool(), true);
}

void TestMainWindow::finishedRunsShowInTheRunsPanelAndOverlay()
{
    MainWindow window;
    for (const char* name : {"first", "second"}) {
        openTinyConfig(window, QByteArray("exp_name: ") + name + "\nnum_epochs: 1\n");
        QSignalSpy ended(&window, &MainWindow::trainingEnded);
        action(window, "trainAction")->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 1, 120000);
    }
    tau::app::RunsModel* runs = window.runsModel();
    QCOMPARE(runs->rowCount(), 2);
    QCOMPARE(runs->data(runs->index(0, tau::app::RunsModel::State)).toString(), QStringLiteral("finished"));
    // Selecting the two runs: the first one's curves from its metrics.jsonl, the second as an overlay.
    window.trainingCurves()->clear();
    QItemSelectionModel* selection = window.runsView()->selectionModel();
    const QAbstractItemModel* shown = window.runsView()->model(); // sorted by run name
    selection->select(shown->index(0, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
    selection->select(shown->index(1, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
    QCOMPARE(window.trainingCurves()->stepPointCount(), 8); // step_every 1, 8 steps
    QCOMPARE(window.trainingCurves()->epochPointCount(), 1);
    QCOMPARE(window.trainingCurves()->overlayCount(), 1);
    QCOMPARE(window.certaintyPlot()->epochCount(), 1);
    // The two runs differ only in their names: with Group seeds (on) they are one band; off, the second overlays.
    QCOMPARE(window.trainingCurves()->bandCount(), 1);
    auto* groupSeeds = window.findChild<QCheckBox*>("groupSeeds");
    QVERIFY(groupSeeds != nullptr);
    groupSeeds->setChecked(false);
    QCOMPARE(window.trainingCurves()->bandCount(), 0);
    QCOMPARE(window.trainingCurves()->overlayCount(), 1);
    // By epoch: the 8 steps of the one epoch end at x = 1.
    auto* axis = window.findChild<QComboBox*>("xAxis");
    QVERIFY(axis != nullptr);
    axis->setCurrentIndex(1);
    window.trainingCurves()->replotIfChanged();
    QCOMPARE(window.trainingCurves()->plot()->graph(0)->data()->at(7)->key, 1.0);
    QCOMPARE(window.trainingCurves()->plot()->xAxis->label(), QStringLiteral("epoch"));
    axis->setCurrentIndex(2); // images seen: 8 steps of batch 32
    QCOMPARE(window.trainingCurves()->plot()->graph(0)->data()->at(7)->key, 256.0);
    // Wall time: minutes since the run's first record, from each record's wall_time.
    axis->setCurrentIndex(3);
    window.trainingCurves()->replotIfChanged();
    const auto* steps = window.trainingCurves()->plot()->graph(0)->data().data();
    QCOMPARE(steps->size(), 8);
    QCOMPARE(steps->at(0)->key, 0.0);
    for (int i = 1; i < steps->size(); ++i) {
        QVERIFY(steps->at(i)->key >= steps->at(i - 1)->key);
    }
    QVERIFY2(steps->at(7)->key > 0 && steps->at(7)->key < 10.0, qPrintable(QString::number(steps->at(7)->key)));
    QCOMPARE(window.trainingCurves()->plot()->xAxis->label(), QStringLiteral("wall time (minutes)"));
    axis->setCurrentIndex(0);

    // Compare runs: any recorded series of every selected run; with Group seeds, runs alike but for the seed as a band.
    auto* compared = window.findChild<tau::widgets::RunComparisonPlot*>("comparisonPlot");
    QVERIFY(compared != nullptr);
    for (const char* series : {"loss (step)", "learning rate", "loss (epoch mean)", "c median", "c p95"}) {
        QVERIFY2(compared->names().contains(series), qPrintable(compared->names().join(", ")));
    }
    compared->showSeries("c median");
    QCOMPARE(compared->curveCount(), 2); // Group seeds is off: one curve per run
    QCOMPARE(compared->bandCount(), 0);
    std::vector<double> medians;
    auto* dock = window.findChild<tau::app::RunsDock*>("runsDock");
    QVERIFY(dock != nullptr);
    for (const QString& run : dock->selectedRuns()) {
        const auto history = tau::core::readMetricsFile((run + "/metrics.jsonl").toStdString());
        medians.push_back(history.epochs.front().certaintyPercentiles.p50);
    }
    QCOMPARE(medians.size(), size_t(2));
    const auto* firstCurve = compared->plot()->graph(0)->data().data();
    QCOMPARE(firstCurve->size(), 1);
    QCOMPARE(firstCurve->at(0)->key, 8.0); // the epoch ended at step 8
    QVERIFY(firstCurve->at(0)->value == medians[0] || firstCurve->at(0)->value == medians[1]);
    groupSeeds->setChecked(true);
    QCOMPARE(compared->shownName(), QStringLiteral("c median")); // the choice stays
    QCOMPARE(compared->curveCount(), 1);
    QCOMPARE(compared->bandCount(), 1);
    const double mean = (medians[0] + medians[1]) / 2;
    QCOMPARE(compared->plot()->graph(2)->data()->at(0)->value, mean); // after the band's two edges
    const double spread = std::abs(medians[0] - medians[1]) / std::sqrt(2.0); // sample std of two values
    QVERIFY(std::abs(compared->plot()->graph(1)->data()->at(0)->value - (mean + spread)) < 1e-12);
}

/**
 * Export -> Figure on the Train page starts at the plot the user turned to: the lower tab last switched to or the
 * plot last clicked, the training curves before either.
 */
void TestMainWindow::exportStartsAtThePlotTurnedTo()
{
    tau::app::MainWindow window;
    auto* page = window.findChild<tau::app::TrainPage*>("trainPage");
    QVERIFY(page != nullptr);
    const auto startsAt = [page] { return page->figures()[page->currentFigureIndex()].name; };
    QCOMPARE(startsAt(), QStringLiteral("Training curves"));

    auto* scalars = window.findChild<tau::widgets::ScalarPlot*>("scalarPlot");
    QTabWidget* lowerTabs = nullptr;
    for (auto* tabs : window.findChildren<QTabWidget*>()) {
        lowerTabs = tabs->indexOf(scalars) >= 0 ? tabs : lowerTabs;
    }
    QVERIFY(lowerTabs != nullptr);
    lowerTabs->setCurrentWidget(scalars);
    QCOMPARE(startsAt(), QStringLiteral("Scalars"));
    lowerTabs->setCurrentIndex(2);
    QCOMPARE(startsAt(), QStringLiteral("Raw r histogram"));

    QTest::mouseClick(window.findChild<tau::widgets::TrainingCurvePlot*>("trainingCurves")->plot(), Qt::LeftButton);
    QCOMPARE(startsAt(), QStringLiteral("Training curves"));
    QTest::mouseClick(window.findChild<tau::widgets::DistributionPlot*>("rawPlot")->evolutionPlot(), Qt::LeftButton);
    QCOMPARE(startsAt(), QStringLiteral("Raw r by epoch"));
}

/**
 * Recent files hold configs and run folders and drop what vanished; the runs folder opened is remembered; the View
 * menu brings the Runs panel back; F1 shows the README's explorer section; a preset opens as a new, unsaved config.
 */
void TestMainWindow::desktopHabits()
{
    QSettings().remove("recentFiles");
    const QString runs = m_dir->filePath("elsewhere");
    QVERIFY(QDir().mkpath(runs + "/a_run"));
    QVERIFY(tau::test::writeFile(runs + "/a_run/config.yaml", "exp_name: a_run\n"));
    {
        MainWindow window;
        openTinyConfig(window);
        window.openRunsFolder(runs);
        QCOMPARE(window.runsModel()->rowCount(), 1);
        const QStringList recent = QSettings().value("recentFiles").toStringList();
        QVERIFY2(recent.contains(m_dir->filePath("tiny.yaml")), qPrintable(recent.join(", ")));

        // The Runs panel, hidden, comes back from the View menu and with Reset Layout.
        auto* dock = window.findChild<tau::app::RunsDock*>("runsDock");
        dock->hide();
        QVERIFY(dock->isHidden());
        action(window, "resetLayoutAction")->trigger();
        QVERIFY(!dock->isHidden());
        QVERIFY(action(window, "showRunsAction") != nullptr);

        // F1: the README's explorer section.
        QCOMPARE(action(window, "helpAction")->shortcut(), QKeySequence(QKeySequence::HelpContents));
        action(window, "helpAction")->trigger();
        auto* help = window.findChild<QTextBrowser*>("helpText");
        QVERIFY(help != nullptr);
        QVERIFY2(help->toPlainText().startsWith("The explorer") && help->toPlainText().contains("Group seeds"),
                 qPrintable(help->toPlainText().left(200)));

        // A preset starts an unsaved config: Save would ask where, the shipped file is never written.
        const auto preset = tau::core::findPreset("tau_simclr_fashion_mnist", tau::core::presetDirectories());
        QVERIFY(preset.has_value());
        QVERIFY(window.openPreset(QString::fromStdString(*preset)));
        QVERIFY(window.windowTitle().contains("untitled"));
    }
    {
        MainWindow window; // the next start shows the runs folder opened last
        QCOMPARE(window.findChild<tau::app::RunsDock*>("runsDock")->runsRoot(), runs);
    }
    // Run folders are recent entries too, named as such; entries that vanished are dropped; Clear empties the list.
    QMenu menu;
    tau::app::RecentFiles recent(&menu);
    recent.add(runs + "/a_run");
    QVERIFY(menu.actions().front()->text().endsWith("(run)"));
    QVERIFY(QFile::remove(m_dir->filePath("tiny.yaml")));
    QVERIFY(!recent.entries().contains(m_dir->filePath("tiny.yaml")));
    QVERIFY(recent.entries().contains(runs + "/a_run"));
    recent.clear();
    QVERIFY(recent.entries().isEmpty());
    QSettings().remove("runsFolder");
}

/**
 * Post-hoc TaU on a TorchScript encoder chosen in the form, which writes a file from its forward: Train is refused,
 * the user is asked (here by a stand-in for the dialog) with the file and what it does, and nothing ran; answered
 * yes, it trains, and the program really ran.
 */
void TestMainWindow::aTorchScriptEncoderRunsOnlyOnceTrusted()
{
    const QString script = m_dir->filePath("saver.pt"), marker = m_dir->filePath("written_by_the_script");
    const auto made = tau::test::runReferenceScript("make_hostile_files.py", {"script", "saver", script, marker});
    QVERIFY2(made.exitCode == 0, made.standardError.constData());
    MainWindow window;
    openTinyConfig(window, "system: posthoc_tau\nexp_name: posthoc\nnum_epochs: 1\n");
    auto* form = window.findChild<tau::app::ConfigForm*>("configForm");
    QVERIFY(form != nullptr && form->useFrozenEncoder(script));
    auto* editor = window.findChild<QPlainTextEdit*>("configEditor");
    QVERIFY2(editor->toPlainText().contains("encoder_torchscript: \"" + script + "\""), qPrintable(editor->toPlainText()));
    QTRY_COMPARE_WITH_TIMEOUT(window.findChild<QLineEdit*>("frozenEncoder")->text(), script, 5000);

    QStringList asked;
    bool answer = false;
    window.training()->setTrustQuestion([&](const QString& path, const QStringList& reasons) {
        asked << path + ": " + reasons.join("; ");
        return answer;
    });
    QSignalSpy ended(&window, &MainWindow::trainingEnded);
    action(window, "trainAction")->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 1, 120000);
    QVERIFY2(ended.first().at(1).toString().contains("a TorchScript file is a program"), qPrintable(ended.first().at(1).toString()));
    QCOMPARE(asked.size(), 1);
    QVERIFY2(asked.first().startsWith(script + ": calls aten::save"), qPrintable(asked.first()));
    QVERIFY(!QFile::exists(marker));
    QVERIFY(!QFile::exists(m_dir->filePath("runs/posthoc"))); // a refused run leaves no folder behind

    answer = true;
    action(window, "trainAction")->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(ended.size(), 2, 300000);
    QCOMPARE(ended.last().at(1).toString(), QString());
    QCOMPARE(asked.size(), 2);
    QVERIFY(QFile::exists(marker));
    QVERIFY(QFile::exists(m_dir->filePath("runs/posthoc/checkpoints/last.pt")));
}

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
