#pragma once
/// The sampler thread: takes snapshots off the UI thread and publishes the latest one.

#include "platform/collect.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace ipcscope::core {

class Sampler {
public:
    using Clock = std::chrono::steady_clock;

    explicit Sampler(Selection selection, std::chrono::milliseconds interval = std::chrono::seconds(2));
    ~Sampler();
    Sampler(const Sampler&) = delete;
    Sampler& operator=(const Sampler&) = delete;

    /// The latest published snapshot, or null before the first one. Never blocks on a backend.
    [[nodiscard]] std::shared_ptr<const Snapshot> latest() const;
    /// Increments each time a new snapshot is published.
    [[nodiscard]] std::uint64_t generation() const noexcept { return m_generation.load(); }
    /// Asks for a refresh now instead of at the next interval.
    void refreshNow();
    void setInterval(std::chrono::milliseconds interval);
    [[nodiscard]] std::chrono::milliseconds interval() const;
    void setPaused(bool paused);
    [[nodiscard]] bool busy() const noexcept { return m_busy.load(); }
    /// Called on the sampler thread after each publication (the GUI wakes its frame loop with it).
    /// Must be quick and must not call back into the sampler.
    void setOnPublish(std::function<void()> onPublish);

private:
    void run();

    Selection m_selection;
    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    std::shared_ptr<const Snapshot> m_latest;
    std::chrono::milliseconds m_interval;
    bool m_stop = false;
    bool m_wake = false;
    bool m_paused = false;
    std::function<void()> m_onPublish;
    std::atomic<std::uint64_t> m_generation{0};
    std::atomic<bool> m_busy{false};
    std::thread m_thread;
};

}  // namespace ipcscope::core
