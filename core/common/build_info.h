#pragma once

// Torch-free, so the About box can show what the core was built with.

#include <string>

namespace tau::core {

/** The LibTorch version the core was built against, e.g. "1.13.1". */
std::string libtorchVersion();

/** What training would run on now, e.g. "CPU (2 threads)" or "CUDA: NVIDIA H200". */
std::string computeDeviceSummary();

} // namespace tau::core
