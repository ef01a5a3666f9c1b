#pragma once

#include "core/distributed/communicator.h"

#include <torch/types.h>

#include <memory>
#include <vector>

namespace torch::autograd {
struct Node;
}

namespace tau::core {

/**
 * Data-parallel gradient averaging, as DistributedDataParallel does it: parameters are grouped into buckets of
 * about 25 MB (the first 1 MB, so communication starts early), in reverse order of registration, which is
 * roughly the order backward produces their gradients. A hook on each parameter's gradient accumulator starts
 * a bucket's all-reduce as soon as its last gradient is in, so communication overlaps the rest of backward;
 * finish() waits for every bucket and writes the averages back. Buckets start strictly in order, the same on
 * every rank, as c10d requires. (Debian's LibTorch lacks the headers of c10d::Reducer, which does the same.)
 */
class GradientAverager
{
public:
    GradientAverager(Communicator& communicator, const std::vector<torch::Tensor>& parameters,
                     size_t bucketBytes = 25u << 20, size_t firstBucketBytes = 1u << 20);
    ~GradientAverager();

    /** Before backward: forget the previous step's buckets. */
    void prepare();
    /** After backward: start what is left (parameters that got no gradient count as zero), wait, average. */
    void finish();

    /** Bytes all-reduced per step (gradients only). */
    size_t bytesPerStep() const;
    size_t bucketCount() const { return m_buckets.size(); }
    /** Of all buckets reduced so far, how many started from a hook while backward was still running. */
    size_t bucketsStartedDuringBackward() const { return m_startedDuringBackward; }
    size_t bucketsStarted() const { return m_started; }

private:
    struct Bucket
    {
        std::vector<size_t> parameters;
        size_t arrived = 0;
        torch::Tensor flat;
        std::unique_ptr<Communicator::PendingSum> pending;
    };

    void onGradientReady(size_t parameter);
    void startReadyBuckets();
    void start(Bucket& bucket);

    Communicator& m_communicator;
    std::vector<torch::Tensor> m_parameters;
    std::vector<size_t> m_bucketOf;
    std::vector<Bucket> m_buckets;
    size_t m_nextToStart = 0;
    size_t m_started = 0;
    size_t m_startedDuringBackward = 0;
    std::vector<std::shared_ptr<torch::autograd::Node>> m_accumulators; // kept alive: they hold the hooks
};

} // namespace tau::core
