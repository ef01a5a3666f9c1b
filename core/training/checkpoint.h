#pragma once

#include "core/models/contrastive_model.h"

#include <torch/optim/optimizer.h>

#include <string>

namespace tau::core {

/** Where training stood when a checkpoint was written. */
struct TrainingPosition
{
    long long step = 0;  ///< optimisation steps done
    int epoch = 0;       ///< 0-based epoch in progress (== epochs done when stepInEpoch is 0)
    int stepInEpoch = 0; ///< steps of that epoch already done
};

/**
 * Saves model, optimizer, position and the CPU RNG state to @p path through a temporary file and a rename,
 * so an interrupted or failed write never leaves a half-written checkpoint in place.
 * @throws TauError naming the path (e.g. disk full); the previous file at @p path is then untouched.
 */
void saveCheckpoint(const std::string& path, ContrastiveModel& model, torch::optim::Optimizer* optimizer,
                    const TrainingPosition& position);

/**
 * Restores a checkpoint into @p model (and @p optimizer and the RNG state when @p optimizer is given).
 * @throws DataError naming the file when it is missing, truncated or not a checkpoint of this model.
 */
TrainingPosition loadCheckpoint(const std::string& path, ContrastiveModel& model,
                                torch::optim::Optimizer* optimizer = nullptr);

} // namespace tau::core
