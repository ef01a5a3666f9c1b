#pragma once

#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>
#include <torch/serialize/archive.h>

#include <functional>
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
using ExtrasWriter = std::function<void(torch::serialize::OutputArchive&)>;
using ExtrasReader = std::function<void(torch::serialize::InputArchive&)>;

void saveCheckpoint(const std::string& path, torch::nn::Module& model, torch::optim::Optimizer* optimizer,
                    const TrainingPosition& position, const ExtrasWriter& extras = {});

/**
 * Restores a checkpoint into @p model (and @p optimizer, the extras and the RNG state when @p optimizer is
 * given: that is a resume).
 * @throws DataError naming the file when it is missing, truncated or not a checkpoint of this model.
 */
TrainingPosition loadCheckpoint(const std::string& path, torch::nn::Module& model,
                                torch::optim::Optimizer* optimizer = nullptr, const ExtrasReader& extras = {});

} // namespace tau::core
