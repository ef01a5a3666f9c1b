#pragma once

#include <torch/types.h>

namespace tau::core {

/**
 * precision: bf16. While alive, torch's autocast runs the convolutions and matrix products on @p device in bfloat16
 * (the weights, their gradients and the optimiser stay float32); what was set before comes back when it ends.
 * Disabled (@p enabled false), it changes nothing.
 */
class ReducedPrecisionScope
{
public:
    ReducedPrecisionScope(const torch::Device& device, bool enabled);
    ~ReducedPrecisionScope();
    ReducedPrecisionScope(const ReducedPrecisionScope&) = delete;
    ReducedPrecisionScope& operator=(const ReducedPrecisionScope&) = delete;

private:
    c10::DeviceType m_device;
    bool m_wasEnabled;
    c10::ScalarType m_previousType;
    bool m_changed;
};

/**
 * The parts kept in float32 under bf16 (the projection and temperature heads, the losses): autocast is off on every
 * device while alive. Pair it with fullPrecision() on the inputs, which may arrive in bfloat16.
 */
class FullPrecisionScope
{
public:
    FullPrecisionScope();
    ~FullPrecisionScope();
    FullPrecisionScope(const FullPrecisionScope&) = delete;
    FullPrecisionScope& operator=(const FullPrecisionScope&) = delete;

private:
    bool m_cpuWasEnabled;
    bool m_cudaWasEnabled;
};

/** @p tensor in float32 if it is bfloat16 or float16; as it is otherwise (float32, float64, integers). */
torch::Tensor fullPrecision(const torch::Tensor& tensor);

} // namespace tau::core
