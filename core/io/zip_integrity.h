#pragma once

// Torch-free, so the fuzz targets can exercise it on raw bytes.

#include <cstdint>
#include <string>
#include <vector>

namespace tau::core {

/**
 * Checks every record of a zip archive (the container of LibTorch checkpoints) against the CRC-32 its central
 * directory holds. LibTorch's reader skips these checks, so a bit flipped on disk would load as a changed weight.
 * @return empty when the archive is whole, else what is wrong (e.g. "record archive/data/3 fails its CRC-32").
 */
std::string zipIntegrityProblem(const std::vector<uint8_t>& bytes);

/** zipIntegrityProblem of a file; "cannot read it" when it cannot be opened. */
std::string zipFileIntegrityProblem(const std::string& path);

} // namespace tau::core
