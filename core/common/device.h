#pragma once

#include <torch/types.h>

#include <string>

namespace tau::core {

/**
 * "cuda" and "auto" pick the GPU when this LibTorch build has CUDA and a device is visible; "auto" falls back
 * to the CPU. @throws TauError for "cuda" without one.
 */
torch::Device resolveDevice(const std::string& choice);

/** Sets torch's intra-op threads: @p requested, or one per core when 0 (torch itself defaults to 1). */
int configureThreads(int requested);

/** A one-line description for logs, e.g. "cpu, 2 threads". */
std::string describeDevice(const torch::Device& device);

} // namespace tau::core
