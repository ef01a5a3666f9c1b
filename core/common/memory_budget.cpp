#include "core/common/memory_budget.h"

#include "core/common/error.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>

#include <unistd.h>

namespace tau::core {

namespace {

/** MemAvailable + SwapFree in bytes; 0 when /proc/meminfo cannot be read. */
uint64_t availableFromMeminfo()
{
    std::ifstream meminfo("/proc/meminfo");
    uint64_t available = 0, swapFree = 0;
    bool found = false;
    for (std::string key; meminfo >> key;) {
        uint64_t kib = 0;
        meminfo >> kib;
        meminfo.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
        if (key == "MemAvailable:") {
            available = kib * 1024;
            found = true;
        } else if (key == "SwapFree:") {
            swapFree = kib * 1024;
        }
    }
    return found ? available + swapFree : 0;
}

/** TAU_MAX_MEMORY as bytes ("512M", "8G", "1048576"); 0 when unset or not a size. */
uint64_t configuredCap()
{
    const char* text = std::getenv("TAU_MAX_MEMORY");
    if (text == nullptr || *text == '\0') {
        return 0;
    }
    char* end = nullptr;
    const double number = std::strtod(text, &end);
    if (end == text || !(number > 0)) {
        return 0;
    }
    double scale = 1;
    switch (std::toupper(static_cast<unsigned char>(*end))) {
    case 'K': scale = 1024.0; break;
    case 'M': scale = 1024.0 * 1024; break;
    case 'G': scale = 1024.0 * 1024 * 1024; break;
    case 'T': scale = 1024.0 * 1024 * 1024 * 1024; break;
    default: break;
    }
    return uint64_t(number * scale);
}

} // namespace

uint64_t memoryBudgetBytes()
{
    uint64_t budget = availableFromMeminfo();
    if (budget == 0) { // not Linux: the physical memory is the best bound there is
        const long pages = sysconf(_SC_PHYS_PAGES), pageSize = sysconf(_SC_PAGESIZE);
        budget = pages > 0 && pageSize > 0 ? uint64_t(pages) * uint64_t(pageSize) : std::numeric_limits<uint64_t>::max();
    }
    const uint64_t cap = configuredCap();
    return cap > 0 && cap < budget ? cap : budget;
}

std::string byteSizeText(uint64_t bytes)
{
    static const char* const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    if (bytes < 1024) {
        return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
    }
    double value = double(bytes) / 1024;
    int unit = 0;
    while (value >= 1024 && unit < 5) {
        value /= 1024;
        ++unit;
    }
    char text[32];
    std::snprintf(text, sizeof text, value < 10 ? "%.1f %s" : "%.0f %s", value, units[unit]);
    return text;
}

void requireMemoryFor(uint64_t bytes, const std::string& source, const std::string& what)
{
    const uint64_t budget = memoryBudgetBytes();
    if (bytes > budget) {
        throw DataError(source + ": " + what + " needs " + byteSizeText(bytes) + ", more than the " +
                        byteSizeText(budget) + " of memory available" +
                        (std::getenv("TAU_MAX_MEMORY") != nullptr ? " (TAU_MAX_MEMORY)" : "") +
                        "; the file is damaged or crafted, or too large for this machine");
    }
}

} // namespace tau::core
