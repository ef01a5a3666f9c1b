#pragma once

#include <atomic>

namespace tau::core {

/**
 * Cooperative cancellation shared between the thread that runs long work and the one that asks it to stop.
 * The worker checks it between steps, so a stop never leaves a half-written file behind.
 */
class CancellationToken
{
public:
    void requestStop() { m_stop.store(true, std::memory_order_relaxed); }
    bool stopRequested() const { return m_stop.load(std::memory_order_relaxed); }
    void reset() { m_stop.store(false, std::memory_order_relaxed); }

private:
    std::atomic<bool> m_stop{false};
};

} // namespace tau::core
