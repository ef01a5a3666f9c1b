#include "core/common/build_info.h"

#include <ATen/Context.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <unistd.h>

#include <climits>
#include <thread>

namespace tau::core {

namespace {

/** 12010 -> "12.1", 8902 -> "8.9.2" (CUDA's and cuDNN's own encodings). */
std::string cudaVersionText(long version)
{
    return std::to_string(version / 1000) + "." + std::to_string(version % 1000 / 10);
}

std::string cudnnVersionText(long version)
{
    return std::to_string(version / 1000) + "." + std::to_string(version % 1000 / 100) + "." +
           std::to_string(version % 100);
}

} // namespace

std::string toolVersion()
{
    return TAU_VERSION;
}

std::string libtorchVersion()
{
    return std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) + "." +
           std::to_string(TORCH_VERSION_PATCH);
}

std::string computeBackends()
{
    const at::CUDAHooksInterface& cuda = at::detail::getCUDAHooks();
    if (!cuda.hasCUDA()) {
        // Either a CPU-only LibTorch (Debian's) or no usable GPU here; the stub hooks cannot tell versions.
        return "CPU (no CUDA device usable with this LibTorch)";
    }
    const int gpus = cuda.getNumGPUs();
    std::string text = "CPU, CUDA " + cudaVersionText(cuda.versionCUDART()) + " (" + std::to_string(gpus) +
                       (gpus == 1 ? " GPU)" : " GPUs)");
    text += cuda.hasCuDNN() ? ", cuDNN " + cudnnVersionText(cuda.versionCuDNN()) : ", no cuDNN";
    return text;
}

std::string computeDeviceSummary()
{
    if (torch::cuda::is_available()) {
        return "CUDA, " + std::to_string(torch::cuda::device_count()) + " GPU(s)";
    }
    return "CPU (" + std::to_string(std::max(1u, std::thread::hardware_concurrency())) + " cores)";
}

std::string hostName()
{
    char name[HOST_NAME_MAX + 1] = {};
    return gethostname(name, sizeof(name) - 1) == 0 && name[0] != '\0' ? std::string(name) : "unknown";
}

std::string versionReport(const std::string& program)
{
    return program + " " + toolVersion() + "\n" + "git revision: " + gitRevision() + "\n" +
           "LibTorch: " + libtorchVersion() + "\n" + "compute backends: " + computeBackends() + "\n";
}

} // namespace tau::core
