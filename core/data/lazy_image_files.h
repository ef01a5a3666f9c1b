#pragma once

#include "core/data/image_decoder.h"

#include <torch/types.h>

#include <list>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace tau::core {

/**
 * Image files decoded only when a batch needs them, in parallel, shaped to size x size as a DecodeShape says, and
 * kept in a least-recently-used cache bounded in bytes: a folder dataset larger than memory still trains.
 */
class LazyImageFiles
{
public:
    LazyImageFiles(std::vector<std::string> paths, int channels, DecodeShape shape, size_t cacheBytes);

    int64_t count() const { return int64_t(m_paths.size()); }
    int channels() const { return m_channels; }
    int size() const { return m_shape.size; }
    const DecodeShape& shape() const { return m_shape; }
    const std::string& path(int64_t index) const { return m_paths[size_t(index)]; }

    /**
     * uint8 [B, C, size, size] for @p indices; @p extents, when given, receives each image's size in its file.
     * @throws DataError naming a file that fails to decode.
     */
    torch::Tensor load(const std::vector<int64_t>& indices, std::vector<ImageExtent>* extents = nullptr) const;

    /** A lazy set of the files at @p indices (with a cache of its own). */
    std::shared_ptr<LazyImageFiles> subset(const std::vector<int64_t>& indices) const;

    size_t cachedImages() const;

private:
    std::vector<uint8_t> decode(int64_t index, ImageExtent& extent) const;
    bool fromCache(int64_t index, uint8_t* destination) const;
    void intoCache(int64_t index, std::vector<uint8_t> pixels) const;

    std::vector<std::string> m_paths;
    int m_channels;
    DecodeShape m_shape;
    size_t m_cacheCapacity; ///< images, from the byte budget

    mutable std::mutex m_mutex;
    mutable std::list<int64_t> m_recent; ///< most recent first
    mutable std::unordered_map<int64_t, std::pair<std::vector<uint8_t>, std::list<int64_t>::iterator>> m_cache;
    mutable std::vector<ImageExtent> m_extents; ///< each file's size once decoded (a few bytes an image, never evicted)
};

} // namespace tau::core
