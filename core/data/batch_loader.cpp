#include "core/data/batch_loader.h"

#include <ATen/CPUGeneratorImpl.h>
#include <c10/core/StreamGuard.h>
#include <c10/core/impl/VirtualGuardImpl.h>
#include <torch/torch.h>

#include <optional>

namespace tau::core {

BatchLoader::BatchLoader(const ImageDataset& dataset, const ViewAugmenter& augmenter, BatchLoaderOptions options)
    : m_dataset(dataset)
    , m_augmenter(augmenter)
    , m_options(std::move(options))
{
    TORCH_CHECK(m_options.worldSize >= 1 && m_options.rank >= 0 && m_options.rank < m_options.worldSize &&
                    m_options.batchSize % m_options.worldSize == 0,
                "the batch of ", m_options.batchSize, " images cannot be split over ", m_options.worldSize,
                " processes");
    if (m_options.device.is_cuda() && !m_options.device.has_index()) {
        // "cuda": the trainer's current GPU, named, because the loader's thread has a current device of its own.
        m_options.device = c10::impl::VirtualGuardImpl(c10::DeviceType::CUDA).getDevice();
    }
}

BatchLoader::~BatchLoader()
{
    stopProducer();
}

torch::Tensor BatchLoader::epochOrder(int epoch) const
{
    auto orderGenerator = at::detail::createCPUGenerator(m_options.seed * 1000003ULL + uint64_t(epoch));
    return torch::randperm(m_dataset.size(), orderGenerator, torch::kLong);
}

TrainingBatch BatchLoader::makeBatch(const torch::Tensor& order, int epoch, int step) const
{
    const int64_t first = int64_t(step) * m_options.batchSize + int64_t(m_options.rank) * localBatchSize();
    const torch::Tensor indices = order.slice(0, first, first + localBatchSize());

    TrainingBatch batch;
    std::vector<ImageExtent> sources; // each view's crop is drawn on its image as its file holds it
    const torch::Tensor images = m_dataset.gather(indices, &sources);
    const torch::Tensor labels = m_dataset.labels.index_select(0, indices);
    // To a GPU from pinned memory, asynchronously: the copy runs on the loader's stream beside the training step.
    const bool gpu = m_options.device.is_cuda();
    batch.images = (gpu ? images.pin_memory() : images).to(m_options.device, /*non_blocking=*/gpu);
    batch.labels = (gpu ? labels.pin_memory() : labels).to(m_options.device, /*non_blocking=*/gpu);
    const uint64_t globalStep = uint64_t(epoch) * uint64_t(stepsPerEpoch()) + uint64_t(step);
    cutViews(batch, indices, globalStep, sources);
    return batch;
}

void BatchLoader::cutViews(TrainingBatch& batch, const torch::Tensor& indices, uint64_t globalStep,
                           const std::vector<ImageExtent>& sources) const
{
    std::vector<ImageRandom> random;
    const auto* index = indices.data_ptr<int64_t>();
    for (int64_t i = 0; i < indices.size(0); ++i) {
        random.emplace_back(imageViewSeed(m_options.seed, globalStep, uint64_t(index[i])));
    }
    const auto finish = [this](const torch::Tensor& view) {
        const torch::Tensor typed = view.to(m_options.viewType);
        return m_options.channelsLast ? typed.contiguous(at::MemoryFormat::ChannelsLast) : typed;
    };
    batch.view1 = finish(m_augmenter.randomView(batch.images, random, &sources));
    if (m_options.views > 1) {
        batch.view2 = finish(m_augmenter.randomView(batch.images, random, &sources)); // each image's stream goes on
    }
}

void BatchLoader::startEpoch(int epoch, int firstStep)
{
    stopProducer();
    std::lock_guard<std::mutex> lock(m_mutex);
    m_ready.clear();
    m_error = nullptr;
    m_stop = false;
    m_producer = std::thread([this, epoch, firstStep] { produce(epoch, firstStep); });
}

void BatchLoader::produce(int epoch, int firstStep)
{
    torch::NoGradGuard noGrad; // grad mode is per thread; views never need gradients
    try {
        std::optional<c10::StreamGuard> loaderStream; // on a GPU: a stream of the loader's own, for this thread
        if (m_options.device.is_cuda()) {
            loaderStream.emplace(
                c10::impl::VirtualGuardImpl(c10::DeviceType::CUDA).getStreamFromGlobalPool(m_options.device));
        }
        const torch::Tensor order = epochOrder(epoch); // once per epoch, not per batch
        for (int step = firstStep; step < stepsPerEpoch(); ++step) {
            {
                std::unique_lock<std::mutex> lock(m_mutex);
                m_changed.wait(lock, [this] { return m_stop || int(m_ready.size()) < m_options.prefetch; });
                if (m_stop) {
                    return;
                }
            }
            TrainingBatch batch = makeBatch(order, epoch, step);
            if (loaderStream) {
                loaderStream->current_stream().synchronize(); // the loader's thread waits, the trainer's does not
            }
            std::lock_guard<std::mutex> lock(m_mutex);
            m_ready.push_back(std::move(batch));
            m_changed.notify_all();
        }
    } catch (...) {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_error = std::current_exception();
        m_changed.notify_all();
    }
}

TrainingBatch BatchLoader::next()
{
    std::unique_lock<std::mutex> lock(m_mutex);
    m_changed.wait(lock, [this] { return !m_ready.empty() || m_error; });
    if (m_ready.empty() && m_error) {
        std::rethrow_exception(m_error);
    }
    TrainingBatch batch = std::move(m_ready.front());
    m_ready.pop_front();
    m_changed.notify_all();
    if (m_options.device.is_cuda()) {
        // The trainer's stream reads what the loader's stream wrote: the allocator must not give these blocks back
        // to the loader before the trainer's kernels are done with them.
        const c10::Stream trainerStream = c10::impl::VirtualGuardImpl(c10::DeviceType::CUDA).getStream(m_options.device);
        for (const torch::Tensor* tensor : {&batch.images, &batch.labels, &batch.view1, &batch.view2}) {
            if (tensor->defined()) {
                tensor->record_stream(trainerStream);
            }
        }
    }
    return batch;
}

void BatchLoader::stopProducer()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stop = true;
        m_changed.notify_all();
    }
    if (m_producer.joinable()) {
        m_producer.join();
    }
}

} // namespace tau::core
