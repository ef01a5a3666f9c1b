// Sections that pull in heavy headers are asked for by a #define before the include, each guarded on its own (no
// #pragma once: a second inclusion that asks for another section must still get it).
#ifndef TAU_LIBTORCH_COMPAT_BASE
#define TAU_LIBTORCH_COMPAT_BASE
// The one place that knows which LibTorch the core is built against. The core builds on Debian's LibTorch 1.13 (CPU,
// what the .deb depends on) and on PyPI's 2.11 (CUDA, the default build); every difference between them is a name
// here, so no other file carries a version #if.

#include <torch/version.h>

/** True when the LibTorch in use is at least @p major.@p minor. */
#define TAU_LIBTORCH_AT_LEAST(major, minor)                                                                            \
    (TORCH_VERSION_MAJOR > (major) || (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

#endif // TAU_LIBTORCH_COMPAT_BASE

#if defined(TAU_LIBTORCH_WITH_OPTIM) && !defined(TAU_LIBTORCH_COMPAT_OPTIM)
#define TAU_LIBTORCH_COMPAT_OPTIM
// The optimizer's state map is keyed by the parameter's TensorImpl: by its address printed as a string up to 1.13, by
// the address itself in 2.x. Only core/training/optimizer_state.cpp asks: define TAU_LIBTORCH_WITH_OPTIM first.
#include <torch/optim/optimizer.h>

#include <sstream>
#include <string>
#include <type_traits>

namespace tau::compat {

using OptimizerStateKey = std::decay_t<decltype(std::declval<torch::optim::Optimizer&>().state())>::key_type;

/** The key of @p parameter's state (a template only so that the branch of the other version is not compiled). */
template <typename Key = OptimizerStateKey>
Key optimizerStateKey(const at::Tensor& parameter)
{
    if constexpr (std::is_same_v<Key, std::string>) {
        std::ostringstream address; // what 1.13's c10::guts::to_string(TensorImpl*) writes
        address << parameter.unsafeGetTensorImpl();
        return address.str();
    } else {
        return parameter.unsafeGetTensorImpl();
    }
}

} // namespace tau::compat
#endif

#if defined(TAU_LIBTORCH_WITH_C10D) && !defined(TAU_LIBTORCH_COMPAT_C10D)
#define TAU_LIBTORCH_COMPAT_C10D
// Only the distributed engine asks for c10d's headers (they are large): define TAU_LIBTORCH_WITH_C10D first.
#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>

namespace tau::compat {

#if TAU_LIBTORCH_AT_LEAST(2, 0)
// Since 2.0 Gloo and NCCL are c10d::Backends that a ProcessGroup dispatches to; the collectives we call are the
// same on both, so the core holds the backend itself.
using CollectiveBackend = c10d::Backend;
#else
using CollectiveBackend = c10d::ProcessGroup;
#endif

} // namespace tau::compat
#endif

#if defined(TAU_LIBTORCH_WITH_AUTOCAST) && !defined(TAU_LIBTORCH_COMPAT_AUTOCAST)
#define TAU_LIBTORCH_COMPAT_AUTOCAST
// Autocast's switches take a device type since 2.4; 1.13 has one pair of functions per device (kept in 2.x only as
// deprecated wrappers). Only core/common/autocast.cpp asks: define TAU_LIBTORCH_WITH_AUTOCAST first.
#include <ATen/autocast_mode.h>

namespace tau::compat {

inline bool autocastEnabled(c10::DeviceType device)
{
#if TAU_LIBTORCH_AT_LEAST(2, 4)
    return at::autocast::is_autocast_enabled(device);
#else
    return device == c10::DeviceType::CUDA ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
#endif
}

inline c10::ScalarType autocastType(c10::DeviceType device)
{
#if TAU_LIBTORCH_AT_LEAST(2, 4)
    return at::autocast::get_autocast_dtype(device);
#else
    return device == c10::DeviceType::CUDA ? at::autocast::get_autocast_gpu_dtype()
                                           : at::autocast::get_autocast_cpu_dtype();
#endif
}

/** Autocast on @p device on or off, to @p type. */
inline void setAutocast(c10::DeviceType device, bool enabled, c10::ScalarType type)
{
#if TAU_LIBTORCH_AT_LEAST(2, 4)
    at::autocast::set_autocast_dtype(device, type);
    at::autocast::set_autocast_enabled(device, enabled);
#else
    if (device == c10::DeviceType::CUDA) {
        at::autocast::set_autocast_gpu_dtype(type);
        at::autocast::set_enabled(enabled);
    } else {
        at::autocast::set_autocast_cpu_dtype(type);
        at::autocast::set_cpu_enabled(enabled);
    }
#endif
}

} // namespace tau::compat
#endif
