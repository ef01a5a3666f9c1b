#pragma once

// Torch-free, so the About box, `--version` and the run files can say what the core was built with.

#include <string>

namespace tau::core {

/** The tool's version (the CMake project's), e.g. "0.1.0". */
std::string toolVersion();

/** The checkout's git revision when it was built, with "-dirty" for uncommitted changes; "unknown" elsewhere. */
std::string gitRevision();

/** The LibTorch version the core was built against, e.g. "1.13.1". */
std::string libtorchVersion();

/**
 * What this LibTorch offers beside the CPU, and whether this machine has a GPU for it, e.g.
 * "CUDA 13.0 · cuDNN 9.19.0 · NCCL 2.28.9 · no GPU visible", or "CPU only (a LibTorch built without CUDA)".
 */
std::string computeBackends();

/** What training would run on now, e.g. "CPU (2 threads)" or "CUDA: NVIDIA H200". */
std::string computeDeviceSummary();

/** This machine's host name ("unknown" when it cannot be read). */
std::string hostName();

/** The text `--version` prints for @p program: version, git revision, then LibTorch and its backends on one line. */
std::string versionReport(const std::string& program);

} // namespace tau::core
