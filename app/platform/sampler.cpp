#include "platform/sampler.h"

#include <spdlog/spdlog.h>

namespace ipcscope::core {

Sampler::Sampler(Selection selection, std::chrono::milliseconds interval)
    : m_selection(std::move(selection)), m_interval(interval), m_thread([this] { run(); }) {}

Sampler::~Sampler() {
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_cv.notify_all();
    m_thread.join();
}

std::shared_ptr<const Snapshot> Sampler::latest() const {
    std::lock_guard lock(m_mutex);
    return m_latest;
}

void Sampler::refreshNow() {
    {
        std::lock_guard lock(m_mutex);
        m_wake = true;
    }
    m_cv.notify_all();
}

void Sampler::setInterval(std::chrono::milliseconds interval) {
    {
        std::lock_guard lock(m_mutex);
        m_interval = interval;
    }
    m_cv.notify_all();
}

std::chrono::milliseconds Sampler::interval() const {
    std::lock_guard lock(m_mutex);
    return m_interval;
}

void Sampler::setPaused(bool paused) {
    {
        std::lock_guard lock(m_mutex);
        m_paused = paused;
    }
    m_cv.notify_all();
}

void Sampler::setOnPublish(std::function<void()> onPublish) {
    std::lock_guard lock(m_mutex);
    m_onPublish = std::move(onPublish);
}

void Sampler::run() {
    std::unique_lock lock(m_mutex);
    while (!m_stop) {
        lock.unlock();
        m_busy = true;
        auto snap = std::make_shared<Snapshot>(takeSnapshot(m_selection));
        m_busy = false;
        spdlog::debug("snapshot: {} objects, {} errors in {:.1f} ms", snap->objects.size(), snap->errors.size(),
                      static_cast<double>(snap->duration.count()) / 1000.0);
        lock.lock();
        m_latest = std::move(snap);
        ++m_generation;
        m_wake = false;
        if (m_onPublish) m_onPublish();
        m_cv.wait_for(lock, m_interval, [this] { return m_stop || m_wake; });
        while (m_paused && !m_stop && !m_wake) m_cv.wait(lock);
    }
}

}  // namespace ipcscope::core
