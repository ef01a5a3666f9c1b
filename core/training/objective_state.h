#pragma once

// The whole of what a run trains, saved, restored and shared as one: the objective's model with what it keeps
// beside it (saveExtras/loadExtras) and the optimiser's state.

#include "core/training/checkpoint.h"

#include <string>

namespace tau::core {

class Communicator;
class ConfiguredOptimizer;
class TrainingObjective;

/** Writes @p objective and @p optimizer at @p position to the checkpoint @p path. */
void saveObjectiveState(const std::string& path, TrainingObjective& objective, ConfiguredOptimizer& optimizer,
                        const TrainingPosition& position);

/** Restores them from the checkpoint @p path; @return the position it was saved at. */
TrainingPosition loadObjectiveState(const std::string& path, TrainingObjective& objective,
                                    ConfiguredOptimizer& optimizer);

/** Every rank starts from rank 0's weights and BatchNorm statistics (as DistributedDataParallel does). */
void broadcastModelState(TrainingObjective& objective, Communicator& communicator);

} // namespace tau::core
