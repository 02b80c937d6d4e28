#pragma once
// The Throughput tab: pick one or more transports and a mode, start, and watch each run's MiB/s
// graphed live on one chart (its own colour, axes with units, a legend). The runs go one after
// the other on a worker thread (two probe processes each); the UI thread only copies the
// latest series under a lock. Each run has a row: its summary, its latency percentiles in
// ping-pong, or why it failed.

#include "core/throughput.h"

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ipcscope::gui {

class ProbesView {
public:
    ProbesView();
    ~ProbesView();
    ProbesView(const ProbesView&) = delete;
    ProbesView& operator=(const ProbesView&) = delete;

    void draw();
    /// Starts runs of `transports`, one name or several separated by commas (ignored while
    /// runs are going). Returns false when a name is unknown.
    bool start(const std::string& transports);
    /// Asks the running probe to stop; the worker kills it within about 100 ms.
    void stop();
    [[nodiscard]] bool running() const { return m_running.load(); }
    /// Points of all runs of the current or last start.
    [[nodiscard]] std::size_t points() const;

private:
    /// One transport's run as the chart and its row show it.
    struct Run {
        std::size_t transport = 0;  ///< index into probe::transports()
        std::vector<float> t;       ///< seconds since the run started
        std::vector<float> mibps;
        std::string status = "waiting";
        bool failed = false;
    };
    void drawChart(float height);

    std::thread m_worker;
    std::atomic<bool> m_running{false};
    std::atomic<bool> m_cancel{false};

    mutable std::mutex m_mutex;  // guards m_runs, written by the worker
    std::vector<Run> m_runs;

    // UI state.
    std::vector<char> m_selected;  ///< per transport
    int m_mode = 0;                ///< 0 bulk, 1 pingpong
    int m_megabytes = 1024;
    int m_messageKiB = 64;
    int m_seconds = 5;
};

}  // namespace ipcscope::gui
