#pragma once

// Torch-free, so the fuzz targets can exercise it on raw bytes.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace tau::core {

/** One record (a file inside) of a zip archive, as its directory describes it and the checks confirmed. */
struct ZipRecord
{
    std::string name;
    uint64_t headerOffset = 0; ///< its local header in the archive
    uint64_t dataOffset = 0;   ///< its bytes as stored, after the local header
    uint64_t storedSize = 0;   ///< bytes in the archive
    uint64_t size = 0;         ///< bytes once read: what a reader allocates for it
    bool deflated = false;     ///< compressed with deflate; else stored as is
};

/** A zip archive's records, or what is wrong with it. */
struct ZipArchive
{
    std::vector<ZipRecord> records;
    std::string problem; ///< empty when every record is whole and declares its true size
    std::map<std::string, size_t> byLowercaseName; ///< index into records

    /** The record named @p name, compared as LibTorch's reader compares (ignoring case); null when absent. */
    const ZipRecord* find(const std::string& name) const;
};

/**
 * Reads the directory of a zip archive (the container of LibTorch checkpoints and TorchScript files) and checks
 * every record before anything allocates for it: its bytes lie inside the archive and overlap no other record's,
 * its name is unique, it is stored or deflated, its declared size is the size it really has (a deflated record
 * is inflated in bounded chunks to count), and it matches its CRC-32. LibTorch's reader skips these checks, so a
 * bit flipped on disk would load as a changed weight, and a record declaring gigabytes would be allocated as such.
 */
ZipArchive readZipArchive(const std::vector<uint8_t>& bytes);

/** A checked record's bytes, inflated when deflated (records under 4 GiB); @p record comes from readZipArchive(@p bytes). */
std::vector<uint8_t> recordBytes(const std::vector<uint8_t>& bytes, const ZipRecord& record);

/** readZipArchive(@p bytes).problem: empty when the archive is whole (e.g. "record archive/data/3 fails its CRC-32"). */
std::string zipIntegrityProblem(const std::vector<uint8_t>& bytes);

} // namespace tau::core
