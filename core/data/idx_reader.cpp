#include "core/data/idx_reader.h"

#include "core/common/error.h"
#include "core/common/memory_budget.h"

#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <memory>

namespace tau::core {

namespace {

constexpr uint8_t kUnsignedByteType = 0x08;
/** Deflate cannot shrink data more than 1032-fold: the most a gzip file can declare for its size. */
constexpr uint64_t kDeflateMaxRatio = 1032;

uint32_t readBigEndian32(const uint8_t* bytes)
{
    return (uint32_t(bytes[0]) << 24) | (uint32_t(bytes[1]) << 16) | (uint32_t(bytes[2]) << 8) | uint32_t(bytes[3]);
}

/** What an IDX header declares. */
struct IdxHeader
{
    std::vector<int64_t> shape;
    size_t headerSize = 0;
    uint64_t dataBytes = 0;
};

/** The first 4 bytes: magic, element type, rank. @return the header's whole size. */
size_t headerSizeOf(const uint8_t* bytes, size_t available, const std::string& source)
{
    if (available < 4 || bytes[0] != 0 || bytes[1] != 0) {
        throw DataError(source + ": not an IDX file (expected the magic number 0x0000 at the start)");
    }
    if (bytes[2] != kUnsignedByteType) {
        throw DataError(source + ": unsupported IDX element type 0x" + std::to_string(bytes[2]) +
                        " (expected 0x08, unsigned bytes)");
    }
    const int dims = bytes[3];
    if (dims < 1 || dims > 4) {
        throw DataError(source + ": unsupported IDX rank " + std::to_string(dims) + " (expected 1 to 4)");
    }
    return 4 + 4 * size_t(dims);
}

IdxHeader parseHeader(const uint8_t* bytes, size_t available, const std::string& source)
{
    IdxHeader header;
    header.headerSize = headerSizeOf(bytes, available, source);
    if (available < header.headerSize) {
        throw DataError(source + ": truncated IDX header");
    }
    __int128 elements = 1; // checked after each extent (< 2^32), so the product never passes 2^95
    for (size_t at = 4; at < header.headerSize; at += 4) {
        header.shape.push_back(readBigEndian32(bytes + at));
        elements *= header.shape.back();
        if (elements > __int128(UINT64_MAX / 2)) {
            throw DataError(source + ": the IDX header declares an impossibly large array (damaged or not IDX)");
        }
    }
    header.dataBytes = uint64_t(elements);
    return header;
}

std::string truncatedMessage(const std::string& source, uint64_t declared, uint64_t held)
{
    return source + ": truncated: the header declares " + std::to_string(declared) + " bytes of data, the file holds " +
           std::to_string(held);
}

struct GzClose
{
    void operator()(gzFile_s* file) const { gzclose(file); }
};

/** Reads exactly @p size bytes through zlib (which passes plain files through); @return how many it got. */
uint64_t readUpTo(gzFile file, uint8_t* into, uint64_t size, const std::string& path)
{
    uint64_t filled = 0;
    while (filled < size) {
        const auto chunk = unsigned(std::min<uint64_t>(size - filled, uint64_t(1) << 30));
        const int read = gzread(file, into + filled, chunk);
        if (read < 0) {
            int code = 0;
            throw DataError(path + ": the file is corrupt or truncated (" + gzerror(file, &code) + ")");
        }
        if (read == 0) {
            break;
        }
        filled += uint64_t(read);
    }
    return filled;
}

} // namespace

IdxArray decodeIdx(std::vector<uint8_t> bytes, const std::string& sourceName)
{
    const IdxHeader header = parseHeader(bytes.data(), bytes.size(), sourceName);
    if (bytes.size() - header.headerSize < header.dataBytes) {
        throw DataError(truncatedMessage(sourceName, header.dataBytes, bytes.size() - header.headerSize));
    }
    // Drop the header and any trailing bytes in place, then hand the buffer over without a copy.
    bytes.resize(header.headerSize + size_t(header.dataBytes));
    bytes.erase(bytes.begin(), bytes.begin() + long(header.headerSize));
    IdxArray array;
    array.shape = header.shape;
    array.data = std::move(bytes);
    return array;
}

IdxArray readIdxFile(const std::string& path)
{
    std::unique_ptr<gzFile_s, GzClose> file(gzopen(path.c_str(), "rb"));
    std::error_code error;
    const uint64_t fileSize = std::filesystem::file_size(path, error);
    if (file == nullptr || error) {
        throw DataError(path + ": cannot open the file (does it exist and is it readable?)");
    }
    gzbuffer(file.get(), 1 << 20);
    // The header first: what it declares is checked against the file before anything is allocated for the data.
    uint8_t headerBytes[20] = {};
    size_t got = size_t(readUpTo(file.get(), headerBytes, 4, path));
    const size_t headerSize = headerSizeOf(headerBytes, got, path);
    got += size_t(readUpTo(file.get(), headerBytes + 4, headerSize - 4, path));
    const IdxHeader header = parseHeader(headerBytes, got, path);
    if (gzdirect(file.get()) != 0) {
        if (fileSize - header.headerSize < header.dataBytes) {
            throw DataError(truncatedMessage(path, header.dataBytes, fileSize - header.headerSize));
        }
    } else if (header.dataBytes / kDeflateMaxRatio > fileSize) {
        throw DataError(path + ": the header declares " + std::to_string(header.dataBytes) + " bytes of data, more than a " +
                        std::to_string(fileSize) + "-byte gzip file can hold (damaged or crafted)");
    }
    requireMemoryFor(header.dataBytes, path, "its IDX array");
    IdxArray array;
    array.shape = header.shape;
    array.data.resize(size_t(header.dataBytes));
    const uint64_t read = readUpTo(file.get(), array.data.data(), header.dataBytes, path);
    if (read < header.dataBytes) {
        throw DataError(truncatedMessage(path, header.dataBytes, read));
    }
    return array;
}

} // namespace tau::core
