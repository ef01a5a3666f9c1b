#include "core/common/gpu_memory.h"

#ifdef TAU_LIBTORCH_HAS_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#endif

#include <algorithm>
#include <regex>

namespace tau::core {

namespace {

constexpr double kMebibyte = 1024.0 * 1024.0;

/** The first group of @p pattern in @p text, or "". */
std::string firstMatch(const std::string& text, const std::regex& pattern)
{
    std::smatch match;
    return std::regex_search(text, match, pattern) ? match[1].str() : std::string();
}

} // namespace

std::optional<GpuMemory> gpuMemory(const torch::Device& device)
{
#ifdef TAU_LIBTORCH_HAS_CUDA
    if (device.is_cuda()) {
        const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(device.has_index() ? device.index() : 0);
        const auto& allocated = stats.allocated_bytes[0]; // index 0: the aggregate over the allocator's pools
        return GpuMemory{double(allocated.current) / kMebibyte, double(allocated.peak) / kMebibyte};
    }
#else
    (void)device;
#endif
    return std::nullopt;
}

void resetGpuPeak(const torch::Device& device)
{
#ifdef TAU_LIBTORCH_HAS_CUDA
    if (device.is_cuda()) {
        c10::cuda::CUDACachingAllocator::resetPeakStats(device.has_index() ? device.index() : 0);
    }
#else
    (void)device;
#endif
}

OutOfMemoryFacts outOfMemoryFacts(const std::string& message)
{
    static const std::string size = R"(([0-9.]+ [KMGTP]?i?B))";
    OutOfMemoryFacts facts;
    facts.requested = firstMatch(message, std::regex("Tried to allocate " + size));
    facts.free = firstMatch(message, std::regex("of which " + size + " is free"));
    if (facts.free.empty()) {
        facts.free = firstMatch(message, std::regex("; " + size + " free"));
    }
    facts.total = firstMatch(message, std::regex("total capacity of " + size));
    if (facts.total.empty()) {
        facts.total = firstMatch(message, std::regex(size + " total capacity"));
    }
    return facts;
}

std::string outOfMemoryMessage(const std::string& message, const std::string& doing, const std::string& batchKey,
                               int batchSize)
{
    const OutOfMemoryFacts facts = outOfMemoryFacts(message);
    std::string line = "GPU memory ran out in " + doing;
    if (batchSize > 0) {
        line += " with " + batchKey + " = " + std::to_string(batchSize);
    }
    line += ": it asked for " + (facts.requested.empty() ? std::string("more") : facts.requested);
    line += " with " + (facts.free.empty() ? std::string("an unknown amount") : facts.free) + " free";
    if (!facts.total.empty()) {
        line += " of " + facts.total;
    }
    line += ". Lower " + batchKey;
    if (batchSize > 1) {
        line += " (to " + std::to_string(batchSize / 2) + ", say)";
    }
    line += ", use precision: bf16, or choose a smaller model.encoder";
    return line;
}

} // namespace tau::core
