#pragma once

// Torch-free, so the file readers and their fuzz targets can use it.

#include <cstdint>
#include <string>

namespace tau::core {

/**
 * The memory a reader may allocate for one file now, in bytes: the machine's available memory and free swap
 * (MemAvailable + SwapFree of /proc/meminfo), capped by TAU_MAX_MEMORY (bytes, or with a K, M, G or T suffix)
 * when that is set, e.g. on a node shared with other jobs.
 */
uint64_t memoryBudgetBytes();

/** @p bytes as "1.5 GiB", "320 MiB", "12 KiB" or "18 bytes". */
std::string byteSizeText(uint64_t bytes);

/**
 * Refuses an allocation a file asks for before it happens: a DataError reading "SOURCE: WHAT needs 40 GiB, more
 * than the 21 GiB of memory available ..." when @p bytes exceeds memoryBudgetBytes(). Readers call it with what a
 * header declares, so a small file declaring a huge array gets this message instead of an out-of-memory kill.
 */
void requireMemoryFor(uint64_t bytes, const std::string& source, const std::string& what);

} // namespace tau::core
