#include "core/common/device.h"

#include "core/common/build_info.h"
#include "core/common/error.h"

#include <torch/cuda.h>
#include <torch/utils.h>

#include <cstdlib>
#include <thread>

namespace tau::core {

torch::Device resolveDevice(const std::string& choice)
{
    const bool cudaUsable = torch::cuda::is_available();
    const bool wantsCuda = choice.rfind("cuda", 0) == 0;
    if (wantsCuda && !cudaUsable) {
        throw TauError("device: '" + choice + "' was asked for, but no GPU is visible to this build (LibTorch " +
                       libtorchVersion() + " \u00b7 " + computeBackends() + "); use device: auto or cpu");
    }
    if (wantsCuda) {
        const int index = choice.size() > 5 ? std::stoi(choice.substr(5)) : 0;
        const int count = int(torch::cuda::device_count());
        if (index >= count) {
            throw TauError("device: '" + choice + "' was asked for, but only " + std::to_string(count) +
                           " GPU(s) are visible (cuda:0 to cuda:" + std::to_string(count - 1) + ")");
        }
        return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
    }
    if (choice == "auto" && cudaUsable) {
        return torch::Device(torch::kCUDA, 0);
    }
    return torch::Device(torch::kCPU);
}

int configureThreads(int requested)
{
    int threads = requested > 0 ? requested : std::max(1, int(std::thread::hardware_concurrency()));
    // $TAU_TORCH_THREADS caps it whatever the config says: ./tau test --sanitize runs ThreadSanitizer with 1, as
    // it cannot see the synchronisation of LibTorch's OpenMP threads (our own threads still run concurrently).
    if (const char* cap = std::getenv("TAU_TORCH_THREADS"); cap != nullptr && std::atoi(cap) > 0) {
        threads = std::min(threads, std::atoi(cap));
    }
    torch::set_num_threads(threads);
    return threads;
}

std::string describeDevice(const torch::Device& device)
{
    if (device.is_cuda()) {
        return "cuda:" + std::to_string(device.index());
    }
    return "cpu, " + std::to_string(torch::get_num_threads()) + " threads";
}

} // namespace tau::core
