#pragma once

// Deliberately free of torch headers: the GUI worker and the CLI include this to start training.

#include "core/common/cancellation.h"
#include "core/common/training_observer.h"
#include "core/distributed/distributed_environment.h"
#include "core/schema/experiment_config.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace c10 {
struct Device;
}

namespace tau::core {

class TrainingCallback;
class TrainingObjective;
struct ModelInput;

struct TrainingOptions
{
    /** An existing run directory to continue from its checkpoints/last.pt; empty: start a new run. */
    std::string resumeRunDirectory;
    /**
     * A data-parallel job to train in (joinProcessGroup()); null: one process. Every rank calls train() with the
     * same config; rank 0 alone writes the run directory. To resume, every rank needs resumeRunDirectory readable.
     */
    std::shared_ptr<Communicator> communicator;
    /** Recorded in RUN/provenance.json with each start and resume: which program, and how it was called. */
    std::string program = "tau";
    std::vector<std::string> commandLine;
    /**
     * Called at set-up, the start, each epoch's end and the end of training (training_callback.h), in this order.
     * trainingCallbacks(config) (evaluation/training_callbacks.h) gives those a config asks for.
     */
    std::vector<std::shared_ptr<TrainingCallback>> callbacks;
    /** Builds the objective instead of config.system's catalogue row (an objective of one's own, tests). */
    std::function<std::unique_ptr<TrainingObjective>(const ExperimentConfig&, const ModelInput&, const c10::Device&)>
        makeObjective;
};

struct TrainingResult
{
    std::string runDirectory;
    bool cancelled = false;
    int epochsCompleted = 0;
    long long steps = 0;
    double lastEpochLoss = 0;
    int worldSize = 1;
};

/**
 * Trains the configured contrastive model (TaU-SimCLR or SimCLR) and writes its run directory: config.yaml,
 * metrics.jsonl, checkpoints/last.pt every epoch and on stop, checkpoints/epoch_XXXX.pt periodically.
 * Reports through @p observer on the calling thread and checks @p cancel after every step (in a distributed job
 * the ranks agree on a stop at each step, so they all stop after the same one).
 * @throws TauError (or a subclass) with a message for the user: bad data, NaN loss, a full disk.
 */
TrainingResult train(const ExperimentConfig& config, TrainingObserver& observer, const CancellationToken& cancel,
                     const TrainingOptions& options = {});

} // namespace tau::core
