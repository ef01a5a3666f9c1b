#include "app/mainwindow/main_window.h"

#include "app/bridge/core_values.h"
#include "app/export/export_actions.h"
#include "app/mainwindow/analysis_panel.h"
#include "app/mainwindow/config_form.h"
#include "app/models/runs_model.h"
#include "app/workers/training_worker.h"
#include "core/common/build_info.h"
#include "core/common/error.h"
#include "core/io/metrics_reader.h"
#include "core/config/yaml_text_edit.h"
#include "core/config/config_loader.h"
#include "core/io/run_directory.h"
#include "widgets/common/yaml_highlighter.h"
#include "widgets/export/figure_export.h"
#include "widgets/plots/qcp.h"
#include "widgets/plots/distribution_plot.h"
#include "widgets/plots/training_curve_plot.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QDirIterator>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QDragEnterEvent>
#include <QHeaderView>
#include <QMenuBar>
#include <QMimeData>
#include <QSettings>
#include <QTableView>
#include <QTimer>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QSplitter>
#include <QStatusBar>
#include <QStyle>
#include <QTabWidget>
#include <QTextBlock>
#include <QToolBar>
#include <QVBoxLayout>

#include <cmath>

namespace tau::app {

namespace {

constexpr int kProgressResolution = 1000;

} // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent)
{
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
    QMenu* runMenu = menuBar()->addMenu(tr("&Run"));
    QMenu* helpMenu = menuBar()->addMenu(tr("&Help"));

    m_openAction = toolbar->addAction(style()->standardIcon(QStyle::SP_DialogOpenButton), tr("Open…"), this,
                                      &MainWindow::openConfigDialog);
    m_openAction->setShortcut(QKeySequence::Open);
    QAction* save = toolbar->addAction(style()->standardIcon(QStyle::SP_DialogSaveButton), tr("Save"), this,
                                       &MainWindow::saveConfig);
    save->setShortcut(QKeySequence::Save);
    QAction* saveAs = toolbar->addAction(tr("Save As…"), this, &MainWindow::saveConfigAs);
    saveAs->setShortcut(QKeySequence::SaveAs);
    fileMenu->addAction(m_openAction);
    m_recentMenu = fileMenu->addMenu(tr("Open &Recent"));
    fileMenu->addAction(save);
    fileMenu->addAction(saveAs);
    fileMenu->addSeparator();
    fileMenu->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    toolbar->addSeparator();
    buildPresetPicker(toolbar);
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
        const QString path = QFileDialog::getOpenFileName(this, tr("Open Checkpoint"), QDir::currentPath() + "/runs",
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
    helpMenu->addAction(tr("&About TaU Explorer"), this, &MainWindow::showAbout);
    m_exports = new ExportActions(
        this, [this](int* current) { return figures(current); },
        [this](bool latex) { return m_analysis->hasMetrics() ? m_analysis->metricsTable(latex) : QString(); });
    connect(m_exports, &ExportActions::wrote, this, [this](const QString& path) { m_statusLabel->setText(tr("Wrote %1").arg(path)); });
    menuBar()->insertMenu(helpMenu->menuAction(), m_exports->buildMenu());
}

void MainWindow::buildPresetPicker(QToolBar* toolbar)
{
    m_presets = new QComboBox;
    m_presets->setObjectName(QStringLiteral("presetPicker"));
    m_presets->setToolTip(tr("Open one of the shipped configs"));
    m_presets->addItem(tr("Presets…"));
    const QString folder = configsFolder();
    QStringList names;
    QDirIterator files(folder, {QStringLiteral("*.yaml")}, QDir::Files, QDirIterator::Subdirectories);
    while (files.hasNext()) {
        names << QDir(folder).relativeFilePath(files.next());
    }
    names.sort();
    for (const QString& name : names) {
        m_presets->addItem(name, QDir(folder).filePath(name));
    }
    connect(m_presets, &QComboBox::activated, this, [this](int index) {
        if (index > 0) {
            openConfig(m_presets->itemData(index).toString());
        }
        m_presets->setCurrentIndex(0);
    });
    toolbar->addWidget(m_presets);
}

QString MainWindow::configsFolder() const
{
    const QString fromEnvironment = qEnvironmentVariable("TAU_CONFIGS_DIR");
    const QStringList candidates = {fromEnvironment, QCoreApplication::applicationDirPath() + "/../../configs",
                                    QDir::currentPath() + "/configs"};
    for (const QString& candidate : candidates) {
        if (!candidate.isEmpty() && QDir(candidate).exists()) {
            return QDir(candidate).canonicalPath();
        }
    }
    return QDir::currentPath() + "/configs";
}

void MainWindow::buildLayout()
{
    auto* editorPanel = new QWidget;
    auto* editorLayout = new QVBoxLayout(editorPanel);
    editorLayout->setContentsMargins(6, 6, 6, 6);
    m_fileLabel = new QLabel;
    m_fileLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_editor = new QPlainTextEdit;
    m_editor->setObjectName(QStringLiteral("configEditor"));
    m_editor->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_editor->setLineWrapMode(QPlainTextEdit::NoWrap);
    new widgets::YamlHighlighter(m_editor->document());
    connect(m_editor->document(), &QTextDocument::modificationChanged, this, &MainWindow::updateWindowTitle);
    m_errorLabel = new QLabel;
    m_errorLabel->setObjectName(QStringLiteral("configError"));
    m_errorLabel->setWordWrap(true);
    m_errorLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_errorLabel->setStyleSheet(QStringLiteral("QLabel { color: #b00020; background: #fdecea; padding: 6px; }"));
    m_errorLabel->hide();
    m_form = new ConfigForm;
    m_form->setObjectName(QStringLiteral("configForm"));
    connect(m_form, &ConfigForm::valueEdited, this, &MainWindow::applyFormEdit);
    editorLayout->addWidget(m_fileLabel);
    editorLayout->addWidget(m_form);
    editorLayout->addWidget(m_editor, 1);
    editorLayout->addWidget(m_errorLabel);

    m_curves = new widgets::TrainingCurvePlot;
    m_curves->setObjectName(QStringLiteral("trainingCurves"));
    m_certaintyPlot = new widgets::DistributionPlot(tr("c = sigmoid(r)"));
    m_certaintyPlot->setObjectName(QStringLiteral("certaintyPlot"));
    m_rawPlot = new widgets::DistributionPlot(tr("raw r"));
    m_rawPlot->setObjectName(QStringLiteral("rawPlot"));
    // tau = t / c from the c histograms: exact for the percentiles, bins re-labelled edge by edge.
    m_temperaturePlot = new widgets::DistributionPlot(tr("temperature τ = t / c"), nullptr, [this](double c) {
        return temperatureOf(m_globalTemperature, c);
    });
    m_temperaturePlot->setObjectName(QStringLiteral("temperaturePlot"));
    auto* distributions = new QTabWidget;
    distributions->addTab(m_certaintyPlot, tr("Certainty c"));
    distributions->addTab(m_temperaturePlot, tr("Temperature τ"));
    distributions->addTab(m_rawPlot, tr("Raw r"));
    distributions->setToolTip(tr("c near 1: certain (temperature near t); c near 0: uncertain. When c piles up "
                                 "at 1, the raw r still shows differences."));

    auto* curvePanel = new QWidget;
    auto* curveLayout = new QVBoxLayout(curvePanel);
    curveLayout->setContentsMargins(0, 0, 0, 0);
    auto* curveControls = new QHBoxLayout;
    auto* smoothing = new QDoubleSpinBox;
    smoothing->setObjectName(QStringLiteral("smoothing"));
    smoothing->setRange(0.0, 0.99);
    smoothing->setSingleStep(0.1);
    smoothing->setValue(m_curves->smoothing());
    smoothing->setToolTip(tr("Exponential moving average of the step loss, debiased (0: off)"));
    connect(smoothing, &QDoubleSpinBox::valueChanged, m_curves, &widgets::TrainingCurvePlot::setSmoothing);
    auto* logarithmic = new QCheckBox(tr("Log scale"));
    logarithmic->setObjectName(QStringLiteral("logScale"));
    connect(logarithmic, &QCheckBox::toggled, m_curves, &widgets::TrainingCurvePlot::setLogarithmic);
    curveControls->addWidget(new QLabel(tr("Smoothing")));
    curveControls->addWidget(smoothing);
    curveControls->addWidget(logarithmic);
    curveControls->addStretch(1);
    curveLayout->addLayout(curveControls);
    curveLayout->addWidget(m_curves, 1);

    auto* plots = new QSplitter(Qt::Vertical);
    plots->addWidget(curvePanel);
    plots->addWidget(distributions);
    plots->setStretchFactor(0, 1);
    plots->setStretchFactor(1, 1);

    auto* main = new QSplitter(Qt::Horizontal);
    main->addWidget(editorPanel);
    main->addWidget(plots);
    main->setStretchFactor(0, 0);
    main->setStretchFactor(1, 1);
    main->setSizes({400, 880}); // wide enough for the config's comments
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
    m_pages->addTab(main, tr("Train"));
    m_pages->addTab(m_analysis, tr("Analyse"));
    setCentralWidget(m_pages);

    m_statusLabel = new QLabel(tr("Ready"));
    m_progress = new QProgressBar;
    m_progress->setRange(0, kProgressResolution);
    m_progress->setMaximumWidth(220);
    m_progress->setTextVisible(true);
    m_etaLabel = new QLabel;
    statusBar()->addWidget(m_statusLabel, 1);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_etaLabel);

    m_validationTimer = new QTimer(this);
    m_validationTimer->setSingleShot(true);
    m_validationTimer->setInterval(400);
    connect(m_validationTimer, &QTimer::timeout, this, &MainWindow::validateConfig);
    connect(m_editor, &QPlainTextEdit::textChanged, m_validationTimer, qOverload<>(&QTimer::start));
    buildRunsDock();
}

void MainWindow::buildRunsDock()
{
    m_runsModel = new RunsModel(this);
    m_runsView = new QTableView;
    m_runsView->setObjectName(QStringLiteral("runsView"));
    m_runsView->setModel(m_runsModel);
    m_runsView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_runsView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_runsView->verticalHeader()->hide();
    m_runsView->horizontalHeader()->setStretchLastSection(true);
    m_runsView->setToolTip(tr("Select a run to see its curves; select several to compare their losses"));
    connect(m_runsView->selectionModel(), &QItemSelectionModel::selectionChanged, this, &MainWindow::showSelectedRuns);
    connect(m_runsModel, &RunsModel::runUpdated, this, [this](const QString& directory) {
        const QModelIndexList rows = m_runsView->selectionModel()->selectedRows();
        for (const QModelIndex& row : rows) {
            if (m_runsModel->runDirectory(row.row()) == directory) {
                showSelectedRuns();
                return;
            }
        }
    });
    auto* dock = new QDockWidget(tr("Runs"), this);
    dock->setObjectName(QStringLiteral("runsDock"));
    dock->setWidget(m_runsView);
    addDockWidget(Qt::BottomDockWidgetArea, dock);
    resizeDocks({dock}, {150}, Qt::Vertical); // the dashboard keeps most of the height
    m_runsModel->setRunsRoot(QDir::current().absoluteFilePath(QStringLiteral("runs")));
    m_analysis->setRunsRoot(m_runsModel->runsRoot());
    connect(m_runsView, &QTableView::doubleClicked, this,
            [this](const QModelIndex& index) { openCheckpoint(m_runsModel->runDirectory(index.row())); });
    m_runsView->setToolTip(m_runsView->toolTip() + tr("; double-click one to analyse it"));
    m_runsView->horizontalHeader()->setSectionResizeMode(RunsModel::Name, QHeaderView::ResizeToContents);
}

void MainWindow::showSelectedRuns()
{
    if (m_training) {
        return; // the live run owns the dashboard
    }
    const QModelIndexList rows = m_runsView->selectionModel()->selectedRows();
    if (rows.isEmpty()) {
        return;
    }
    m_curves->clear();
    m_certaintyPlot->clear();
    m_rawPlot->clear();
    m_temperaturePlot->clear();
    QVector<widgets::CurveSeries> overlays;
    for (int i = 0; i < rows.size(); ++i) {
        const QString directory = m_runsModel->runDirectory(rows[i].row());
        core::MetricsHistory history;
        try {
            history = core::readMetricsFile((directory + "/metrics.jsonl").toStdString());
        } catch (const core::TauError& error) {
            m_statusLabel->setText(QString::fromStdString(error.what()));
            continue;
        }
        if (i == 0) {
            try {
                m_globalTemperature = core::loadConfigFile((directory + "/config.yaml").toStdString()).loss.t;
            } catch (const core::TauError&) {
                m_globalTemperature = 0.1;
            }
            for (const core::StepRecord& step : history.steps) {
                m_curves->addStep(double(step.step), step.loss, step.learningRate);
            }
            for (const core::EpochRecord& epoch : history.epochs) {
                onEpoch(epoch);
            }
            m_statusLabel->setText(tr("Showing %1").arg(directory));
        } else {
            widgets::CurveSeries series;
            series.name = QFileInfo(directory).fileName();
            for (const core::StepRecord& step : history.steps) {
                series.steps.append(double(step.step));
                series.losses.append(step.loss);
            }
            overlays.append(series);
        }
    }
    m_curves->setOverlays(overlays);
}

void MainWindow::validateConfig()
{
    const QString source = m_configPath.isEmpty() ? tr("untitled.yaml") : m_configPath;
    try {
        QStringList warnings;
        core::ConfigLoadOptions options;
        options.warn = [&warnings](const std::string& line) { warnings << QString::fromStdString(line); };
        m_form->showConfig(core::loadConfigText(m_editor->toPlainText().toStdString(), source.toStdString(), options));
        m_form->setEnabled(true);
        // Unknown and duplicate keys do not stop a run, but a typo should not go unseen.
        m_errorLabel->setText(warnings.join(QLatin1Char('\n')));
        m_errorLabel->setVisible(!warnings.isEmpty());
        m_editor->setExtraSelections({});
    } catch (const core::ConfigError& error) {
        m_errorLabel->setText(QString::fromStdString(error.what()));
        m_errorLabel->show();
        markErrorLine(error.line());
    } catch (const std::exception& error) {
        m_errorLabel->setText(QString::fromStdString(error.what()));
        m_errorLabel->show();
    }
}

void MainWindow::applyFormEdit(const QString& keyPath, const QString& value)
{
    std::string text = m_editor->toPlainText().toStdString();
    if (!core::setYamlValue(text, keyPath.toStdString(), value.toStdString())) {
        m_statusLabel->setText(tr("%1 is written in flow style ({...}); edit it in the text").arg(keyPath.section('.', 0, 0)));
        return;
    }
    // One undoable edit that replaces the text: Ctrl+Z in the editor takes a form change back.
    QTextCursor cursor(m_editor->document());
    cursor.beginEditBlock();
    cursor.select(QTextCursor::Document);
    cursor.insertText(QString::fromStdString(text));
    cursor.endEditBlock();
    validateConfig();
}

void MainWindow::markErrorLine(int line)
{
    QList<QTextEdit::ExtraSelection> marks;
    const QTextBlock block = m_editor->document()->findBlockByLineNumber(line - 1);
    if (line > 0 && block.isValid()) {
        QTextEdit::ExtraSelection mark;
        mark.format.setBackground(QColor(253, 236, 234));
        mark.format.setProperty(QTextFormat::FullWidthSelection, true);
        mark.cursor = QTextCursor(block);
        marks.append(mark);
    }
    m_editor->setExtraSelections(marks);
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

void MainWindow::rememberRecent(const QString& path)
{
    QSettings settings;
    QStringList recent = settings.value(QStringLiteral("recentFiles")).toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > 8) {
        recent.removeLast();
    }
    settings.setValue(QStringLiteral("recentFiles"), recent);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = QSettings().value(QStringLiteral("recentFiles")).toStringList();
    for (const QString& path : recent) {
        m_recentMenu->addAction(path, this, [this, path] { openConfig(path); });
    }
    m_recentMenu->setEnabled(!recent.isEmpty());
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("windowState")).toByteArray());
    rebuildRecentMenu();
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About TaU Explorer"),
                       tr("<h3>TaU Explorer %1</h3><p>Temperature as Uncertainty for contrastive learning: train, "
                          "watch, evaluate.</p><p>Qt %2<br>LibTorch %3<br>Compute: %4</p>")
                           .arg(QApplication::applicationVersion(), QString::fromLatin1(qVersion()),
                                QString::fromStdString(core::libtorchVersion()),
                                QString::fromStdString(core::computeDeviceSummary())));
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    for (const QUrl& url : event->mimeData()->urls()) {
        const QString suffix = QFileInfo(url.toLocalFile()).suffix().toLower();
        if (suffix == QLatin1String("yaml") || suffix == QLatin1String("yml") || suffix == QLatin1String("json") ||
            suffix == QLatin1String("pt") || QFileInfo::exists(url.toLocalFile() + QStringLiteral("/checkpoints/last.pt"))) {
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
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
        showConfigError(tr("%1: cannot open the config file (%2)").arg(path, file.errorString()), 0);
        return false;
    }
    m_editor->setPlainText(QString::fromUtf8(file.readAll()));
    m_editor->document()->setModified(false);
    m_configPath = path;
    m_errorLabel->hide();
    updateWindowTitle();
    m_statusLabel->setText(tr("Opened %1").arg(QFileInfo(path).fileName()));
    rememberRecent(QFileInfo(path).absoluteFilePath());
    validateConfig();
    return true;
}

QString MainWindow::configErrorText() const
{
    return m_errorLabel->isVisible() || !m_errorLabel->isHidden() ? m_errorLabel->text() : QString();
}

void MainWindow::openConfigDialog()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open config"), QFileInfo(m_configPath).path(),
                                                      tr("Configs (*.yaml *.yml *.json);;All files (*)"));
    if (!path.isEmpty()) {
        openConfig(path);
    }
}

bool MainWindow::saveConfig()
{
    return m_configPath.isEmpty() ? saveConfigAs() : writeConfig(m_configPath);
}

bool MainWindow::saveConfigAs()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Save config"), m_configPath,
                                                      tr("Configs (*.yaml *.yml *.json)"));
    return !path.isEmpty() && writeConfig(path);
}

bool MainWindow::writeConfig(const QString& path)
{
    try {
        core::writeFileAtomically(path.toStdString(), m_editor->toPlainText().toStdString());
    } catch (const core::TauError& error) {
        showConfigError(QString::fromStdString(error.what()), 0);
        return false;
    }
    m_configPath = path;
    m_editor->document()->setModified(false);
    updateWindowTitle();
    m_statusLabel->setText(tr("Saved %1").arg(path));
    return true;
}

void MainWindow::showConfigError(const QString& message, int line)
{
    m_errorLabel->setText(message);
    m_errorLabel->show();
    m_statusLabel->setText(message);
    if (line > 0) {
        const QTextBlock block = m_editor->document()->findBlockByLineNumber(line - 1);
        if (block.isValid()) {
            QTextCursor cursor(block);
            cursor.select(QTextCursor::LineUnderCursor);
            m_editor->setTextCursor(cursor);
            m_editor->setFocus();
        }
    }
}

void MainWindow::startTraining()
{
    if (m_training) {
        m_statusLabel->setText(tr("A run is training: one run at a time. Stop it first (Ctrl+.)."));
        return;
    }
    const QString source = m_configPath.isEmpty() ? tr("untitled.yaml") : m_configPath;
    core::ExperimentConfig config;
    QStringList warnings;
    try {
        core::ConfigLoadOptions options;
        options.warn = [&warnings](const std::string& line) { warnings << QString::fromStdString(line); };
        config = core::loadConfigText(m_editor->toPlainText().toStdString(), source.toStdString(), options);
    } catch (const core::ConfigError& error) {
        showConfigError(QString::fromStdString(error.what()), error.line());
        return;
    } catch (const std::exception& error) {
        showConfigError(QString::fromStdString(error.what()), 0);
        return;
    }
    m_errorLabel->setVisible(!warnings.isEmpty());
    m_errorLabel->setText(warnings.join(QLatin1Char('\n')));

    m_curves->clear();
    m_certaintyPlot->clear();
    m_rawPlot->clear();
    m_temperaturePlot->clear();
    m_globalTemperature = config.loss.t;
    m_progress->setValue(0);
    m_etaLabel->clear();
    m_lastStep = 0;
    m_paused = false;
    m_runsModel->setRunsRoot(QDir::current().absoluteFilePath(QString::fromStdString(config.runsDir)));
    m_analysis->setRunsRoot(m_runsModel->runsRoot());
    m_runsView->clearSelection();
    m_curves->setOverlays({});
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
    m_editor->setReadOnly(training);
    m_form->setEnabled(!training);
    m_progress->setVisible(training || m_progress->value() > 0);
}

void MainWindow::updateWindowTitle()
{
    const QString name = m_configPath.isEmpty() ? tr("untitled.yaml") : QFileInfo(m_configPath).fileName();
    const bool modified = m_editor->document()->isModified();
    setWindowTitle(tr("%1%2 — TaU Explorer").arg(name, modified ? QStringLiteral("*") : QString()));
    m_fileLabel->setText(m_configPath.isEmpty() ? tr("Config: (not saved)") : tr("Config: %1").arg(m_configPath));
}

void MainWindow::onStarted(const QString& runDirectory, qint64 totalSteps)
{
    m_statusLabel->setText(tr("Training: %1 steps, writing %2").arg(totalSteps).arg(runDirectory));
}

void MainWindow::onStep(const tau::core::StepRecord& record)
{
    m_lastStep = record.step;
    m_curves->addStep(double(record.step), record.loss, record.learningRate);
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
    m_curves->addEpoch(double(record.step), record.loss);
    if (record.hasTemperature) {
        m_certaintyPlot->addEpoch(
            toWidgetHistogram(record.epoch, record.certaintyHistogram, record.certaintyPercentiles));
        m_rawPlot->addEpoch(toWidgetHistogram(record.epoch, record.rawHistogram, record.rawPercentiles));
        m_temperaturePlot->addEpoch(
            toWidgetHistogram(record.epoch, record.certaintyHistogram, record.certaintyPercentiles));
    }
}

void MainWindow::onFinished(bool cancelled, const QString& runDirectory, const QString& error)
{
    setTraining(false);
    m_etaLabel->clear();
    if (!error.isEmpty()) {
        showConfigError(tr("Training failed: %1").arg(error), 0);
    } else if (cancelled) {
        m_statusLabel->setText(
            tr("Stopped after step %1; %2/checkpoints/last.pt holds that state").arg(m_lastStep).arg(runDirectory));
    } else {
        m_progress->setValue(kProgressResolution);
        m_statusLabel->setText(tr("Finished: results in %1").arg(runDirectory));
    }
    m_runsModel->refresh();
    Q_EMIT trainingEnded(cancelled, error);
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (m_editor->document()->isModified() && !m_editor->toPlainText().isEmpty()) {
        const auto answer = QMessageBox::question(this, tr("Unsaved config"),
                                                  tr("The config has unsaved changes. Save them before closing?"),
                                                  QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel);
        if (answer == QMessageBox::Cancel || (answer == QMessageBox::Save && !saveConfig())) {
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
    return m_analysis->openCheckpoint(location);
}

QVector<FigureEntry> MainWindow::figures(int* current) const
{
    if (m_pages->currentWidget() == m_analysis) {
        if (current != nullptr) {
            *current = m_analysis->currentFigureIndex();
        }
        return m_analysis->figures();
    }
    QVector<FigureEntry> figures = {{tr("Training curves"), m_curves->plot(), {}}};
    const QList<QPair<QString, widgets::DistributionPlot*>> distributions = {
        {tr("Certainty c"), m_certaintyPlot}, {tr("Temperature tau"), m_temperaturePlot}, {tr("Raw r"), m_rawPlot}};
    for (const auto& [name, plot] : distributions) {
        figures.append({name + tr(" histogram"), plot->histogramPlot(), {}});
        figures.append({name + tr(" by epoch"), plot->evolutionPlot(), {}});
    }
    for (FigureEntry& figure : figures) {
        figure.csv = [plot = figure.plot] { return widgets::plotDataCsv(plot); };
    }
    if (current != nullptr) {
        *current = 0; // the training curves; the dialog offers the others
    }
    return figures;
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
