#pragma once
// The Throughput tab: pick a transport, start its probe, watch MiB/s graphed live. The probe
// runs on a worker thread; the UI thread only copies the latest series under a lock.

#include "core/throughput.h"

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ipcscope::gui {

class ThroughputView {
public:
    ThroughputView() = default;
    ~ThroughputView();
    ThroughputView(const ThroughputView&) = delete;
    ThroughputView& operator=(const ThroughputView&) = delete;

    void draw();
    /// Starts a probe run for `transport` (ignored while one runs). Returns false when unknown.
    bool start(const std::string& transport);
    /// Asks a running probe to stop; the worker kills it within about 100 ms.
    void stop();
    [[nodiscard]] bool running() const { return m_running.load(); }
    /// Points of the current or last run.
    [[nodiscard]] std::size_t points() const;

private:
    std::thread m_worker;
    std::atomic<bool> m_running{false};
    std::atomic<bool> m_cancel{false};

    mutable std::mutex m_mutex;  // guards what the worker writes below
    std::vector<float> m_mibps;
    std::string m_status = "idle";
    std::string m_summary;
    double m_average = 0;
    double m_peak = 0;
    std::uint64_t m_bytes = 0;

    // UI state.
    int m_transport = 0;
    int m_megabytes = 4096;
    int m_messageKiB = 64;
    int m_seconds = 5;
};

}  // namespace ipcscope::gui
