#pragma once

#include "core/common/error.h"
#include "core/distributed/distributed_environment.h"

#include <torch/types.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace tau::core {

/** A collective failed: a peer exited, hangs or cannot be reached. The message names the rank when it can. */
class DistributedError : public TauError
{
public:
    using TauError::TauError;
};

/**
 * This process's handle on a data-parallel job: the collectives training and evaluation need, on a c10d process
 * group. A one-process communicator (worldSize() == 1) makes each of them the identity, so code written against
 * it runs unchanged alone. Every collective must be called in the same order on every rank.
 */
class Communicator
{
public:
    Communicator(); ///< one process
    Communicator(const DistributedEnvironment& environment, const std::string& device);
    ~Communicator();
    Communicator(const Communicator&) = delete;
    Communicator& operator=(const Communicator&) = delete;

    int rank() const { return m_rank; }
    int worldSize() const { return m_worldSize; }
    int localRank() const { return m_localRank; }
    bool isLeader() const { return m_rank == 0; }
    /** "gloo", "nccl" or "none". */
    const std::string& backend() const { return m_backend; }

    /** Sums @p tensor over all ranks, in place. */
    void allReduceSum(torch::Tensor& tensor);
    /** Every rank's @p local (same shape on all) concatenated along dimension 0 in rank order. */
    torch::Tensor allGather(const torch::Tensor& local);
    /** Like allGather for tensors whose first dimension differs between ranks. */
    torch::Tensor allGatherUneven(const torch::Tensor& local);
    /** Replaces @p tensor with rank @p root's. */
    void broadcast(torch::Tensor& tensor, int root = 0);
    void barrier();

    /** An all-reduce in flight; wait() blocks until @p tensor holds the sum. */
    class PendingSum
    {
    public:
        void wait();

    private:
        friend class Communicator;
        std::function<void()> m_wait;
    };
    PendingSum startAllReduceSum(torch::Tensor& tensor);

    /** Payload bytes this rank has put through collectives so far (a ring all-reduce moves about twice this). */
    double payloadBytes() const { return m_payloadBytes; }
    /** Seconds this rank has spent blocked waiting for collectives to complete. */
    double waitSeconds() const { return m_waitSeconds; }

    /** Tells the other ranks, through the store, why this one is about to exit (their error names it). */
    void reportFailure(const std::string& message) noexcept;

private:
    struct Group;
    template <typename Action>
    auto guarded(const char* what, Action&& action);
    [[noreturn]] void fail(const char* what, const std::string& detail);
    std::string diagnose();

    int m_rank = 0;
    int m_worldSize = 1;
    int m_localRank = 0;
    std::string m_backend = "none";
    std::unique_ptr<Group> m_group;
    double m_payloadBytes = 0;
    double m_waitSeconds = 0;
};

/**
 * All-gather through which gradients flow back: each rank's part of the gradient of the gathered tensor, summed
 * over ranks, reaches its own @p local. With the average of parameter gradients that training takes, the result
 * is the gradient of one process computing the same loss on the whole batch.
 */
torch::Tensor allGatherWithGradient(Communicator& communicator, const torch::Tensor& local);

/** All-reduce (sum) through which gradients flow: the backward is the all-reduce of the incoming gradients. */
torch::Tensor allReduceSumWithGradient(Communicator& communicator, const torch::Tensor& local);

} // namespace tau::core
