#pragma once
// Runs one probe executable and turns its output into a throughput series. Shared by the CLI
// ('ipcscope probe run') and the GUI's Throughput tab (which calls it on a worker thread).

#include "core/result.h"
#include "core/throughput.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ipcscope::probe {

/// A transport the user can pick, and the executable that measures it.
struct TransportInfo {
    const char* name;         ///< "shm", "pipe", "unix", "tcp", "udp"
    const char* executable;   ///< base name, without ".exe"; it takes --transport NAME
    const char* description;
};

/// The transports of this platform.
[[nodiscard]] const std::vector<TransportInfo>& transports();

/// The most a run may move: what the probe executables accept for --bytes.
inline constexpr std::uint64_t kMaxRunBytes = std::uint64_t{1} << 40;

struct RunSpec {
    std::string transport = "tcp";
    wire::ProbeMode mode = wire::ProbeMode::Bulk;
    std::string probeDir;  ///< where the probe executables are; empty: see probeSearchDirs()
    std::uint64_t bytes = 64ull << 20;
    std::uint64_t messageSize = 64u << 10;
    std::uint32_t intervalMs = 250;
    std::uint32_t seconds = 10;  ///< the probe's own deadline
    /// Longest silence accepted between two lines before the probe is killed.
    std::chrono::milliseconds stallTimeout{5000};
    /// Test fault: the sender damages message N (1-based) after computing its checksum.
    std::uint64_t corruptMessage = 0;
    /// shm: both sides poll instead of sleeping (labelled "spin" in every output).
    bool spin = false;
};

/// Both sides of one run, merged.
struct RunResult {
    core::ThroughputSeries receiver;  ///< what arrived and was verified: the graph
    core::ThroughputSeries sender;    ///< what was sent; in ping-pong also the latency
    std::uint64_t receiverPid = 0;
    std::uint64_t senderPid = 0;
    /// Every message arrived intact, once and in order (the receiver checked each checksum
    /// and sequence number, and both sides count the same messages and bytes).
    bool verified = false;
    std::uint64_t lost = 0;       ///< datagrams that never arrived
    std::uint64_t reordered = 0;  ///< datagrams that arrived late
    std::uint64_t ringBytes = 0;  ///< shm: bytes of each ring
    /// After a failed run: the last lines each side wrote on stderr (at most kStderrTailBytes).
    std::string receiverStderr;
    std::string senderStderr;
};

inline constexpr std::size_t kStderrTailBytes = 2048;

/// Called on the running thread after each accepted line.
using LineCallback = std::function<void(const core::ThroughputSeries&)>;

/// Starts the receiver process, then the sender process with the receiver's endpoint, feeds
/// both series line by line and waits for both to exit. Fails (and kills both) on garbage,
/// silence of either longer than the stall timeout, the overall deadline (seconds + stall
/// timeout + start-up), a side that reports an error (a verification failure among them) or
/// exits without `done`, totals that do not agree, or `cancel`. The series keep what arrived
/// before the failure; the error ends with the last stderr line of each side that wrote one,
/// and `result` keeps their stderr tails. `onLine` gets the receiver's series.
[[nodiscard]] core::Status runProbe(const RunSpec& spec, RunResult& result, const LineCallback& onLine = {},
                                    const std::atomic<bool>* cancel = nullptr);
/// The same, keeping only the receiver's series.
[[nodiscard]] core::Status runProbe(const RunSpec& spec, core::ThroughputSeries& series, const LineCallback& onLine = {},
                                    const std::atomic<bool>* cancel = nullptr);

/// Where the probe executables are looked for, in order: `probeDir` alone when it is set, else
/// the folder of this executable (the build tree, the Windows zip), then the install's libexec
/// folder relative to it (`bin/../libexec/ipcscope`).
[[nodiscard]] std::vector<std::string> probeSearchDirs(const std::string& probeDir);

/// The path the executable of `t` would have in `dir`.
[[nodiscard]] std::string probePathIn(const std::string& dir, const TransportInfo& t);

/// The path of the probe executable for `spec` (the first of the search folders that has it),
/// or NotFound/InvalidArgument.
[[nodiscard]] core::Result<std::string> probeExecutable(const RunSpec& spec);

}  // namespace ipcscope::probe
