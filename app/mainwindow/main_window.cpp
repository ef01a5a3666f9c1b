#include "app/mainwindow/main_window.h"

#include "app/bridge/core_values.h"
#include "app/config/config_editor.h"
#include "app/export/export_actions.h"
#include "app/mainwindow/analysis_panel.h"
#include "app/mainwindow/help_dialog.h"
#include "app/mainwindow/recent_files.h"
#include "app/mainwindow/training_controller.h"
#include "app/pages/runs_dock.h"
#include "app/pages/train_page.h"
#include "core/common/build_info.h"
#include "core/io/run_directory.h"
#include "core/schema/experiment_config.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QProgressBar>
#include <QMessageBox>
#include <QMimeData>
#include <QSettings>
#include <QStatusBar>
#include <QStyle>
#include <QTabWidget>
#include <QToolBar>

namespace tau::app {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent), m_editor(new ConfigEditor)
{
    connect(m_editor, &ConfigEditor::statusMessage, this, [this](const QString& text) { m_statusLabel->setText(text); });
    connect(m_editor, &ConfigEditor::titleChanged, this, &MainWindow::updateWindowTitle);
    m_trainPage = new TrainPage(m_editor);
    m_trainPage->setObjectName(QStringLiteral("trainPage"));
    m_runs = new RunsDock(this);
    m_training = new TrainingController(m_editor, m_trainPage, m_runs, this);
    buildActions();
    buildLayout();
    connect(m_training, &TrainingController::statusMessage, this, [this](const QString& text) { m_statusLabel->setText(text); });
    connect(m_training, &TrainingController::trainingChanged, this, [this](bool training) { m_openAction->setEnabled(!training); });
    connect(m_training, &TrainingController::runsRootChanged, m_analysis, &AnalysisPanel::setRunsRoot);
    connect(m_training, &TrainingController::trainingEnded, this, &MainWindow::trainingEnded);

    updateWindowTitle();
    resize(1280, 800);
    setAcceptDrops(true);
    m_defaultLayout = saveState(); // View → Reset Layout goes back to this
    restoreSettings();
}

MainWindow::~MainWindow()
{
    delete m_training; // first: it stops the worker (which saves last.pt) and waits for its thread
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

    for (QAction* action : {m_training->trainAction(), m_training->pauseAction(), m_training->stopAction()}) {
        toolbar->addAction(action);
        runMenu->addAction(action);
    }
    QAction* openCheckpointAction = fileMenu->addAction(tr("Open &Checkpoint…"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open Checkpoint"), m_runs->runsRoot(),
                                                          tr("Checkpoints (*.pt)"));
        if (!path.isEmpty()) {
            openCheckpoint(path);
        }
    });
    openCheckpointAction->setShortcut(Qt::CTRL | Qt::SHIFT | Qt::Key_O);
    fileMenu->insertAction(fileMenu->actions().value(1), openCheckpointAction);
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
    statusBar()->addWidget(m_statusLabel, 1);
    statusBar()->addPermanentWidget(m_training->progressBar());
    statusBar()->addPermanentWidget(m_training->etaLabel());

    buildRunsDock();
}

void MainWindow::buildRunsDock()
{
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
    if (m_training->isTraining()) {
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
                          "watch, evaluate.</p><p>Git revision %2<br>Qt %3<br>LibTorch %4<br>%5<br>"
                          "Training runs on: %6</p><p>Free software under the GNU GPL, version 3 or later.</p>")
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

void MainWindow::openBuiltInDefaults()
{
    m_editor->openBuiltInDefaults();
}

QString MainWindow::configErrorText() const
{
    return m_editor->errorText();
}

void MainWindow::updateWindowTitle()
{
    setWindowTitle(tr("%1 — TaU Explorer").arg(m_editor->documentTitle()));
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
    if (m_training->isTraining()) {
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
    showRunConfig(location);
    const bool opened = m_analysis->openCheckpoint(location);
    if (opened) {
        m_recent->add(location);
    }
    return opened;
}

void MainWindow::showRunConfig(const QString& location)
{
    // The Train page shows what Train runs: the opened run's config, unless the user is editing one of theirs.
    if (m_training->isTraining() || m_editor->hasUnsavedChanges()) {
        return;
    }
    const QFileInfo given(location);
    QDir run = given.isDir() ? QDir(location) : given.dir(); // RUN/ or RUN/checkpoints/last.pt
    if (!given.isDir() && run.dirName() == QLatin1String("checkpoints")) {
        run.cdUp();
    }
    m_editor->openRunConfig(run.absolutePath());
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
        *current = m_trainPage->currentFigureIndex();
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

bool MainWindow::isTraining() const
{
    return m_training->isTraining();
}

bool MainWindow::isPaused() const
{
    return m_training->isPaused();
}

TrainingController* MainWindow::training() const
{
    return m_training;
}

void MainWindow::startTraining()
{
    m_training->startTraining();
}

void MainWindow::stopTraining()
{
    m_training->stopTraining();
}

void MainWindow::togglePause()
{
    m_training->togglePause();
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
