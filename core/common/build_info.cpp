#include "core/common/build_info.h"

#include <ATen/detail/CUDAHooksInterface.h>
#include <torch/cuda.h>
#include <torch/version.h>
#ifdef USE_C10D_NCCL
#include <torch/csrc/cuda/nccl.h>
#endif

#include <unistd.h>

#include <climits>
#include <thread>
#include <vector>

namespace tau::core {

namespace {

/** 13000 -> "13.0" (CUDA's own encoding). */
std::string cudaVersionText(long version)
{
    return std::to_string(version / 1000) + "." + std::to_string(version % 1000 / 10);
}

/** cuDNN 9 encodes major * 10000 + minor * 100 + patch (91900 -> "9.19.0"), cuDNN 8 major * 1000 + ... (8902). */
std::string cudnnVersionText(long version)
{
    const long major = version >= 10000 ? version / 10000 : version / 1000;
    const long minorAndPatch = version >= 10000 ? version % 10000 : version % 1000;
    return std::to_string(major) + "." + std::to_string(minorAndPatch / 100) + "." + std::to_string(minorAndPatch % 100);
}

std::string joined(const std::vector<std::string>& parts)
{
    std::string text;
    for (const std::string& part : parts) {
        text += (text.empty() ? "" : " \u00b7 ") + part;
    }
    return text;
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
#ifdef TAU_LIBTORCH_HAS_CUDA
    // What the build has is known without a GPU: the CUDA hooks of libtorch_cuda report the versions it was built
    // with; only the last part depends on this machine.
    const at::CUDAHooksInterface& cuda = at::detail::getCUDAHooks();
    std::vector<std::string> parts{"CUDA " + cudaVersionText(cuda.versionCUDART())};
    parts.push_back(cuda.hasCuDNN() ? "cuDNN " + cudnnVersionText(cuda.versionCuDNN()) : "no cuDNN");
#ifdef USE_C10D_NCCL
    const std::uint64_t nccl = torch::cuda::nccl::version(); // major << 32 | minor << 16 | patch
    parts.push_back("NCCL " + std::to_string(nccl >> 32) + "." + std::to_string((nccl >> 16) & 0xFFFF) + "." +
                    std::to_string(nccl & 0xFFFF));
#else
    parts.push_back("no NCCL");
#endif
    const int gpus = int(torch::cuda::device_count());
    parts.push_back(gpus == 0 ? std::string("no GPU visible")
                              : std::to_string(gpus) + (gpus == 1 ? " GPU visible" : " GPUs visible"));
    return joined(parts);
#else
    return "CPU only (a LibTorch built without CUDA)";
#endif
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
           "LibTorch " + libtorchVersion() + " \u00b7 " + computeBackends() + "\n";
}

} // namespace tau::core
