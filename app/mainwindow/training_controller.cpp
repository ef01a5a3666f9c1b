#include "app/mainwindow/training_controller.h"

#include "app/bridge/core_values.h"
#include "app/config/config_editor.h"
#include "app/pages/runs_dock.h"
#include "app/pages/train_page.h"
#include "app/workers/training_worker.h"
#include "core/common/duration_text.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QLabel>
#include <QProgressBar>
#include <QStyle>

#include <algorithm>

namespace tau::app {

namespace {

constexpr int kProgressResolution = 1000;

} // namespace

TrainingController::TrainingController(ConfigEditor* editor, TrainPage* page, RunsDock* runs, QWidget* window)
    : QObject(window)
    , m_editor(editor)
    , m_page(page)
    , m_runs(runs)
    , m_progress(new QProgressBar)
    , m_eta(new QLabel)
    , m_trust(trustQuestionDialog(window, tr("Trust and Train")))
{
    createActions(window);
    m_progress->setRange(0, kProgressResolution);
    m_progress->setMaximumWidth(220);
    m_progress->setTextVisible(true);

    m_worker = new TrainingWorker;
    m_worker->moveToThread(&m_workerThread);
    connect(&m_workerThread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &TrainingWorker::started, this, &TrainingController::onStarted);
    connect(m_worker, &TrainingWorker::stepDone, this, &TrainingController::onStep);
    connect(m_worker, &TrainingWorker::epochDone, m_page, &TrainPage::addEpoch);
    connect(m_worker, &TrainingWorker::message, this, &TrainingController::statusMessage);
    connect(m_worker, &TrainingWorker::scriptRefused, this,
            [this](const QString& path, const QStringList& reasons) { m_trust.noteRefusal(path, reasons); });
    connect(m_worker, &TrainingWorker::finished, this, &TrainingController::onFinished);
    m_workerThread.setObjectName(QStringLiteral("training"));
    m_workerThread.start();
    setTraining(false);
}

TrainingController::~TrainingController()
{
    // The worker finishes its current step, saves last.pt and returns; then the thread can end.
    m_worker->stop();
    m_workerThread.quit();
    m_workerThread.wait();
}

void TrainingController::createActions(QWidget* window)
{
    QStyle* style = window->style();
    m_trainAction = new QAction(style->standardIcon(QStyle::SP_MediaPlay), tr("Train"), this);
    m_trainAction->setObjectName(QStringLiteral("trainAction"));
    m_trainAction->setShortcut(Qt::CTRL | Qt::Key_R);
    m_trainAction->setToolTip(tr("Train with the config in the editor (Ctrl+R). One run at a time: stop the "
                                 "current run before starting another."));
    connect(m_trainAction, &QAction::triggered, this, &TrainingController::startTraining);
    m_pauseAction = new QAction(style->standardIcon(QStyle::SP_MediaPause), tr("Pause"), this);
    m_pauseAction->setObjectName(QStringLiteral("pauseAction"));
    m_pauseAction->setShortcut(Qt::CTRL | Qt::Key_P);
    m_pauseAction->setToolTip(tr("Pause after the current step, or resume (Ctrl+P)"));
    connect(m_pauseAction, &QAction::triggered, this, &TrainingController::togglePause);
    m_stopAction = new QAction(style->standardIcon(QStyle::SP_MediaStop), tr("Stop"), this);
    m_stopAction->setObjectName(QStringLiteral("stopAction"));
    m_stopAction->setShortcut(Qt::CTRL | Qt::Key_Period);
    m_stopAction->setToolTip(tr("Stop after the current step; checkpoints/last.pt keeps the state (Ctrl+.)"));
    connect(m_stopAction, &QAction::triggered, this, &TrainingController::stopTraining);
}

void TrainingController::startTraining()
{
    if (m_training) {
        Q_EMIT statusMessage(tr("A run is training: one run at a time. Stop it first (Ctrl+.)."));
        return;
    }
    core::ExperimentConfig config;
    if (m_editor->resolvedConfig(config)) {
        train(config);
    }
}

void TrainingController::train(const core::ExperimentConfig& config)
{
    m_config = config;
    m_trust.clear();
    m_page->beginRun(config.loss.t, config.optimizer.batchSize);
    m_progress->setValue(0);
    m_eta->clear();
    m_lastStep = 0;
    m_paused = false;
    m_runs->setRunsRoot(QDir::current().absoluteFilePath(QString::fromStdString(config.runsDir)));
    Q_EMIT runsRootChanged(m_runs->runsRoot());
    m_runs->clearSelection();
    setTraining(true);
    Q_EMIT statusMessage(tr("Loading %1 and building the model…").arg(QString::fromStdString(config.dataset.name)));
    TrainingWorker* worker = m_worker;
    QMetaObject::invokeMethod(m_worker, [worker, config] { worker->train(config); }, Qt::QueuedConnection);
}

void TrainingController::stopTraining()
{
    if (!m_training) {
        return;
    }
    m_worker->stop();
    m_stopAction->setEnabled(false);
    Q_EMIT statusMessage(tr("Stopping after the current step…"));
}

void TrainingController::togglePause()
{
    if (!m_training) {
        return;
    }
    m_paused = !m_paused;
    if (m_paused) {
        m_worker->pause();
        Q_EMIT statusMessage(tr("Paused after the current step (Ctrl+P to resume)"));
    } else {
        m_worker->resume();
        Q_EMIT statusMessage(tr("Resumed"));
    }
    m_pauseAction->setText(m_paused ? tr("Resume") : tr("Pause"));
    m_pauseAction->setIcon(qApp->style()->standardIcon(m_paused ? QStyle::SP_MediaPlay : QStyle::SP_MediaPause));
}

void TrainingController::setTraining(bool training)
{
    m_training = training;
    m_trainAction->setEnabled(!training);
    m_stopAction->setEnabled(training);
    m_pauseAction->setEnabled(training);
    if (!training) {
        m_paused = false;
        m_pauseAction->setText(tr("Pause"));
        m_pauseAction->setIcon(qApp->style()->standardIcon(QStyle::SP_MediaPause));
    }
    m_editor->setLocked(training);
    m_progress->setVisible(training || m_progress->value() > 0);
    Q_EMIT trainingChanged(training);
}

void TrainingController::onStarted(const QString& runDirectory, qint64 totalSteps)
{
    Q_EMIT statusMessage(tr("Training: %1 steps, writing %2").arg(totalSteps).arg(runDirectory));
}

void TrainingController::onStep(const tau::core::StepRecord& record)
{
    m_lastStep = record.step;
    m_page->addStep(record);
    m_progress->setValue(int(kProgressResolution * record.step / std::max<long long>(1, record.totalSteps)));
    QString status = tr("Epoch %1 · step %2/%3 · loss %4 · %5 img/s")
                         .arg(record.epoch)
                         .arg(record.step)
                         .arg(record.totalSteps)
                         .arg(record.loss, 0, 'f', 4)
                         .arg(record.imagesPerSecond, 0, 'f', 0);
    const std::string memory = tau::core::formatGpuMemory(record.gpuMemoryMb, record.gpuPeakMb);
    if (!memory.empty()) {
        status += QStringLiteral(" · ") + QString::fromStdString(memory);
    }
    Q_EMIT statusMessage(status);
    m_eta->setText(tr("ETA %1").arg(formatEta(record.etaSeconds)));
}

bool TrainingController::retryWithTrust()
{
    if (!m_trust.askAndTrust()) { // trusted for the session: analysing the run loads the file again
        return false;
    }
    setTraining(false);
    train(m_config);
    return true;
}

void TrainingController::onFinished(bool cancelled, const QString& runDirectory, const QString& error)
{
    if (!error.isEmpty() && retryWithTrust()) {
        return;
    }
    setTraining(false);
    m_eta->clear();
    if (!error.isEmpty()) {
        m_editor->showError(tr("Training failed: %1").arg(error), 0);
    } else if (cancelled) {
        Q_EMIT statusMessage(
            tr("Stopped after step %1; %2/checkpoints/last.pt holds that state").arg(m_lastStep).arg(runDirectory));
    } else {
        m_progress->setValue(kProgressResolution);
        Q_EMIT statusMessage(tr("Finished: results in %1").arg(runDirectory));
    }
    m_runs->refresh();
    Q_EMIT trainingEnded(cancelled, error);
}

} // namespace tau::app
