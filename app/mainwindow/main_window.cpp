#include "app/mainwindow/main_window.h"

#include "app/bridge/core_values.h"
#include "app/config/config_editor.h"
#include "app/export/export_actions.h"
#include "app/mainwindow/analysis_panel.h"
#include "app/mainwindow/help_dialog.h"
#include "app/mainwindow/recent_files.h"
#include "app/pages/runs_dock.h"
#include "app/pages/train_page.h"
#include "app/workers/training_worker.h"
#include "core/common/build_info.h"
#include "core/config/experiment_config.h"
#include "core/io/run_directory.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QSettings>
#include <QStatusBar>
#include <QStyle>
#include <QTabWidget>
#include <QToolBar>

namespace tau::app {

namespace {

constexpr int kProgressResolution = 1000;

} // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent), m_editor(new ConfigEditor)
{
    connect(m_editor, &ConfigEditor::statusMessage, this, [this](const QString& text) { m_statusLabel->setText(text); });
    connect(m_editor, &ConfigEditor::titleChanged, this, &MainWindow::updateWindowTitle);
    buildActions();
    buildLayout();

    m_worker = new TrainingWorker;
    m_worker->moveToThread(&m_workerThread);
    connect(&m_workerThread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &TrainingWorker::started, this, &MainWindow::onStarted);
    connect(m_worker, &TrainingWorker::stepDone, this, &MainWindow::onStep);
    connect(m_worker, &TrainingWorker::epochDone, this, &MainWindow::onEpoch);
    connect(m_worker, &TrainingWorker::message, this, [this](const QString& text) { m_statusLabel->setText(text); });
    connect(m_worker, &TrainingWorker::finished, this, &MainWindow::onFinished);
    m_workerThread.setObjectName(QStringLiteral("training"));
    m_workerThread.start();

    setTraining(false);
    updateWindowTitle();
    resize(1280, 800);
    setAcceptDrops(true);
    m_defaultLayout = saveState(); // View → Reset Layout goes back to this
    restoreSettings();
}

MainWindow::~MainWindow()
{
    // The worker finishes its current step, saves last.pt and returns; then the thread can end.
    m_worker->stop();
    m_workerThread.quit();
    m_workerThread.wait();
}

void MainWindow::buildActions()
{
    QToolBar* toolbar = addToolBar(tr("Main"));
    toolbar->setObjectName(QStringLiteral("mainToolbar"));
    toolbar->setMovable(false);
    toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    QMenu* fileMenu = menuBar()->addMenu(tr("&File"));
    QMenu* viewMenu = menuBar()->addMenu(tr("&View"));
    QMenu* runMenu = menuBar()->addMenu(tr("&Run"));
    QMenu* helpMenu = menuBar()->addMenu(tr("&Help"));

    m_openAction = toolbar->addAction(style()->standardIcon(QStyle::SP_DialogOpenButton), tr("Open…"), m_editor,
                                      &ConfigEditor::openConfigDialog);
    m_openAction->setShortcut(QKeySequence::Open);
    QAction* save = toolbar->addAction(style()->standardIcon(QStyle::SP_DialogSaveButton), tr("Save"), m_editor,
                                       &ConfigEditor::saveConfig);
    save->setShortcut(QKeySequence::Save);
    QAction* saveAs = toolbar->addAction(tr("Save As…"), m_editor, &ConfigEditor::saveConfigAs);
    saveAs->setShortcut(QKeySequence::SaveAs);
    fileMenu->addAction(m_openAction);
    m_recent = new RecentFiles(fileMenu->addMenu(tr("Open &Recent")), this);
    connect(m_recent, &RecentFiles::chosen, this, &MainWindow::openRecent);
    connect(m_editor, &ConfigEditor::fileUsed, m_recent, &RecentFiles::add);
    QAction* openRunsFolder = fileMenu->addAction(tr("Open R&uns Folder…"), this, &MainWindow::chooseRunsFolder);
    openRunsFolder->setObjectName(QStringLiteral("openRunsFolderAction"));
    fileMenu->addAction(save);
    fileMenu->addAction(saveAs);
    fileMenu->addSeparator();
    fileMenu->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    toolbar->addSeparator();
    toolbar->addWidget(m_editor->buildPresetPicker());
    toolbar->addSeparator();

    m_trainAction = toolbar->addAction(style()->standardIcon(QStyle::SP_MediaPlay), tr("Train"), this,
                                       &MainWindow::startTraining);
    m_trainAction->setObjectName(QStringLiteral("trainAction"));
    m_trainAction->setShortcut(Qt::CTRL | Qt::Key_R);
    m_trainAction->setToolTip(tr("Train with the config in the editor (Ctrl+R). One run at a time: stop the "
                                 "current run before starting another."));
    m_pauseAction = toolbar->addAction(style()->standardIcon(QStyle::SP_MediaPause), tr("Pause"), this,
                                       &MainWindow::togglePause);
    m_pauseAction->setObjectName(QStringLiteral("pauseAction"));
    m_pauseAction->setShortcut(Qt::CTRL | Qt::Key_P);
    m_pauseAction->setToolTip(tr("Pause after the current step, or resume (Ctrl+P)"));
    m_stopAction = toolbar->addAction(style()->standardIcon(QStyle::SP_MediaStop), tr("Stop"), this,
                                      &MainWindow::stopTraining);
    m_stopAction->setObjectName(QStringLiteral("stopAction"));
    m_stopAction->setShortcut(Qt::CTRL | Qt::Key_Period);
    m_stopAction->setToolTip(tr("Stop after the current step; checkpoints/last.pt keeps the state (Ctrl+.)"));
    QAction* openCheckpointAction = fileMenu->addAction(tr("Open &Checkpoint…"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open Checkpoint"), m_runs->runsRoot(),
                                                          tr("Checkpoints (*.pt)"));
        if (!path.isEmpty()) {
            openCheckpoint(path);
        }
    });
    openCheckpointAction->setShortcut(Qt::CTRL | Qt::SHIFT | Qt::Key_O);
    fileMenu->insertAction(fileMenu->actions().value(1), openCheckpointAction);
    runMenu->addAction(m_trainAction);
    runMenu->addAction(m_pauseAction);
    runMenu->addAction(m_stopAction);
    QAction* help = helpMenu->addAction(tr("TaU Explorer &Help"), this, &MainWindow::showHelp);
    help->setObjectName(QStringLiteral("helpAction"));
    help->setShortcut(QKeySequence::HelpContents);
    helpMenu->addAction(tr("&About TaU Explorer"), this, &MainWindow::showAbout);
    m_viewMenu = viewMenu;
    m_exports = new ExportActions(
        this, [this](int* current) { return figures(current); },
        [this](bool latex) { return m_analysis->hasMetrics() ? m_analysis->metricsTable(latex) : QString(); });
    connect(m_exports, &ExportActions::wrote, this, [this](const QString& path) { m_statusLabel->setText(tr("Wrote %1").arg(path)); });
    menuBar()->insertMenu(helpMenu->menuAction(), m_exports->buildMenu());
}

void MainWindow::buildLayout()
{
    m_trainPage = new TrainPage(m_editor);
    m_analysis = new AnalysisPanel;
    m_analysis->setObjectName(QStringLiteral("analysisPanel"));
    connect(m_analysis, &AnalysisPanel::statusMessage, this, [this](const QString& text) { m_statusLabel->setText(text); });
    connect(m_analysis, &AnalysisPanel::jobFailed, this, [this](const QString& error) {
        if (isVisible() && QApplication::platformName() != QLatin1String("offscreen")) {
            QMessageBox::warning(this, tr("Analysis"), error);
        }
    });
    m_pages = new QTabWidget;
    m_pages->setObjectName(QStringLiteral("pages"));
    m_pages->setDocumentMode(true);
    m_pages->addTab(m_trainPage, tr("Train"));
    m_pages->addTab(m_analysis, tr("Analyse"));
    setCentralWidget(m_pages);

    m_statusLabel = new QLabel(tr("Ready"));
    m_statusLabel->setTextFormat(Qt::PlainText); // it shows paths and names from files
    m_progress = new QProgressBar;
    m_progress->setRange(0, kProgressResolution);
    m_progress->setMaximumWidth(220);
    m_progress->setTextVisible(true);
    m_etaLabel = new QLabel;
    statusBar()->addWidget(m_statusLabel, 1);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_etaLabel);

    buildRunsDock();
}

void MainWindow::buildRunsDock()
{
    m_runs = new RunsDock(this);
    connect(m_runs, &RunsDock::selectionShouldShow, this, &MainWindow::showSelectedRuns);
    connect(m_runs, &RunsDock::analyseRequested, this, &MainWindow::openCheckpoint);
    addDockWidget(Qt::BottomDockWidgetArea, m_runs);
    resizeDocks({m_runs}, {190}, Qt::Vertical); // the dashboard keeps most of the height; the table shows 5 runs
    const QString remembered = QSettings().value(QStringLiteral("runsFolder")).toString();
    if (!remembered.isEmpty() && QFileInfo(remembered).isDir()) {
        m_runs->setRunsRoot(remembered);
    }
    m_analysis->setRunsRoot(m_runs->runsRoot());
    QAction* showRuns = m_runs->toggleViewAction();
    showRuns->setText(tr("&Runs Panel"));
    showRuns->setObjectName(QStringLiteral("showRunsAction"));
    m_viewMenu->addAction(showRuns);
    m_viewMenu->addSeparator();
    QAction* reset = m_viewMenu->addAction(tr("Reset &Layout"), this, &MainWindow::resetLayout);
    reset->setObjectName(QStringLiteral("resetLayoutAction"));
}

void MainWindow::chooseRunsFolder()
{
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Open Runs Folder"), m_runs->runsRoot());
    if (!folder.isEmpty()) {
        openRunsFolder(folder);
    }
}

void MainWindow::openRunsFolder(const QString& folder)
{
    m_runs->setRunsRoot(folder);
    m_analysis->setRunsRoot(folder);
    QSettings().setValue(QStringLiteral("runsFolder"), QFileInfo(folder).absoluteFilePath());
    m_statusLabel->setText(tr("Runs from %1").arg(folder));
}

void MainWindow::openRecent(const QString& path)
{
    const QFileInfo info(path);
    if (info.isDir() || info.suffix().toLower() == QLatin1String("pt")) {
        openCheckpoint(path);
    } else {
        openConfig(path);
    }
}

void MainWindow::resetLayout()
{
    restoreState(m_defaultLayout);
    m_runs->show();
    resizeDocks({m_runs}, {190}, Qt::Vertical);
}

void MainWindow::showHelp()
{
    auto* dialog = findChild<HelpDialog*>(QStringLiteral("helpDialog"));
    if (dialog == nullptr) {
        dialog = new HelpDialog(this);
    }
    dialog->show();
    dialog->raise();
}

void MainWindow::showSelectedRuns()
{
    if (m_training) {
        return; // the live run owns the dashboard
    }
    const QStringList directories = m_runs->selectedRuns();
    if (!directories.isEmpty()) {
        m_statusLabel->setText(m_trainPage->showRecordedRuns(directories));
    }
}

void MainWindow::validateConfig()
{
    m_editor->validateConfig();
}

void MainWindow::togglePause()
{
    if (!m_training) {
        return;
    }
    m_paused = !m_paused;
    if (m_paused) {
        m_worker->pause();
        m_statusLabel->setText(tr("Paused after the current step (Ctrl+P to resume)"));
    } else {
        m_worker->resume();
        m_statusLabel->setText(tr("Resumed"));
    }
    m_pauseAction->setText(m_paused ? tr("Resume") : tr("Pause"));
    m_pauseAction->setIcon(style()->standardIcon(m_paused ? QStyle::SP_MediaPlay : QStyle::SP_MediaPause));
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("windowState")).toByteArray());
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About TaU Explorer"),
                       tr("<h3>TaU Explorer %1</h3><p>Temperature as Uncertainty for contrastive learning: train, "
                          "watch, evaluate.</p><p>Git revision %2<br>Qt %3<br>LibTorch %4<br>Backends: %5<br>"
                          "Compute: %6</p><p>Free software under the GNU GPL, version 3 or later.</p>")
                           .arg(QString::fromStdString(core::toolVersion()), QString::fromStdString(core::gitRevision()),
                                QString::fromLatin1(qVersion()), QString::fromStdString(core::libtorchVersion()),
                                QString::fromStdString(core::computeBackends()),
                                QString::fromStdString(core::computeDeviceSummary())));
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    for (const QUrl& url : event->mimeData()->urls()) {
        const QString suffix = QFileInfo(url.toLocalFile()).suffix().toLower();
        if (suffix == QLatin1String("yaml") || suffix == QLatin1String("yml") || suffix == QLatin1String("json") ||
            suffix == QLatin1String("pt") || QFileInfo::exists(QString::fromStdString(core::RunPaths{url.toLocalFile().toStdString()}.lastCheckpoint()))) {
            event->acceptProposedAction();
            return;
        }
    }
}

void MainWindow::dropEvent(QDropEvent* event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.isEmpty()) {
        return;
    }
    const QString path = urls.first().toLocalFile();
    if (QFileInfo(path).suffix().toLower() == QLatin1String("pt") || QFileInfo(path).isDir()) {
        openCheckpoint(path); // a checkpoint or a run folder
    } else {
        openConfig(path);
    }
}

bool MainWindow::openConfig(const QString& path)
{
    return m_editor->openConfig(path);
}

bool MainWindow::openPreset(const QString& path)
{
    return m_editor->openPreset(path);
}

QString MainWindow::configErrorText() const
{
    return m_editor->errorText();
}

void MainWindow::startTraining()
{
    if (m_training) {
        m_statusLabel->setText(tr("A run is training: one run at a time. Stop it first (Ctrl+.)."));
        return;
    }
    core::ExperimentConfig config;
    if (!m_editor->resolvedConfig(config)) {
        return;
    }
    m_trainPage->beginRun(config.loss.t, config.optimizer.batchSize);
    m_progress->setValue(0);
    m_etaLabel->clear();
    m_lastStep = 0;
    m_paused = false;
    m_runs->setRunsRoot(QDir::current().absoluteFilePath(QString::fromStdString(config.runsDir)));
    m_analysis->setRunsRoot(m_runs->runsRoot());
    m_runs->clearSelection();
    setTraining(true);
    m_statusLabel->setText(tr("Loading %1 and building the model…").arg(QString::fromStdString(config.dataset.name)));
    TrainingWorker* worker = m_worker;
    QMetaObject::invokeMethod(m_worker, [worker, config] { worker->train(config); }, Qt::QueuedConnection);
}

void MainWindow::stopTraining()
{
    if (!m_training) {
        return;
    }
    m_worker->stop();
    m_stopAction->setEnabled(false);
    m_statusLabel->setText(tr("Stopping after the current step…"));
}

void MainWindow::setTraining(bool training)
{
    m_training = training;
    m_trainAction->setEnabled(!training);
    m_stopAction->setEnabled(training);
    m_pauseAction->setEnabled(training);
    if (!training) {
        m_paused = false;
        m_pauseAction->setText(tr("Pause"));
        m_pauseAction->setIcon(style()->standardIcon(QStyle::SP_MediaPause));
    }
    m_openAction->setEnabled(!training);
    m_editor->setLocked(training);
    m_progress->setVisible(training || m_progress->value() > 0);
}

void MainWindow::updateWindowTitle()
{
    setWindowTitle(tr("%1 — TaU Explorer").arg(m_editor->documentTitle()));
}

void MainWindow::onStarted(const QString& runDirectory, qint64 totalSteps)
{
    m_statusLabel->setText(tr("Training: %1 steps, writing %2").arg(totalSteps).arg(runDirectory));
}

void MainWindow::onStep(const tau::core::StepRecord& record)
{
    m_lastStep = record.step;
    m_trainPage->addStep(record);
    m_progress->setValue(int(kProgressResolution * record.step / std::max<long long>(1, record.totalSteps)));
    m_statusLabel->setText(tr("Epoch %1 · step %2/%3 · loss %4 · %5 img/s")
                               .arg(record.epoch)
                               .arg(record.step)
                               .arg(record.totalSteps)
                               .arg(record.loss, 0, 'f', 4)
                               .arg(record.imagesPerSecond, 0, 'f', 0));
    m_etaLabel->setText(tr("ETA %1").arg(formatEta(record.etaSeconds)));
}

void MainWindow::onEpoch(const tau::core::EpochRecord& record)
{
    m_trainPage->addEpoch(record);
}

void MainWindow::onFinished(bool cancelled, const QString& runDirectory, const QString& error)
{
    setTraining(false);
    m_etaLabel->clear();
    if (!error.isEmpty()) {
        m_editor->showError(tr("Training failed: %1").arg(error), 0);
    } else if (cancelled) {
        m_statusLabel->setText(
            tr("Stopped after step %1; %2/checkpoints/last.pt holds that state").arg(m_lastStep).arg(runDirectory));
    } else {
        m_progress->setValue(kProgressResolution);
        m_statusLabel->setText(tr("Finished: results in %1").arg(runDirectory));
    }
    m_runs->refresh();
    Q_EMIT trainingEnded(cancelled, error);
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (m_editor->hasUnsavedChanges()) {
        const auto answer = QMessageBox::question(this, tr("Unsaved config"),
                                                  tr("The config has unsaved changes. Save them before closing?"),
                                                  QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel);
        if (answer == QMessageBox::Cancel || (answer == QMessageBox::Save && !m_editor->saveConfig())) {
            event->ignore();
            return;
        }
    }
    if (m_training) {
        m_statusLabel->setText(tr("Stopping training before closing…"));
    }
    QSettings settings;
    settings.setValue(QStringLiteral("geometry"), saveGeometry());
    settings.setValue(QStringLiteral("windowState"), saveState());
    event->accept();
}

bool MainWindow::openCheckpoint(const QString& location)
{
    m_pages->setCurrentWidget(m_analysis);
    const bool opened = m_analysis->openCheckpoint(location);
    if (opened) {
        m_recent->add(location);
    }
    return opened;
}

QVector<FigureEntry> MainWindow::figures(int* current) const
{
    if (m_pages->currentWidget() == m_analysis) {
        if (current != nullptr) {
            *current = m_analysis->currentFigureIndex();
        }
        return m_analysis->figures();
    }
    const QVector<FigureEntry> figures = m_trainPage->figures();
    if (current != nullptr) {
        *current = 0; // the training curves; the dialog offers the others
    }
    return figures;
}

RunsModel* MainWindow::runsModel() const
{
    return m_runs->model();
}

QTableView* MainWindow::runsView() const
{
    return m_runs->view();
}

widgets::TrainingCurvePlot* MainWindow::trainingCurves() const
{
    return m_trainPage->trainingCurves();
}

widgets::DistributionPlot* MainWindow::certaintyPlot() const
{
    return m_trainPage->certaintyPlot();
}

widgets::DistributionPlot* MainWindow::rawPlot() const
{
    return m_trainPage->rawPlot();
}

widgets::DistributionPlot* MainWindow::temperaturePlot() const
{
    return m_trainPage->temperaturePlot();
}

QString MainWindow::currentFigureCsv() const
{
    return m_exports->currentFigureCsv();
}

QString MainWindow::exportCurrentFigure(const QString& path, int size, int dpi)
{
    return m_exports->exportCurrentFigure(path, size, dpi);
}

} // namespace tau::app
