#pragma once
/// Turns the lines of one probe run into a throughput series: checks the order of the
/// protocol (handshake first, samples in time order, nothing after done/error) and keeps the
/// MiB/s of each interval for the CLI and the graph.

#include "core/result.h"
#include "wire/probe_line.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ipcscope::core {

/// One interval of a run.
struct ThroughputPoint {
    double tSeconds = 0;      ///< end of the interval, since the start
    double mibPerSecond = 0;  ///< bytes of the interval / its length
    std::uint64_t bytes = 0;
    std::uint64_t messages = 0;
};

/// Where a run stands.
enum class ProbeState : std::uint8_t {
    WaitingForHello,  ///< nothing accepted yet
    Running,          ///< handshake seen, samples arriving
    Done,             ///< the probe reported `done`
    Failed,           ///< the probe reported `error`, or the stream broke the protocol
};

/// Bytes per MiB.
inline constexpr double kMiB = 1024.0 * 1024.0;

/// MiB/s of `bytes` moved in `us` microseconds; 0 when `us` is 0.
[[nodiscard]] double mibPerSecond(std::uint64_t bytes, std::uint64_t us) noexcept;

/// The series of one probe run, fed line by line.
class ThroughputSeries {
public:
    /// Accepts one line. A malformed line or one out of protocol order returns an error and
    /// moves the series to Failed; later lines are rejected.
    Status feed(std::string_view line);
    /// The probe's stdout ended: an error unless the run is Done or already Failed.
    Status finish();

    [[nodiscard]] ProbeState state() const noexcept { return m_state; }
    [[nodiscard]] const std::optional<wire::ProbeHello>& hello() const noexcept { return m_hello; }
    [[nodiscard]] const std::vector<ThroughputPoint>& points() const noexcept { return m_points; }
    /// Sum of the samples so far.
    [[nodiscard]] std::uint64_t sampledBytes() const noexcept { return m_sampledBytes; }
    [[nodiscard]] std::uint64_t sampledMessages() const noexcept { return m_sampledMessages; }
    /// The receiver's `ready` line, once seen.
    [[nodiscard]] const std::optional<wire::ProbeReady>& ready() const noexcept { return m_ready; }
    /// The sender's `latency` line (ping-pong), once seen.
    [[nodiscard]] const std::optional<wire::ProbeLatency>& latency() const noexcept { return m_latency; }
    /// The `done` line, once seen.
    [[nodiscard]] const std::optional<wire::ProbeDone>& done() const noexcept { return m_done; }
    /// Why the run failed (the probe's error text or the protocol violation).
    [[nodiscard]] const std::string& failure() const noexcept { return m_failure; }
    /// Total MiB/s of a finished run (done bytes / done elapsed), else of the samples so far.
    [[nodiscard]] double averageMiBps() const noexcept;
    /// Highest per-interval MiB/s.
    [[nodiscard]] double peakMiBps() const noexcept;
    /// The points that will not change: all once the run ended, else all but the last. When the
    /// run is done, a last sample shorter than half the interval before it is folded into that
    /// interval: it covers what was still buffered (in a ring, in socket buffers) when the sender
    /// stopped, read in microseconds, and as a rate of its own it would show a peak the transport
    /// never sustained. Bytes, messages and the end time are kept.
    [[nodiscard]] std::size_t settledPoints() const noexcept {
        return m_state == ProbeState::Running && !m_points.empty() ? m_points.size() - 1 : m_points.size();
    }
    /// Lines accepted so far.
    [[nodiscard]] std::size_t lines() const noexcept { return m_lines; }

private:
    Status reject(Error e);
    void foldShortTail();

    ProbeState m_state = ProbeState::WaitingForHello;
    std::optional<wire::ProbeHello> m_hello;
    std::optional<wire::ProbeDone> m_done;
    std::optional<wire::ProbeReady> m_ready;
    std::optional<wire::ProbeLatency> m_latency;
    std::vector<ThroughputPoint> m_points;
    std::uint64_t m_lastUs = 0;
    std::uint64_t m_sampledBytes = 0;
    std::uint64_t m_sampledMessages = 0;
    std::string m_failure;
    std::size_t m_lines = 0;
};

/// One point of a message-size sweep: what one run moved per second at one message size.
struct SweepPoint {
    std::uint64_t messageSize = 0;
    double mibPerSecond = 0;
};

/// One transport's (and mode's) sweep, as a chart draws it: points in increasing size.
struct SweepCurve {
    std::string transport;
    std::string label;  ///< the legend text, e.g. "shm" or "shm pingpong"
    std::vector<SweepPoint> points;
};

}  // namespace ipcscope::core
