#include "core/training/objective_state.h"

#include "core/distributed/communicator.h"
#include "core/training/objective.h"
#include "core/training/optimizer_factory.h"

namespace tau::core {

void saveObjectiveState(const std::string& path, TrainingObjective& objective, ConfiguredOptimizer& optimizer,
                        const TrainingPosition& position)
{
    saveCheckpoint(path, objective.model(), &optimizer.inner(), position,
                   [&objective](torch::serialize::OutputArchive& archive) { objective.saveExtras(archive); });
}

TrainingPosition loadObjectiveState(const std::string& path, TrainingObjective& objective,
                                    ConfiguredOptimizer& optimizer)
{
    return loadCheckpoint(path, objective.model(), &optimizer.inner(),
                          [&objective](torch::serialize::InputArchive& archive) { objective.loadExtras(archive); });
}

void broadcastModelState(TrainingObjective& objective, Communicator& communicator)
{
    torch::NoGradGuard noGrad;
    for (torch::Tensor tensor : objective.model().parameters()) {
        communicator.broadcast(tensor);
    }
    for (torch::Tensor tensor : objective.model().buffers()) {
        communicator.broadcast(tensor);
    }
}

} // namespace tau::core
