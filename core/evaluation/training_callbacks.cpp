#include "core/evaluation/training_callbacks.h"

#include "core/evaluation/knn_monitor.h"
#include "core/training/communication_report.h"

namespace tau::core {

std::vector<std::shared_ptr<TrainingCallback>> trainingCallbacks(const ExperimentConfig& config)
{
    std::vector<std::shared_ptr<TrainingCallback>> callbacks;
    if (config.logging.knnEvery > 0) {
        callbacks.push_back(std::make_shared<KnnMonitor>(config));
    }
    callbacks.push_back(std::make_shared<CommunicationReport>());
    return callbacks;
}

} // namespace tau::core
