#define TAU_LIBTORCH_WITH_AUTOCAST
#include "core/common/libtorch_compat.h"

#include "core/common/autocast.h"

namespace tau::core {

ReducedPrecisionScope::ReducedPrecisionScope(const torch::Device& device, bool enabled)
    : m_device(device.type())
    , m_wasEnabled(compat::autocastEnabled(m_device))
    , m_previousType(compat::autocastType(m_device))
    , m_changed(enabled)
{
    if (m_changed) {
        compat::setAutocast(m_device, true, torch::kBFloat16);
        at::autocast::increment_nesting();
    }
}

ReducedPrecisionScope::~ReducedPrecisionScope()
{
    if (m_changed) {
        // Autocast caches the bf16 copies of the weights for one forward; the cache is dropped when the outermost
        // scope ends, as torch.autocast does, so the next step casts the updated weights.
        if (at::autocast::decrement_nesting() == 0) {
            at::autocast::clear_cache();
        }
        compat::setAutocast(m_device, m_wasEnabled, m_previousType);
    }
}

FullPrecisionScope::FullPrecisionScope()
    : m_cpuWasEnabled(compat::autocastEnabled(c10::DeviceType::CPU))
    , m_cudaWasEnabled(compat::autocastEnabled(c10::DeviceType::CUDA))
{
    compat::setAutocast(c10::DeviceType::CPU, false, compat::autocastType(c10::DeviceType::CPU));
    compat::setAutocast(c10::DeviceType::CUDA, false, compat::autocastType(c10::DeviceType::CUDA));
}

FullPrecisionScope::~FullPrecisionScope()
{
    compat::setAutocast(c10::DeviceType::CPU, m_cpuWasEnabled, compat::autocastType(c10::DeviceType::CPU));
    compat::setAutocast(c10::DeviceType::CUDA, m_cudaWasEnabled, compat::autocastType(c10::DeviceType::CUDA));
}

torch::Tensor fullPrecision(const torch::Tensor& tensor)
{
    const auto type = tensor.scalar_type();
    return type == torch::kBFloat16 || type == torch::kHalf ? tensor.to(torch::kFloat) : tensor;
}

} // namespace tau::core
