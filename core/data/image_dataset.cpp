#include "core/data/image_dataset.h"

#include "core/common/error.h"
#include "core/data/lazy_image_files.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <algorithm>
#include <cstring>

namespace tau::core {

int64_t ImageDataset::size() const
{
    if (files) {
        return files->count();
    }
    return images.defined() ? images.size(0) : 0;
}

int64_t ImageDataset::channels() const
{
    return files ? files->channels() : images.size(1);
}

int64_t ImageDataset::imageSize() const
{
    return files ? files->size() : images.size(2);
}

torch::Tensor ImageDataset::positionsInSource() const
{
    return sourceIndices.defined() ? sourceIndices : torch::arange(size(), torch::kLong);
}

torch::Tensor ImageDataset::gather(const torch::Tensor& indices, std::vector<ImageExtent>* extents) const
{
    if (!files) {
        if (extents != nullptr) {
            extents->assign(size_t(indices.numel()), ImageExtent{images.size(2), images.size(3)});
        }
        return images.index_select(0, indices);
    }
    const torch::Tensor contiguous = indices.to(torch::kCPU, torch::kLong).contiguous();
    const std::vector<int64_t> list(contiguous.data_ptr<int64_t>(), contiguous.data_ptr<int64_t>() + contiguous.numel());
    return files->load(list, extents);
}

ImageDataset fromRawImages(const RawImages& raw, const std::string& name)
{
    ImageDataset dataset;
    dataset.name = name;
    dataset.images = torch::empty({raw.count, raw.channels, raw.height, raw.width}, torch::kUInt8);
    std::memcpy(dataset.images.data_ptr<uint8_t>(), raw.pixels.data(), raw.pixels.size());
    if (raw.labels.empty()) {
        dataset.labels = torch::full({raw.count}, -1, torch::kLong);
    } else {
        dataset.labels = torch::tensor(raw.labels, torch::kLong);
    }
    return dataset;
}

ImageDataset selectIndices(const ImageDataset& dataset, const torch::Tensor& indices)
{
    ImageDataset subset = dataset;
    const torch::Tensor order = indices.to(torch::kLong);
    if (dataset.files) {
        const torch::Tensor contiguous = order.contiguous();
        subset.files = dataset.files->subset(
            std::vector<int64_t>(contiguous.data_ptr<int64_t>(), contiguous.data_ptr<int64_t>() + contiguous.numel()));
    } else {
        subset.images = dataset.images.index_select(0, order);
    }
    subset.labels = dataset.labels.index_select(0, order);
    subset.sourceIndices = dataset.positionsInSource().index_select(0, order);
    return subset;
}

ImageDataset seededSubset(const ImageDataset& dataset, int64_t count, uint64_t seed)
{
    if (count <= 0 || count >= dataset.size()) {
        return dataset;
    }
    auto generator = at::detail::createCPUGenerator(seed);
    const torch::Tensor order = torch::randperm(dataset.size(), generator, torch::kLong).slice(0, 0, count);
    return selectIndices(dataset, order);
}

ImageDataset selectClasses(const ImageDataset& dataset, const std::vector<int>& classes)
{
    if (classes.empty()) {
        return dataset;
    }
    torch::Tensor keep = torch::zeros({dataset.size()}, torch::kBool);
    for (const int label : classes) {
        keep.logical_or_(dataset.labels == label);
    }
    const torch::Tensor indices = keep.nonzero().squeeze(1);
    if (indices.numel() == 0) {
        throw DataError(dataset.name + ": none of the classes asked for (dataset.classes) has an image");
    }
    return selectIndices(dataset, indices);
}

} // namespace tau::core
