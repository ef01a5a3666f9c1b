#include "core/io/torch_archive.h"

#include "core/common/memory_budget.h"
#include "core/io/pickle_audit.h"
#include "core/io/zip_archive.h"

#include <algorithm>
#include <fstream>
#include <set>

namespace tau::core {

namespace {

// Pickles and TorchScript sources are kilobytes to a few megabytes, even for large models.
constexpr uint64_t kLargestPickle = uint64_t(64) << 20;

bool endsWith(const std::string& text, const std::string& suffix)
{
    return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/** A pickle's storages live beside it in a folder of its name: archive/data.pkl keeps storage 3 in archive/data/3. */
std::string storageFolder(const std::string& pickle)
{
    return pickle.substr(0, pickle.rfind('.')) + "/";
}

} // namespace

TorchArchiveAudit auditTorchArchive(const std::vector<uint8_t>& bytes)
{
    TorchArchiveAudit audit;
    const ZipArchive archive = readZipArchive(bytes);
    if (!archive.problem.empty()) {
        audit.problem = archive.problem;
        return audit;
    }
    uint64_t recordBytesTotal = 0;
    for (const ZipRecord& record : archive.records) {
        recordBytesTotal += record.size;
    }
    // LibTorch keeps every storage record in memory at once: all of them must fit.
    const uint64_t budget = memoryBudgetBytes();
    if (recordBytesTotal > budget) {
        audit.problem = "its records need " + byteSizeText(recordBytesTotal) + ", more than the " + byteSizeText(budget) +
                        " of memory available";
        return audit;
    }
    std::set<std::string> seenGlobals;
    for (const ZipRecord& record : archive.records) {
        const bool pickle = endsWith(record.name, ".pkl") || endsWith(record.name, ".debug_pkl");
        const bool source = record.name.find("/code/") != std::string::npos && endsWith(record.name, ".py");
        if (!pickle && !source) {
            continue;
        }
        if (record.size > kLargestPickle) {
            audit.problem = "record " + record.name + " is " + byteSizeText(record.size) + ", larger than any torch writes";
            return audit;
        }
        const std::vector<uint8_t> content = recordBytes(bytes, record);
        if (source) {
            audit.code[record.name] = std::string(content.begin(), content.end());
            continue;
        }
        const std::string folder = storageFolder(record.name);
        const PickleAudit found = auditPickle(content.data(), content.size(), [&](const std::string& key) {
            const ZipRecord* storage = archive.find(folder + key);
            return storage != nullptr ? std::optional<uint64_t>(storage->size) : std::nullopt;
        });
        if (!found.problem.empty()) {
            audit.problem = "record " + record.name + ": " + found.problem;
            return audit;
        }
        for (const std::string& global : found.globals) {
            if (seenGlobals.insert(global).second) {
                audit.globals.push_back(global);
            }
        }
        audit.storageBytes += found.storageBytes;
        if (found.tensorBytes > budget) {
            // Views that repeat their storage's elements (stride 0): any copy of them would take this much.
            audit.problem = "record " + record.name + ": its tensors hold " + byteSizeText(found.tensorBytes) +
                            " once copied (the largest: " + found.largestTensor + "), more than the " +
                            byteSizeText(budget) + " of memory available";
            return audit;
        }
    }
    return audit;
}

std::vector<std::string> recordsDefiningFunctions(const TorchArchiveAudit& audit)
{
    // Printed TorchScript puts each definition on a line of its own: indentation, "def", a space.
    const auto definesFunctions = [](const std::string& source) {
        for (size_t line = 0; line < source.size();) {
            const size_t end = std::min(source.find('\n', line), source.size());
            const size_t text = source.find_first_not_of(" \t", line);
            if (text < end && source.compare(text, 4, "def ") == 0) {
                return true;
            }
            line = end + 1;
        }
        return false;
    };
    std::vector<std::string> records;
    for (const auto& [record, source] : audit.code) {
        if (definesFunctions(source)) {
            records.push_back(record);
        }
    }
    return records;
}

TorchArchiveAudit auditTorchFile(const std::string& path, std::vector<uint8_t>* audited)
{
    TorchArchiveAudit audit;
    std::ifstream stream(path, std::ios::binary | std::ios::ate);
    if (!stream) {
        audit.problem = "cannot read it";
        return audit;
    }
    const auto size = uint64_t(stream.tellg());
    requireMemoryFor(size, path, "reading the file");
    std::vector<uint8_t> bytes(size);
    stream.seekg(0);
    if (!stream.read(reinterpret_cast<char*>(bytes.data()), std::streamsize(size))) {
        audit.problem = "cannot read it";
        return audit;
    }
    audit = auditTorchArchive(bytes);
    if (audited != nullptr) {
        *audited = std::move(bytes);
    }
    return audit;
}

} // namespace tau::core
