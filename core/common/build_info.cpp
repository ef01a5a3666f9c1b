#include "core/common/build_info.h"

#include <torch/cuda.h>
#include <torch/utils.h>
#include <torch/version.h>

#include <thread>

namespace tau::core {

std::string libtorchVersion()
{
    return std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) + "." +
           std::to_string(TORCH_VERSION_PATCH);
}

std::string computeDeviceSummary()
{
    if (torch::cuda::is_available()) {
        return "CUDA, " + std::to_string(torch::cuda::device_count()) + " GPU(s)";
    }
    return "CPU (" + std::to_string(std::max(1u, std::thread::hardware_concurrency())) + " cores)";
}

} // namespace tau::core
