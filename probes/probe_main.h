#pragma once
// The part every probe shares: options, the clock, and the protocol lines on stdout. A probe
// moves data from a sender thread to the receiving (main) thread through one transport; the
// receiver reports what arrived. Every loop is bounded by the byte count and by the deadline.

#include "base/result.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace ipcscope::probe {

struct ProbeOptions {
    std::uint64_t bytes = 64ull << 20;       ///< bytes to move
    std::uint64_t messageSize = 64u << 10;   ///< bytes per write/send
    std::uint32_t intervalMs = 250;          ///< sample period
    double seconds = 10;                     ///< deadline: the transfer stops early when it passes
    bool unixSocket = false;                 ///< socket probe: AF_UNIX instead of TCP (Linux)
};

/// Counts what the receiver got and prints a sample line per interval. Used by the receiving
/// thread only; expired() may be called from any thread.
class Reporter {
public:
    explicit Reporter(const ProbeOptions& options);
    /// Starts the clock (call when both ends are connected).
    void start();
    /// `bytes` arrived in `messages` reads or messages.
    void add(std::uint64_t bytes, std::uint64_t messages = 1);
    /// True once the deadline passed.
    [[nodiscard]] bool expired() const;
    /// Prints the last sample and the done line.
    void finish();
    [[nodiscard]] std::uint64_t received() const { return m_total; }

private:
    using Clock = std::chrono::steady_clock;
    void emitSample(Clock::time_point now);
    std::uint64_t usSinceStart(Clock::time_point now) const;

    ProbeOptions m_options;
    Clock::time_point m_start{};
    Clock::time_point m_deadline{};
    Clock::time_point m_nextSample{};
    std::uint64_t m_total = 0;
    std::uint64_t m_intervalBytes = 0;
    std::uint64_t m_intervalMessages = 0;
    std::uint64_t m_lastSampleUs = 0;
};

/// Runs one transfer; returns an error to be reported on the error line.
using TransferFn = std::function<base::Status(const ProbeOptions&, Reporter&)>;

/// Parses the options, prints the handshake, runs the transfer and prints done or error.
/// `transport` names the transport for the chosen options. Exit code: 0 done, 1 error, 2 usage.
int probeMain(int argc, char** argv, const std::function<std::string(const ProbeOptions&)>& transport,
              const TransferFn& transfer, bool acceptsUnix = false);

/// Writes one protocol line to stdout and flushes it.
void writeLine(const std::string& line);

}  // namespace ipcscope::probe
