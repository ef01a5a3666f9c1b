#include "core/data/lazy_image_files.h"

#include "core/common/error.h"
#include "core/data/image_decoder.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <cstring>

namespace tau::core {

LazyImageFiles::LazyImageFiles(std::vector<std::string> paths, int channels, DecodeShape shape, size_t cacheBytes)
    : m_paths(std::move(paths))
    , m_channels(channels)
    , m_shape(shape)
    , m_cacheCapacity(cacheBytes / std::max<size_t>(1, size_t(channels) * size_t(shape.size) * size_t(shape.size)))
    , m_extents(m_paths.size())
{
}

std::vector<uint8_t> LazyImageFiles::decode(int64_t index, ImageExtent& extent) const
{
    const std::string& file = m_paths[size_t(index)];
    return decodeImage(readWholeFile(file), m_channels, m_shape, file, &extent).pixels;
}

bool LazyImageFiles::fromCache(int64_t index, uint8_t* destination) const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    const auto found = m_cache.find(index);
    if (found == m_cache.end()) {
        return false;
    }
    std::memcpy(destination, found->second.first.data(), found->second.first.size());
    m_recent.splice(m_recent.begin(), m_recent, found->second.second);
    return true;
}

void LazyImageFiles::intoCache(int64_t index, std::vector<uint8_t> pixels) const
{
    if (m_cacheCapacity == 0) {
        return;
    }
    std::lock_guard<std::mutex> lock(m_mutex);
    if (m_cache.count(index)) {
        return;
    }
    while (m_cache.size() >= m_cacheCapacity && !m_recent.empty()) {
        m_cache.erase(m_recent.back());
        m_recent.pop_back();
    }
    m_recent.push_front(index);
    m_cache.emplace(index, std::make_pair(std::move(pixels), m_recent.begin()));
}

torch::Tensor LazyImageFiles::load(const std::vector<int64_t>& indices, std::vector<ImageExtent>* extents) const
{
    const int64_t side = m_shape.size;
    const int64_t imageBytes = int64_t(m_channels) * side * side;
    torch::Tensor batch = torch::empty({int64_t(indices.size()), m_channels, side, side}, torch::kUInt8);
    uint8_t* out = batch.data_ptr<uint8_t>();
    std::vector<std::string> errors(indices.size());
    // Decoding is the slow part: spread it over torch's worker threads.
    at::parallel_for(0, int64_t(indices.size()), 1, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
            uint8_t* destination = out + i * imageBytes;
            if (fromCache(indices[size_t(i)], destination)) {
                continue;
            }
            try {
                ImageExtent extent;
                std::vector<uint8_t> pixels = decode(indices[size_t(i)], extent);
                std::memcpy(destination, pixels.data(), size_t(imageBytes));
                {
                    std::lock_guard<std::mutex> lock(m_mutex);
                    m_extents[size_t(indices[size_t(i)])] = extent;
                }
                intoCache(indices[size_t(i)], std::move(pixels));
            } catch (const std::exception& error) {
                errors[size_t(i)] = error.what();
            }
        }
    });
    for (const std::string& error : errors) {
        if (!error.empty()) {
            throw DataError(error);
        }
    }
    if (extents != nullptr) {
        std::lock_guard<std::mutex> lock(m_mutex);
        extents->clear();
        for (const int64_t index : indices) {
            extents->push_back(m_extents[size_t(index)]);
        }
    }
    return batch;
}

std::shared_ptr<LazyImageFiles> LazyImageFiles::subset(const std::vector<int64_t>& indices) const
{
    std::vector<std::string> paths;
    paths.reserve(indices.size());
    for (const int64_t index : indices) {
        paths.push_back(m_paths[size_t(index)]);
    }
    const size_t cacheBytes = m_cacheCapacity * size_t(m_channels) * size_t(m_shape.size) * size_t(m_shape.size);
    return std::make_shared<LazyImageFiles>(std::move(paths), m_channels, m_shape, cacheBytes);
}

size_t LazyImageFiles::cachedImages() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_cache.size();
}

} // namespace tau::core
