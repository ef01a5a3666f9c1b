#include "core/data/batch_loader.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

namespace tau::core {

namespace {

/** Distinct, well-mixed seeds per (seed, epoch, step): splitmix64 of their combination. */
uint64_t mixSeed(uint64_t seed, uint64_t epoch, uint64_t step)
{
    uint64_t z = seed * 0x9E3779B97F4A7C15ULL + (epoch << 32) + step + 1;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

} // namespace

BatchLoader::BatchLoader(const ImageDataset& dataset, const ViewAugmenter& augmenter, BatchLoaderOptions options)
    : m_dataset(dataset)
    , m_augmenter(augmenter)
    , m_options(std::move(options))
{
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
    const torch::Tensor indices =
        order.slice(0, int64_t(step) * m_options.batchSize, int64_t(step + 1) * m_options.batchSize);

    TrainingBatch batch;
    batch.images = m_dataset.gather(indices).to(m_options.device);
    batch.labels = m_dataset.labels.index_select(0, indices).to(m_options.device);
    auto viewGenerator = at::detail::createCPUGenerator(mixSeed(m_options.seed, uint64_t(epoch), uint64_t(step)));
    batch.view1 = m_augmenter.randomView(batch.images, viewGenerator);
    if (m_options.views > 1) {
        batch.view2 = m_augmenter.randomView(batch.images, viewGenerator);
    }
    return batch;
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
