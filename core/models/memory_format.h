#pragma once

#include <torch/nn/module.h>
#include <torch/types.h>

#include <string>

namespace tau::core {

/** Whether a run lays images and convolution weights out NHWC: memory_format channels_last, or auto on a GPU. */
bool usesChannelsLast(const std::string& memoryFormat, const torch::Device& device);

/**
 * Lays every 4-d weight of @p module out as channels_last (NHWC), in place: the parameters stay the same tensors,
 * so an optimiser built before or after sees them. Convolutions on channels_last input then pick NHWC kernels
 * (on a GPU, cuDNN's fastest in bf16); the values, the checksums and the checkpoints do not change.
 */
void convertToChannelsLast(torch::nn::Module& module);

} // namespace tau::core
