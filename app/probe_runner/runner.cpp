#include "probe_runner/runner.h"

#include "probe_runner/child_process.h"
#include "wire/probe_line.h"

#include <algorithm>
#include <filesystem>
#include <memory>

#if defined(_WIN32)
#include <windows.h>
#else
#include <unistd.h>
#endif

namespace ipcscope::probe {

using core::Errc;
using core::Error;
using Clock = std::chrono::steady_clock;

const std::vector<TransportInfo>& transports() {
    static const std::vector<TransportInfo> kTransports = {
        {"shm", "ipcscope-probe-shm", nullptr, "ring buffer in a shared-memory object"},
#if defined(_WIN32)
        {"pipe", "ipcscope-probe-pipe", nullptr, "named pipe"},
#else
        {"pipe", "ipcscope-probe-pipe", nullptr, "anonymous pipe"},
#endif
        {"socket", "ipcscope-probe-socket", nullptr, "TCP over 127.0.0.1"},
#if !defined(_WIN32)
        {"unix", "ipcscope-probe-socket", "--unix", "AF_UNIX stream socket pair"},
#endif
    };
    return kTransports;
}

namespace {

const TransportInfo* findTransport(const std::string& name) {
    for (const auto& t : transports())
        if (name == t.name) return &t;
    return nullptr;
}

bool fileExists(const std::string& path) {
#if defined(_WIN32)
    const DWORD a = GetFileAttributesA(path.c_str());
    return a != INVALID_FILE_ATTRIBUTES && !(a & FILE_ATTRIBUTE_DIRECTORY);
#else
    return access(path.c_str(), X_OK) == 0;
#endif
}

}  // namespace

std::vector<std::string> probeSearchDirs(const std::string& probeDir) {
    if (!probeDir.empty()) return {probeDir};
    const std::string here = executableDir();
    std::vector<std::string> dirs{here};
    // Installed, the probes live in libexec: IPCSCOPE_PROBE_RELDIR is that folder relative to the
    // folder of ipcscope ("../libexec/ipcscope"); empty where the probes sit next to it (Windows).
    const std::string_view rel = IPCSCOPE_PROBE_RELDIR;
    if (!rel.empty() && !here.empty()) dirs.push_back((std::filesystem::path(here) / rel).lexically_normal().string());
    return dirs;
}

std::string probePathIn(const std::string& dir, const TransportInfo& t) {
#if defined(_WIN32)
    return dir + "\\" + t.executable + ".exe";
#else
    return dir + "/" + t.executable;
#endif
}

core::Result<std::string> probeExecutable(const RunSpec& spec) {
    const TransportInfo* t = findTransport(spec.transport);
    if (!t) {
        std::string names;
        for (const auto& x : transports()) names += std::string(names.empty() ? "" : ", ") + x.name;
        return Error::make(Errc::InvalidArgument, "unknown transport '" + spec.transport + "' (this platform has " + names + ")");
    }
    std::string tried;
    for (const auto& dir : probeSearchDirs(spec.probeDir)) {
        std::string path = probePathIn(dir, *t);
        if (fileExists(path)) return path;
        tried += (tried.empty() ? "" : " or ") + path;
    }
    return Error::make(Errc::NotFound, "probe executable " + tried + " not found (build it, or point --probe-dir at it)");
}

core::Status runProbe(const RunSpec& spec, core::ThroughputSeries& series, const LineCallback& onLine,
                      const std::atomic<bool>* cancel) {
    auto exe = probeExecutable(spec);
    if (!exe) return exe.error();
    const TransportInfo* t = findTransport(spec.transport);
    std::vector<std::string> args;
    if (t->extraArg) args.emplace_back(t->extraArg);
    args.insert(args.end(), {"--bytes", std::to_string(spec.bytes), "--message-size", std::to_string(spec.messageSize),
                             "--interval-ms", std::to_string(spec.intervalMs), "--seconds", std::to_string(spec.seconds)});
    auto child = ChildProcess::spawn(*exe, args);
    if (!child) return child.error();
    ChildProcess& c = **child;
    const std::string who = std::string("the ") + t->name + " probe";

    // The probe stops itself at its deadline; allow for start-up and the last lines.
    const auto deadline = Clock::now() + std::chrono::seconds(spec.seconds) + spec.stallTimeout;
    const auto step = std::chrono::milliseconds(100);  // how often `cancel` is looked at
    auto silentSince = Clock::now();
    auto failWith = [&](Error e) -> core::Status {
        c.kill();
        (void)c.wait(std::chrono::milliseconds(2000));
        return e;
    };
    while (true) {
        if (cancel && cancel->load()) return failWith(Error::make(Errc::Io, who + " was stopped"));
        if (Clock::now() >= deadline)
            return failWith(Error::make(Errc::Timeout, who + " did not finish within " +
                                                           std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                                                              std::chrono::seconds(spec.seconds) + spec.stallTimeout)
                                                                              .count()) +
                                                           " s; it was killed"));
        auto line = c.readLine(step, wire::kMaxProbeLineLength);
        if (!line) {
            if (line.error().code == Errc::Timeout) {
                if (Clock::now() - silentSince >= spec.stallTimeout)
                    return failWith(Error::make(Errc::Timeout, who + " printed nothing for " +
                                                                   std::to_string(spec.stallTimeout.count()) + " ms; it was killed"));
                continue;
            }
            return failWith(Error::make(Errc::Malformed, who + " printed garbage: " + line.error().context));
        }
        silentSince = Clock::now();
        if (!line->has_value()) break;
        if (auto st = series.feed(**line); !st) return failWith(Error::make(Errc::Malformed, who + " printed garbage: " + st.error().context));
        if (onLine) onLine(series);
    }
    // End of output: the probe should exit right away.
    (void)c.wait(std::chrono::milliseconds(3000));
    if (auto st = series.finish(); !st) {
        c.kill();
        (void)c.wait(std::chrono::milliseconds(2000));
        return Error::make(Errc::Io, who + " died (" + c.exitDescription() + "): " + st.error().context);
    }
    if (series.state() == core::ProbeState::Failed) return Error::make(Errc::Io, who + " failed: " + series.failure());
    if (!c.exitedCleanly()) return Error::make(Errc::Io, who + " reported done but ended with " + c.exitDescription());
    return core::okStatus();
}

}  // namespace ipcscope::probe
