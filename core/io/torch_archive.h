#pragma once

// Torch-free, so the fuzz targets can exercise it on raw bytes.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace tau::core {

/** What a file of torch.save, torch.jit.save or LibTorch's OutputArchive holds, checked before LibTorch reads it. */
struct TorchArchiveAudit
{
    std::string problem;                     ///< empty when LibTorch may read it
    std::vector<std::string> globals;        ///< the classes and functions its pickles name, in order of first use
    std::map<std::string, std::string> code; ///< TorchScript source records (…/code/….py): name -> text
    uint64_t storageBytes = 0;               ///< the tensor data it declares
};

/**
 * Checks a torch archive before any LibTorch reader allocates for it: the zip records (readZipArchive: sizes, CRCs,
 * no overlaps), then every pickle in it (auditPickle: declared lengths, memo slots, each storage against its record,
 * each tensor against its storage), and the total against the memory this machine can give (memoryBudgetBytes).
 * A file written by torch.save or by tau passes; a damaged or crafted one gets a problem naming the record.
 */
TorchArchiveAudit auditTorchArchive(const std::vector<uint8_t>& bytes);

/**
 * The TorchScript source records that define a function or method ("def ..."), where a checkpoint's code records
 * only declare its attributes: a checkpoint holding functions is a program, never data written by tau.
 */
std::vector<std::string> recordsDefiningFunctions(const TorchArchiveAudit& audit);

/**
 * auditTorchArchive of a file; the problem says when it cannot be read. @p bytes, when given, receives the bytes
 * that were audited, so a reader loads exactly those (the file may change after the check).
 */
TorchArchiveAudit auditTorchFile(const std::string& path, std::vector<uint8_t>* bytes = nullptr);

} // namespace tau::core
