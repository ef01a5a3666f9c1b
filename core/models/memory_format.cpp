#include "core/models/memory_format.h"

#include <torch/torch.h>

namespace tau::core {

bool usesChannelsLast(const std::string& memoryFormat, const torch::Device& device)
{
    return memoryFormat == "channels_last" || (memoryFormat == "auto" && device.is_cuda());
}

void convertToChannelsLast(torch::nn::Module& module)
{
    torch::NoGradGuard noGrad;
    for (torch::Tensor& parameter : module.parameters()) {
        if (parameter.dim() == 4) {
            parameter.set_data(parameter.contiguous(at::MemoryFormat::ChannelsLast));
        }
    }
}

} // namespace tau::core
