#pragma once
// The Throughput tab: pick one or more transports and a mode, start, and watch each run's MiB/s
// graphed live on one chart (its own colour, axes with units, a legend). The runs go one after
// the other on a worker thread (two probe processes each); the UI thread only copies the
// latest series under a lock. Each run has a row: its summary, its latency percentiles in
// ping-pong, or why it failed with the last lines its probes wrote on stderr. A sweep runs every
// message size from 64 B to 4 MiB per transport and draws MiB/s against the size (log x axis).

#include "core/throughput.h"

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ipcscope::gui {

class ThroughputView {
public:
    ThroughputView();
    ~ThroughputView();
    ThroughputView(const ThroughputView&) = delete;
    ThroughputView& operator=(const ThroughputView&) = delete;

    void draw();
    /// Starts runs of `transports`, one name or several separated by commas (ignored while
    /// runs are going). Returns false when a name is unknown.
    bool start(const std::string& transports);
    /// Before start(): sweep message sizes instead of one run per transport; ping-pong or bulk; at most this many
    /// MiB and seconds per run (0: keep); the folder of the probe executables ("" : next to ipcscope).
    void configure(bool sweep, bool pingPong, int megabytes, int seconds, const std::string& probeDir);
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
        std::vector<core::SweepPoint> sweep;  ///< a sweep: one point per finished message size
        std::string status = "waiting";
        std::string stderrTail;  ///< a failed run: what its probes wrote on stderr, last lines
        bool failed = false;
    };
    void drawChart(float height);

    std::thread m_worker;
    std::atomic<bool> m_running{false};
    std::atomic<bool> m_cancel{false};

    mutable std::mutex m_mutex;  // guards m_runs, written by the worker
    std::vector<Run> m_runs;
    bool m_sweepShown = false;  ///< the runs of m_runs are a sweep

    // UI state.
    std::vector<char> m_selected;  ///< per transport
    int m_mode = 0;                ///< 0 bulk, 1 pingpong
    bool m_sweep = false;
    std::string m_probeDir;
    int m_megabytes = 1024;
    int m_messageKiB = 64;
    int m_seconds = 5;
};

}  // namespace ipcscope::gui
