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
    const char* name;         ///< "shm", "pipe", "socket", "unix"
    const char* executable;   ///< base name, without ".exe"
    const char* extraArg;     ///< passed before the options, or nullptr
    const char* description;
};

/// The transports of this platform.
[[nodiscard]] const std::vector<TransportInfo>& transports();

struct RunSpec {
    std::string transport = "socket";
    std::string probeDir;  ///< where the probe executables are; empty: see probeSearchDirs()
    std::uint64_t bytes = 64ull << 20;
    std::uint64_t messageSize = 64u << 10;
    std::uint32_t intervalMs = 250;
    std::uint32_t seconds = 10;  ///< the probe's own deadline
    /// Longest silence accepted between two lines before the probe is killed.
    std::chrono::milliseconds stallTimeout{5000};
};

/// Called on the running thread after each accepted line.
using LineCallback = std::function<void(const core::ThroughputSeries&)>;

/// Starts the probe, feeds `series` line by line and waits for it to exit. Fails (and kills
/// the probe) on garbage, silence longer than the stall timeout, the overall deadline
/// (seconds + stall timeout), a probe that exits without `done`, or `cancel`. The series keeps
/// what arrived before the failure.
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
