#pragma once

// An optimizer's state in a checkpoint, the same on every LibTorch the core builds on.
//
// LibTorch's own Optimizer::save keys each parameter's state by the address of its TensorImpl: 1.13 prints it in hex
// ("0x55d1...") and 2.x in decimal, and 2.x reads the key back with std::stoull, so every hex key of a 1.13 file
// becomes 0 and all of Adam's moments land on one parameter. These write LibTorch's layout with each parameter's
// position as its key, which LibTorch's loaders of both versions read, and read any key as an opaque name.

#include <torch/optim/optimizer.h>
#include <torch/serialize/archive.h>

namespace tau::core {

/** Writes @p optimizer's state and parameter groups in LibTorch's layout, keyed by parameter position. */
void saveOptimizerState(torch::serialize::OutputArchive& archive, const torch::optim::Optimizer& optimizer);

/**
 * Reads what saveOptimizerState or LibTorch's Optimizer::save of any version wrote into @p optimizer (Adam or SGD),
 * matching parameters by position; throws when the groups or their sizes differ.
 */
void loadOptimizerState(torch::serialize::InputArchive& archive, torch::optim::Optimizer& optimizer);

} // namespace tau::core
