#include "core/data/idx_reader.h"

#include "core/common/error.h"

#include <zlib.h>

#include <algorithm>

namespace tau::core {

namespace {

constexpr uint8_t kUnsignedByteType = 0x08;
constexpr int64_t kMaxElements = int64_t(1) << 34; // 16 GiB: anything larger is a corrupt header

/** Reads the whole file through zlib, which passes plain (non-gzip) files through unchanged. */
std::vector<uint8_t> readMaybeGzipped(const std::string& path)
{
    gzFile file = gzopen(path.c_str(), "rb");
    if (file == nullptr) {
        throw DataError(path + ": cannot open the file (does it exist and is it readable?)");
    }
    gzbuffer(file, 1 << 20);
    // Read straight into a growing buffer: no intermediate copies of tens of megabytes.
    std::vector<uint8_t> bytes(size_t(1) << 22);
    size_t filled = 0;
    while (true) {
        if (filled == bytes.size()) {
            bytes.resize(bytes.size() * 2);
        }
        const size_t room = std::min<size_t>(bytes.size() - filled, size_t(1) << 30);
        const int read = gzread(file, bytes.data() + filled, unsigned(room));
        if (read < 0) {
            int code = 0;
            const std::string reason = gzerror(file, &code);
            gzclose(file);
            throw DataError(path + ": the file is corrupt or truncated (" + reason + ")");
        }
        if (read == 0) {
            break;
        }
        filled += size_t(read);
    }
    gzclose(file);
    bytes.resize(filled);
    return bytes;
}

uint32_t readBigEndian32(const uint8_t* bytes)
{
    return (uint32_t(bytes[0]) << 24) | (uint32_t(bytes[1]) << 16) | (uint32_t(bytes[2]) << 8) | uint32_t(bytes[3]);
}

} // namespace

IdxArray decodeIdx(std::vector<uint8_t> bytes, const std::string& sourceName)
{
    if (bytes.size() < 4 || bytes[0] != 0 || bytes[1] != 0) {
        throw DataError(sourceName + ": not an IDX file (expected the magic number 0x0000 at the start)");
    }
    if (bytes[2] != kUnsignedByteType) {
        throw DataError(sourceName + ": unsupported IDX element type 0x" + std::to_string(bytes[2]) +
                        " (expected 0x08, unsigned bytes)");
    }
    const int dims = bytes[3];
    if (dims < 1 || dims > 4) {
        throw DataError(sourceName + ": unsupported IDX rank " + std::to_string(dims) + " (expected 1 to 4)");
    }
    const size_t headerSize = 4 + 4 * size_t(dims);
    if (bytes.size() < headerSize) {
        throw DataError(sourceName + ": truncated IDX header");
    }
    IdxArray array;
    int64_t elements = 1;
    for (int d = 0; d < dims; ++d) {
        const int64_t extent = readBigEndian32(bytes.data() + 4 + 4 * d);
        array.shape.push_back(extent);
        elements *= extent;
        if (elements > kMaxElements) {
            throw DataError(sourceName + ": IDX header declares an implausibly large array");
        }
    }
    const size_t expected = headerSize + size_t(elements);
    if (bytes.size() < expected) {
        throw DataError(sourceName + ": truncated: the header declares " + std::to_string(elements) +
                        " bytes of data, the file holds " + std::to_string(bytes.size() - headerSize));
    }
    // Drop the header and any trailing bytes in place, then hand the buffer over without a copy.
    bytes.resize(expected);
    bytes.erase(bytes.begin(), bytes.begin() + long(headerSize));
    array.data = std::move(bytes);
    return array;
}

IdxArray readIdxFile(const std::string& path)
{
    return decodeIdx(readMaybeGzipped(path), path);
}

} // namespace tau::core
