#include "core/data/batch_loader.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

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
    batch.images = m_dataset.gather(indices, &sources).to(m_options.device);
    batch.labels = m_dataset.labels.index_select(0, indices).to(m_options.device);
    const uint64_t globalStep = uint64_t(epoch) * uint64_t(stepsPerEpoch()) + uint64_t(step);
    std::vector<ImageRandom> random;
    const auto* index = indices.data_ptr<int64_t>();
    for (int64_t i = 0; i < indices.size(0); ++i) {
        random.emplace_back(imageViewSeed(m_options.seed, globalStep, uint64_t(index[i])));
    }
    batch.view1 = m_augmenter.randomView(batch.images, random, &sources); // the second continues each image's stream
    if (m_options.views > 1) {
        batch.view2 = m_augmenter.randomView(batch.images, random, &sources);
    }
    if (m_options.viewType != torch::kFloat) {
        batch.view1 = batch.view1.to(m_options.viewType);
        batch.view2 = batch.view2.defined() ? batch.view2.to(m_options.viewType) : batch.view2;
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
