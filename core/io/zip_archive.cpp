#include "core/io/zip_archive.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>

namespace tau::core {

namespace {

constexpr uint32_t kEndOfDirectory = 0x06054b50;
constexpr uint32_t kZip64EndOfDirectory = 0x06064b50;
constexpr uint32_t kZip64Locator = 0x07064b50;
constexpr uint32_t kDirectoryEntry = 0x02014b50;
constexpr uint32_t kLocalHeader = 0x04034b50;
constexpr uint64_t kStored = 0, kDeflated = 8;

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

std::string lowercase(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return text;
}

/**
 * Streams a record through its CRC-32 (and inflate, when deflated), @p chunk at a time, without ever holding more
 * than one chunk: @return what is wrong, or empty when it yields exactly record.size bytes with the expected CRC.
 */
std::string checkContent(const std::vector<uint8_t>& bytes, const ZipRecord& record, uint32_t expectedCrc)
{
    const uint8_t* data = bytes.data() + record.dataOffset;
    uLong crc = crc32(0L, Z_NULL, 0);
    uint64_t produced = 0;
    if (!record.deflated) {
        for (uint64_t done = 0; done < record.storedSize;) {
            const uInt chunk = uInt(std::min<uint64_t>(record.storedSize - done, 1u << 30));
            crc = crc32(crc, data + done, chunk);
            done += chunk;
        }
        produced = record.storedSize;
    } else {
        z_stream stream{};
        if (inflateInit2(&stream, -MAX_WBITS) != Z_OK) {
            return "record " + record.name + " cannot be inflated here";
        }
        std::vector<uint8_t> buffer(1 << 16);
        uint64_t consumed = 0;
        int status = Z_OK;
        while (status == Z_OK && produced <= record.size) {
            const uint64_t available = std::min<uint64_t>(record.storedSize - consumed, 1u << 30);
            stream.next_in = const_cast<Bytef*>(data + consumed);
            stream.avail_in = uInt(available);
            stream.next_out = buffer.data();
            stream.avail_out = uInt(buffer.size());
            status = inflate(&stream, Z_NO_FLUSH);
            consumed += available - stream.avail_in;
            const uint64_t chunk = buffer.size() - stream.avail_out;
            crc = crc32(crc, buffer.data(), uInt(chunk));
            produced += chunk;
            if (status == Z_BUF_ERROR && chunk == 0) {
                break; // no progress: the stream ends early
            }
            if (status == Z_BUF_ERROR) {
                status = Z_OK;
            }
        }
        inflateEnd(&stream);
        if (produced > record.size) {
            return "record " + record.name + " inflates to more than the " + std::to_string(record.size) +
                   " bytes it declares";
        }
        if (status != Z_STREAM_END) {
            return "record " + record.name + " is not a whole deflate stream (damaged or cut short)";
        }
    }
    if (produced != record.size) {
        return "record " + record.name + " declares " + std::to_string(record.size) + " bytes and holds " +
               std::to_string(produced);
    }
    if (uint32_t(crc) != expectedCrc) {
        return "record " + record.name + " fails its CRC-32 (changed on disk or in transfer)";
    }
    return {};
}

/** Two records whose bytes overlap (one payload read as many records is the classic zip bomb); empty when none. */
std::string overlapProblem(std::vector<ZipRecord> records)
{
    std::sort(records.begin(), records.end(),
              [](const ZipRecord& a, const ZipRecord& b) { return a.headerOffset < b.headerOffset; });
    for (size_t i = 1; i < records.size(); ++i) {
        if (records[i].headerOffset < records[i - 1].dataOffset + records[i - 1].storedSize) {
            return "records " + records[i - 1].name + " and " + records[i].name + " overlap";
        }
    }
    return {};
}

} // namespace

const ZipRecord* ZipArchive::find(const std::string& name) const
{
    const auto found = byLowercaseName.find(lowercase(name));
    return found == byLowercaseName.end() ? nullptr : &records[found->second];
}

ZipArchive readZipArchive(const std::vector<uint8_t>& bytes)
{
    ZipArchive archive;
    const auto fail = [&archive](std::string problem) {
        archive.records.clear();
        archive.byLowercaseName.clear();
        archive.problem = std::move(problem);
        return archive;
    };
    const Reader in{bytes};
    if (bytes.size() < 22) {
        return fail("too short to be a zip archive (" + std::to_string(bytes.size()) + " bytes)");
    }
    // The end-of-directory record sits in the last 64 KiB + 22 bytes (after an optional comment).
    uint64_t end = bytes.size() - 22;
    const uint64_t lowest = bytes.size() > 65557 ? bytes.size() - 65557 : 0;
    while (in.read(end, 4) != kEndOfDirectory) {
        if (end == lowest) {
            return fail("not a zip archive, or cut short (no end-of-directory record)");
        }
        --end;
    }
    uint64_t entries = in.read(end + 10, 2);
    uint64_t directory = in.read(end + 16, 4);
    if (end >= 20 && in.read(end - 20, 4) == kZip64Locator) {
        const uint64_t zip64 = in.read(end - 20 + 8, 8);
        if (!in.has(zip64, 56) || in.read(zip64, 4) != kZip64EndOfDirectory) {
            return fail("its zip64 end-of-directory record is damaged");
        }
        entries = in.read(zip64 + 32, 8);
        directory = in.read(zip64 + 48, 8);
    }
    uint64_t at = directory;
    for (uint64_t entry = 0; entry < entries; ++entry) {
        if (!in.has(at, 46) || in.read(at, 4) != kDirectoryEntry) {
            return fail("its directory of records is damaged (entry " + std::to_string(entry) + ")");
        }
        ZipRecord record;
        const uint64_t method = in.read(at + 10, 2);
        const auto expectedCrc = uint32_t(in.read(at + 16, 4));
        record.storedSize = in.read(at + 20, 4);
        record.size = in.read(at + 24, 4);
        const uint64_t nameSize = in.read(at + 28, 2), extraSize = in.read(at + 30, 2), commentSize = in.read(at + 32, 2);
        record.headerOffset = in.read(at + 42, 4);
        if (!in.has(at + 46, nameSize + extraSize + commentSize)) {
            return fail("its directory of records is cut short");
        }
        record.name.assign(bytes.begin() + long(at + 46), bytes.begin() + long(at + 46 + nameSize));
        widenFromZip64(in, at + 46 + nameSize, extraSize, record.size, record.storedSize, record.headerOffset);
        if (!in.has(record.headerOffset, 30) || in.read(record.headerOffset, 4) != kLocalHeader) {
            return fail("record " + record.name + " is missing or damaged");
        }
        record.dataOffset = record.headerOffset + 30 + in.read(record.headerOffset + 26, 2) + in.read(record.headerOffset + 28, 2);
        if (!in.has(record.dataOffset, record.storedSize)) {
            return fail("record " + record.name + " is cut short");
        }
        if (method != kStored && method != kDeflated) {
            return fail("record " + record.name + " uses compression method " + std::to_string(method) +
                        " (a torch archive stores or deflates its records)");
        }
        record.deflated = method == kDeflated;
        if (!record.deflated && record.size != record.storedSize) {
            return fail("record " + record.name + " is stored in " + std::to_string(record.storedSize) +
                        " bytes but declares " + std::to_string(record.size));
        }
        if (std::string problem = checkContent(bytes, record, expectedCrc); !problem.empty()) {
            return fail(std::move(problem));
        }
        if (!archive.byLowercaseName.emplace(lowercase(record.name), archive.records.size()).second) {
            return fail("two records are named " + lowercase(record.name) + " (a reader would take either)");
        }
        archive.records.push_back(std::move(record));
        at += 46 + nameSize + extraSize + commentSize;
    }
    if (std::string problem = overlapProblem(archive.records); !problem.empty()) {
        return fail(std::move(problem));
    }
    return archive;
}

std::vector<uint8_t> recordBytes(const std::vector<uint8_t>& bytes, const ZipRecord& record)
{
    const uint8_t* data = bytes.data() + record.dataOffset;
    if (!record.deflated) {
        return {data, data + record.storedSize};
    }
    std::vector<uint8_t> content(size_t(record.size));
    uLongf length = uLongf(content.size());
    z_stream stream{};
    inflateInit2(&stream, -MAX_WBITS);
    stream.next_in = const_cast<Bytef*>(data);
    stream.avail_in = uInt(record.storedSize);
    stream.next_out = content.data();
    stream.avail_out = uInt(length);
    inflate(&stream, Z_FINISH);
    inflateEnd(&stream);
    return content;
}

std::string zipIntegrityProblem(const std::vector<uint8_t>& bytes)
{
    return readZipArchive(bytes).problem;
}

} // namespace tau::core
