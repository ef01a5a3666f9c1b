#pragma once

#include "core/data/augmentation.h"
#include "core/data/image_dataset.h"

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

namespace tau::core {

/** One training batch: the images, their labels and the random views the objective needs. */
struct TrainingBatch
{
    torch::Tensor images; ///< uint8 [B, C, H, W] on the training device
    torch::Tensor labels; ///< int64 [B]
    torch::Tensor view1;  ///< normalised float views
    torch::Tensor view2;  ///< undefined when only one view is asked for
};

struct BatchLoaderOptions
{
    int batchSize = 128;
    uint64_t seed = 1337;
    int views = 2;     ///< 1 (supervised) or 2 (contrastive)
    int prefetch = 2;  ///< batches prepared ahead of the one being trained on
    torch::Device device = torch::kCPU;
    torch::ScalarType viewType = torch::kFloat; ///< the views' floating type (float64 runs)
    bool channelsLast = false; ///< views laid out NHWC (memory_format: channels_last)
    int rank = 0;      ///< distributed training: this process's share is part `rank` of `worldSize` of each batch
    int worldSize = 1; ///< batchSize stays the global batch; it must be a multiple of worldSize
};

/**
 * Cuts an epoch into batches (a shuffle seeded by seed and epoch, the last partial batch dropped, as the
 * original) and makes their views on a background thread while the current step trains. Each image's views
 * come from a stream seeded by (seed, step, image index), so they depend neither on thread timing nor on the
 * number of processes: a resumed run sees exactly the batches an unbroken one would, and rank r of N trains on
 * the r-th N-th of the very batch one process would.
 *
 * On a GPU a batch crosses once, as uint8 (a quarter of the floats' bytes), from pinned memory, on a stream of
 * the loader's own; its views are cut there by the device-side augmenter. The copy and the views thus overlap
 * the step training on the trainer's stream, and only the loader's thread waits for them.
 */
class BatchLoader
{
public:
    BatchLoader(const ImageDataset& dataset, const ViewAugmenter& augmenter, BatchLoaderOptions options);
    ~BatchLoader();
    BatchLoader(const BatchLoader&) = delete;
    BatchLoader& operator=(const BatchLoader&) = delete;

    int stepsPerEpoch() const { return int(m_dataset.size() / m_options.batchSize); }

    /** Starts producing the batches of @p epoch (0-based) from @p firstStep on. */
    void startEpoch(int epoch, int firstStep);

    /** This process's part of the global batch (batchSize / worldSize images). */
    int localBatchSize() const { return m_options.batchSize / m_options.worldSize; }

    /** The next batch of the epoch; blocks until it is ready. @throws what making it threw. */
    TrainingBatch next();

private:
    /** The order of an epoch's images: a shuffle that depends only on seed and epoch. */
    torch::Tensor epochOrder(int epoch) const;
    /** This rank's part of the batch at @p step of the epoch's @p order, its views seeded per image. */
    TrainingBatch makeBatch(const torch::Tensor& order, int epoch, int step) const;

    /** The views of @p batch, cut from its images on their device, the second continuing each image's stream. */
    void cutViews(TrainingBatch& batch, const torch::Tensor& indices, uint64_t globalStep,
                  const std::vector<ImageExtent>& sources) const;
    void stopProducer();
    void produce(int epoch, int firstStep);

    const ImageDataset& m_dataset;
    const ViewAugmenter& m_augmenter;
    BatchLoaderOptions m_options;

    std::thread m_producer;
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::deque<TrainingBatch> m_ready;
    std::exception_ptr m_error;
    bool m_stop = false;
};

} // namespace tau::core
