#pragma once

// Torch-free, so the fuzz targets can exercise it on raw bytes.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace tau::core {

/** What a pickle declares, found by walking its opcodes: no object is built, nothing is imported or called. */
struct PickleAudit
{
    std::string problem;              ///< empty when nothing it declares exceeds the bytes behind it
    std::vector<std::string> globals; ///< every "module.name" it refers to, in order of first use
    uint64_t storageBytes = 0;        ///< the bytes of the tensor storages it declares, each counted once
    /// The bytes of its tensors laid out densely (elements x element size, summed; saturates). A view may repeat
    /// its storage's elements (stride 0), so a small storage can declare a tensor that a copy makes enormous.
    uint64_t tensorBytes = 0;
    std::string largestTensor; ///< the shape and dense size of the largest tensor, for messages
};

/** The size in bytes of the archive record holding storage @p key; nullopt when the archive has none. */
using StorageRecordSize = std::function<std::optional<uint64_t>(const std::string& key)>;

/**
 * Checks a pickle of torch.save or TorchScript (protocols 0-5) before LibTorch's unpickler reads it, against what
 * that unpickler would allocate from it: every length-prefixed string or byte run fits in the bytes that follow;
 * memo slots are filled in order (LibTorch fills every slot up to a declared one, so one opcode declaring slot
 * 4,000,000,000 would allocate 64 GB); every tensor storage ('storage', type, key, location, count) names a record
 * at least count x element size long (LibTorch takes the count as the storage's size whatever the record holds);
 * every tensor rebuilt by torch._utils._rebuild_tensor_v2 lies inside its storage (and tensorBytes adds up what
 * those views hold once copied, for the caller to weigh against memory). The walk itself keeps at most
 * 4,194,304 values (a torch pickle holds thousands), so no pickle can make it allocate more than about 0.5 GB.
 */
PickleAudit auditPickle(const uint8_t* data, size_t size, const StorageRecordSize& storageRecord);

} // namespace tau::core
