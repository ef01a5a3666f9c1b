#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tau::core {

/** An IDX array (the MNIST file format) decoded into plain memory: unsigned bytes only. */
struct IdxArray
{
    std::vector<int64_t> shape; ///< e.g. {60000, 28, 28} for images, {60000} for labels
    std::vector<uint8_t> data;  ///< row-major, product(shape) bytes

    int64_t count() const { return shape.empty() ? 0 : shape.front(); }
};

/**
 * Reads an IDX file, gzipped or not (detected from the content, not the name).
 * @throws DataError naming the file and what is wrong: missing, not IDX, unsupported type, truncated.
 */
IdxArray readIdxFile(const std::string& path);

/** Decodes IDX bytes already in memory; @p sourceName is used in messages. */
IdxArray decodeIdx(std::vector<uint8_t> bytes, const std::string& sourceName);

} // namespace tau::core
