#pragma once

#include "app/mainwindow/script_trust_question.h"
#include "core/common/training_observer.h"
#include "core/schema/experiment_config.h"

#include <QObject>
#include <QStringList>
#include <QThread>

#include <functional>

class QAction;
class QLabel;
class QProgressBar;
class QWidget;

namespace tau::app {

class ConfigEditor;
class RunsDock;
class TrainPage;
class TrainingWorker;

/**
 * The training run's lifecycle in the window: Train, Pause and Stop, the worker thread that trains, what it reports
 * (the dashboard, status text, progress and ETA), and the question asked when the config's TorchScript encoder is a
 * program that needs the user's trust. The window places its actions and widgets; this class makes them work.
 */
class TrainingController : public QObject
{
    Q_OBJECT

public:
    TrainingController(ConfigEditor* editor, TrainPage* page, RunsDock* runs, QWidget* window);
    ~TrainingController() override;

    QAction* trainAction() const { return m_trainAction; }
    QAction* pauseAction() const { return m_pauseAction; }
    QAction* stopAction() const { return m_stopAction; }
    QProgressBar* progressBar() const { return m_progress; }
    QLabel* etaLabel() const { return m_eta; }
    bool isTraining() const { return m_training; }
    bool isPaused() const { return m_paused; }
    /** Replaces the dialog that asks whether to trust a refused TorchScript file (tests answer without one). */
    void setTrustQuestion(TrustQuestion question) { m_trust.setQuestion(std::move(question)); }

public Q_SLOTS:
    void startTraining();
    void stopTraining();
    void togglePause();

Q_SIGNALS:
    void statusMessage(const QString& text);
    /** A run started or ended: the window locks or unlocks what must not change meanwhile. */
    void trainingChanged(bool training);
    /** Training writes into this runs folder (the config's runs_dir). */
    void runsRootChanged(const QString& folder);
    /** Emitted when a training run has ended, however it ended. */
    void trainingEnded(bool cancelled, const QString& error);

private:
    void createActions(QWidget* window);
    void train(const core::ExperimentConfig& config);
    void setTraining(bool training);
    void onStarted(const QString& runDirectory, qint64 totalSteps);
    void onStep(const tau::core::StepRecord& record);
    void onFinished(bool cancelled, const QString& runDirectory, const QString& error);
    /** After a TorchScript refusal: asks, and on yes trusts the file and trains again. @return whether it did. */
    bool retryWithTrust();

    ConfigEditor* m_editor;
    TrainPage* m_page;
    RunsDock* m_runs;
    QAction* m_trainAction = nullptr;
    QAction* m_pauseAction = nullptr;
    QAction* m_stopAction = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_eta = nullptr;
    PendingTrust m_trust; ///< the TorchScript file the last run refused, until answered

    QThread m_workerThread;
    TrainingWorker* m_worker = nullptr;
    bool m_training = false;
    bool m_paused = false;
    qint64 m_lastStep = 0;
    core::ExperimentConfig m_config; ///< what the current (or last) run trains
};

} // namespace tau::app
