#include "core/io/zip_integrity.h"

#include <zlib.h>

#include <fstream>
#include <iterator>

namespace tau::core {

namespace {

constexpr uint32_t kEndOfDirectory = 0x06054b50;
constexpr uint32_t kZip64EndOfDirectory = 0x06064b50;
constexpr uint32_t kZip64Locator = 0x07064b50;
constexpr uint32_t kDirectoryEntry = 0x02014b50;
constexpr uint32_t kLocalHeader = 0x04034b50;

struct Reader
{
    const std::vector<uint8_t>& bytes;

    bool has(uint64_t offset, uint64_t size) const { return offset <= bytes.size() && size <= bytes.size() - offset; }
    uint64_t read(uint64_t offset, int width) const
    {
        uint64_t value = 0;
        for (int i = width - 1; i >= 0; --i) {
            value = (value << 8) | bytes[size_t(offset) + size_t(i)];
        }
        return value;
    }
};

/** Sizes and offset of a directory entry, widened by its zip64 extra field where they overflow 32 bits. */
void widenFromZip64(const Reader& in, uint64_t extra, uint64_t extraSize, uint64_t& uncompressed, uint64_t& compressed,
                    uint64_t& offset)
{
    for (uint64_t at = extra; at + 4 <= extra + extraSize && in.has(at, 4);) {
        const uint64_t id = in.read(at, 2), size = in.read(at + 2, 2);
        if (id == 0x0001) {
            uint64_t field = at + 4;
            for (uint64_t* value : {&uncompressed, &compressed, &offset}) {
                if (*value == 0xFFFFFFFFu && field + 8 <= at + 4 + size && in.has(field, 8)) {
                    *value = in.read(field, 8);
                    field += 8;
                }
            }
            return;
        }
        at += 4 + size;
    }
}

} // namespace

std::string zipIntegrityProblem(const std::vector<uint8_t>& bytes)
{
    const Reader in{bytes};
    if (bytes.size() < 22) {
        return "too short to be a checkpoint (" + std::to_string(bytes.size()) + " bytes)";
    }
    // The end-of-directory record sits in the last 64 KiB + 22 bytes (after an optional comment).
    uint64_t end = bytes.size() - 22;
    const uint64_t lowest = bytes.size() > 65557 ? bytes.size() - 65557 : 0;
    while (in.read(end, 4) != kEndOfDirectory) {
        if (end == lowest) {
            return "not a zip archive, or cut short (no end-of-directory record)";
        }
        --end;
    }
    uint64_t entries = in.read(end + 10, 2);
    uint64_t directory = in.read(end + 16, 4);
    if (end >= 20 && in.read(end - 20, 4) == kZip64Locator) {
        const uint64_t zip64 = in.read(end - 20 + 8, 8);
        if (!in.has(zip64, 56) || in.read(zip64, 4) != kZip64EndOfDirectory) {
            return "its zip64 end-of-directory record is damaged";
        }
        entries = in.read(zip64 + 32, 8);
        directory = in.read(zip64 + 48, 8);
    }
    uint64_t at = directory;
    for (uint64_t entry = 0; entry < entries; ++entry) {
        if (!in.has(at, 46) || in.read(at, 4) != kDirectoryEntry) {
            return "its directory of records is damaged (entry " + std::to_string(entry) + ")";
        }
        const uint64_t method = in.read(at + 10, 2);
        const uint32_t expectedCrc = uint32_t(in.read(at + 16, 4));
        uint64_t compressed = in.read(at + 20, 4), uncompressed = in.read(at + 24, 4);
        const uint64_t nameSize = in.read(at + 28, 2), extraSize = in.read(at + 30, 2), commentSize = in.read(at + 32, 2);
        uint64_t local = in.read(at + 42, 4);
        if (!in.has(at + 46, nameSize + extraSize + commentSize)) {
            return "its directory of records is cut short";
        }
        const std::string name(bytes.begin() + long(at + 46), bytes.begin() + long(at + 46 + nameSize));
        widenFromZip64(in, at + 46 + nameSize, extraSize, uncompressed, compressed, local);
        if (!in.has(local, 30) || in.read(local, 4) != kLocalHeader) {
            return "record " + name + " is missing or damaged";
        }
        const uint64_t data = local + 30 + in.read(local + 26, 2) + in.read(local + 28, 2);
        if (!in.has(data, compressed)) {
            return "record " + name + " is cut short";
        }
        if (method == 0) { // stored, as LibTorch writes every record: its CRC-32 covers these bytes
            uLong crc = crc32(0L, Z_NULL, 0);
            for (uint64_t done = 0; done < compressed;) {
                const uInt chunk = uInt(std::min<uint64_t>(compressed - done, 1u << 30));
                crc = crc32(crc, bytes.data() + data + done, chunk);
                done += chunk;
            }
            if (uint32_t(crc) != expectedCrc) {
                return "record " + name + " fails its CRC-32 (changed on disk or in transfer)";
            }
        }
        at += 46 + nameSize + extraSize + commentSize;
    }
    return {};
}

std::string zipFileIntegrityProblem(const std::string& path)
{
    std::ifstream stream(path, std::ios::binary);
    if (!stream) {
        return "cannot read it";
    }
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(stream)), std::istreambuf_iterator<char>());
    return zipIntegrityProblem(bytes);
}

} // namespace tau::core
