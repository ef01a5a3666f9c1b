#pragma once

#include "core/common/cancellation.h"
#include "core/common/training_observer.h"
#include "core/schema/experiment_config.h"

#include <QObject>
#include <QString>
#include <QStringList>

Q_DECLARE_METATYPE(tau::core::StepRecord)
Q_DECLARE_METATYPE(tau::core::EpochRecord)
Q_DECLARE_METATYPE(tau::core::ExperimentConfig)

namespace tau::app {

/**
 * Runs core training on the thread it lives on (moved to a QThread by its owner) and reports through queued
 * signals carrying plain value types. stop() may be called from any thread: it only sets the cancellation
 * flag that the trainer checks after every step.
 */
class TrainingWorker : public QObject, private core::TrainingObserver
{
    Q_OBJECT

public:
    explicit TrainingWorker(QObject* parent = nullptr);

    /** Thread-safe: asks the running training to stop after its current step. */
    void stop() { m_cancel.requestStop(); }
    /** Thread-safe: training waits after its current step until resume() (or stop()). */
    void pause() { m_cancel.pause(); }
    void resume() { m_cancel.resume(); }

public Q_SLOTS:
    void train(const tau::core::ExperimentConfig& config);

Q_SIGNALS:
    void started(const QString& runDirectory, qint64 totalSteps);
    void stepDone(const tau::core::StepRecord& record);
    void epochDone(const tau::core::EpochRecord& record);
    void message(const QString& text);
    /** The config's TorchScript encoder was refused until trusted (core/models/script_trust.h); finished follows. */
    void scriptRefused(const QString& path, const QStringList& reasons);
    /** Always emitted last: @p error is empty on success and on a requested stop. */
    void finished(bool cancelled, const QString& runDirectory, const QString& error);

private:
    void onTrainingStarted(const std::string& runDirectory, long long totalSteps) override;
    void onStep(const core::StepRecord& record) override;
    void onEpochEnd(const core::EpochRecord& record) override;
    void onMessage(const std::string& text) override;

    core::CancellationToken m_cancel;
    QString m_runDirectory;
};

} // namespace tau::app
