#pragma once

#include <torch/types.h>

#include <optional>
#include <string>

namespace tau::core {

/** What PyTorch's caching allocator holds for tensors on one GPU, in MiB. */
struct GpuMemory
{
    double inUseMb = 0; ///< allocated to tensors now
    double peakMb = 0;  ///< the most allocated since the last resetGpuPeak()
};

/** The GPU memory of @p device; nullopt on the CPU and in a LibTorch built without CUDA. */
std::optional<GpuMemory> gpuMemory(const torch::Device& device);

/** Starts a new peak for gpuMemory() (each epoch's peak is its own). Does nothing on the CPU. */
void resetGpuPeak(const torch::Device& device);

/** The numbers a "CUDA out of memory" error states, as it wrote them ("2.00 GiB"); empty where it did not say. */
struct OutOfMemoryFacts
{
    std::string requested; ///< what the failing allocation asked for
    std::string free;      ///< what the GPU had free
    std::string total;     ///< the GPU's capacity
};

/** Reads PyTorch's message, both the 2.x wording ("of which 1.50 GiB is free") and 1.13's ("1.50 GiB free"). */
OutOfMemoryFacts outOfMemoryFacts(const std::string& message);

/**
 * One line for a run stopped by GPU memory: what was being done and with what batch size, the memory asked for
 * and what was free, and what to lower. @p doing names the work ("training step 12", "evaluation"), @p batchKey
 * the config key or option of the batch size and @p batchSize its value (0: not known here).
 */
std::string outOfMemoryMessage(const std::string& message, const std::string& doing, const std::string& batchKey,
                               int batchSize);

} // namespace tau::core
