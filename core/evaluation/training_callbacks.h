#pragma once

// Torch-free: tau train and the explorer's TrainingWorker compose a run's training callbacks through this.

#include "core/schema/experiment_config.h"

#include <memory>
#include <vector>

namespace tau::core {

class TrainingCallback;

/**
 * What a config asks to be measured while it trains, as training callbacks for TrainingOptions::callbacks: the
 * kNN monitor at logging.knn_every (evaluation/knn_monitor.h), and the communication report of a data-parallel
 * job (training/communication_report.h).
 */
std::vector<std::shared_ptr<TrainingCallback>> trainingCallbacks(const ExperimentConfig& config);

} // namespace tau::core
