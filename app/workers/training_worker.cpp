#include "app/workers/training_worker.h"

#include "app/bridge/core_values.h"
#include "core/evaluation/training_callbacks.h"
#include "core/models/script_trust.h"
#include "core/training/trainer.h"

#include <QCoreApplication>

namespace tau::app {

TrainingWorker::TrainingWorker(QObject* parent) : QObject(parent)
{
    qRegisterMetaType<tau::core::StepRecord>();
    qRegisterMetaType<tau::core::EpochRecord>();
    qRegisterMetaType<tau::core::ExperimentConfig>();
}

void TrainingWorker::train(const tau::core::ExperimentConfig& config)
{
    m_cancel.reset();
    m_runDirectory.clear();
    try {
        core::TrainingOptions options;
        options.program = "tau-explorer";
        options.callbacks = core::trainingCallbacks(config);
        for (const QString& argument : QCoreApplication::arguments()) {
            options.commandLine.push_back(argument.toStdString());
        }
        const core::TrainingResult result = core::train(config, *this, m_cancel, options);
        Q_EMIT finished(result.cancelled, QString::fromStdString(result.runDirectory), QString());
    } catch (const core::UntrustedScriptError& refused) {
        Q_EMIT scriptRefused(QString::fromStdString(refused.path()), refusalReasons(refused));
        Q_EMIT finished(false, m_runDirectory, QString::fromStdString(refused.what()));
    } catch (const std::exception& error) {
        // Every failure reaches the window as a message; nothing escapes the thread.
        Q_EMIT finished(false, m_runDirectory, QString::fromStdString(error.what()));
    }
}

void TrainingWorker::onTrainingStarted(const std::string& runDirectory, long long totalSteps)
{
    m_runDirectory = QString::fromStdString(runDirectory);
    Q_EMIT started(m_runDirectory, totalSteps);
}

void TrainingWorker::onStep(const core::StepRecord& record)
{
    Q_EMIT stepDone(record);
}

void TrainingWorker::onEpochEnd(const core::EpochRecord& record)
{
    Q_EMIT epochDone(record);
}

void TrainingWorker::onMessage(const std::string& text)
{
    Q_EMIT message(QString::fromStdString(text));
}

} // namespace tau::app
