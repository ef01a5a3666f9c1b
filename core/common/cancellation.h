#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace tau::core {

/**
 * Cooperative stop and pause shared between the thread that runs long work and the one that controls it.
 * The worker checks it between steps, so neither ever leaves a half-written file behind.
 */
class CancellationToken
{
public:
    void requestStop()
    {
        m_stop.store(true, std::memory_order_relaxed);
        m_changed.notify_all(); // a paused worker wakes up to stop
    }
    bool stopRequested() const { return m_stop.load(std::memory_order_relaxed); }

    void pause() { m_paused.store(true, std::memory_order_relaxed); }
    void resume()
    {
        m_paused.store(false, std::memory_order_relaxed);
        m_changed.notify_all();
    }
    bool paused() const { return m_paused.load(std::memory_order_relaxed); }

    /** Blocks the worker while paused; returns at once when not paused or when a stop is requested. */
    void waitWhilePaused() const
    {
        // Notifiers do not take the mutex (requestStop runs in signal handlers), so a wake-up can be missed:
        // waking up every 100 ms bounds what that costs.
        std::unique_lock<std::mutex> lock(m_mutex);
        while (!m_changed.wait_for(lock, std::chrono::milliseconds(100), [this] { return !paused() || stopRequested(); })) {
        }
    }

    void reset()
    {
        m_stop.store(false, std::memory_order_relaxed);
        m_paused.store(false, std::memory_order_relaxed);
    }

private:
    std::atomic<bool> m_stop{false};
    std::atomic<bool> m_paused{false};
    mutable std::mutex m_mutex;
    mutable std::condition_variable m_changed;
};

} // namespace tau::core
