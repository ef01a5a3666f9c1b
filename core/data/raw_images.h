#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tau::core {

/** The size in pixels of an image as its file holds it, before any resizing. */
struct ImageExtent
{
    int64_t height = 0;
    int64_t width = 0;
};

/** Images decoded into plain memory by a file reader, before any tensor exists (testable, fuzzable). */
struct RawImages
{
    int64_t count = 0;
    int64_t channels = 1;
    int64_t height = 0;
    int64_t width = 0;
    std::vector<uint8_t> pixels;       ///< count x channels x height x width, row-major
    std::vector<int64_t> labels;       ///< one per image; empty for unlabelled sets
    std::vector<int64_t> coarseLabels; ///< CIFAR-100's 20 superclasses; empty otherwise

    int64_t imageBytes() const { return channels * height * width; }

    /** Appends @p other (same image shape) to this set. */
    void append(const RawImages& other);
};

/** Reads a whole file into memory. @throws DataError naming the file when it cannot be read. */
std::vector<uint8_t> readWholeFile(const std::string& path);

} // namespace tau::core
