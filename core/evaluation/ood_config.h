#pragma once

#include "core/evaluation/ood_evaluation.h"

#include <functional>
#include <string>

namespace tau::core {

/**
 * Reads an OOD evaluation config: ours (checkpoint, in_dataset, out_datasets, scores, name, knn_k, ...) or
 * the original repository's OOD JSON layout (dataset.in_dataset, dataset.out_datasets, model.encoder with
 * exp_dir and checkpoint_name, or a list of them for the ensemble; its evaluator class picks the scores).
 * @throws ConfigError naming the key and line.
 */
OodEvaluationOptions loadOodConfigFile(const std::string& path, const std::function<void(const std::string&)>& warn = {});

} // namespace tau::core
