#include "probe_runner/runner.h"

#include "probe_runner/child_process.h"
#include "wire/probe_line.h"

#include <algorithm>
#include <filesystem>
#include <memory>

#if defined(_WIN32)
#include <windows.h>
#else
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace ipcscope::probe {

using core::Errc;
using core::Error;
using Clock = std::chrono::steady_clock;

const std::vector<TransportInfo>& transports() {
    static const std::vector<TransportInfo> kTransports = {
#if defined(_WIN32)
        {"shm", "ipcscope-probe-shm", "rings in a named section, event wake-up"},
        {"pipe", "ipcscope-probe-pipe", "named pipe"},
        {"unix", "ipcscope-probe-socket", "AF_UNIX stream socket (where Windows has it)"},
#else
        {"shm", "ipcscope-probe-shm", "rings in a POSIX shm object, futex wake-up"},
        {"pipe", "ipcscope-probe-pipe", "FIFO"},
        {"unix", "ipcscope-probe-socket", "AF_UNIX stream socket"},
#endif
        {"tcp", "ipcscope-probe-socket", "TCP over 127.0.0.1"},
        {"udp", "ipcscope-probe-socket", "UDP over 127.0.0.1"},
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

namespace {

/// One of the two probe processes of a run and the series of its lines.
struct Side {
    const char* role;
    std::unique_ptr<ChildProcess> child;
    core::ThroughputSeries* series;
    Clock::time_point lastLine = Clock::now();
    bool ended = false;
};

/// After both processes of a failed run are gone: removes what a receiver killed before its
/// sender connected left behind (it removes it itself once connected). Only names a probe makes:
/// the FIFO folder (pipe), the socket file and its folder (unix), the POSIX shm name (shm).
void removeEndpoint(const std::string& transport, const std::string& endpoint) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (transport == "pipe" || transport == "unix") {
        const fs::path p = fs::u8path(endpoint);
        const fs::path dir = transport == "pipe" ? p : p.parent_path();
        if (dir.filename().string().rfind("ipcscope-probe-", 0) != 0) return;
        for (const char* name : {"ab", "ba", "s"}) fs::remove(dir / name, ec);
        fs::remove(dir, ec);  // only when empty
        return;
    }
#if !defined(_WIN32)
    if (transport == "shm" && endpoint.rfind("/ipcscope-probe-shm-", 0) == 0) shm_unlink(endpoint.c_str());
#endif
}

std::vector<std::string> probeArgs(const RunSpec& spec, const TransportInfo& t, const char* role) {
    std::vector<std::string> args{"--transport", t.name, "--role", role, "--mode", std::string(wire::probeModeName(spec.mode)), "--bytes",
            std::to_string(spec.bytes), "--message-size", std::to_string(spec.messageSize), "--interval-ms",
            std::to_string(spec.intervalMs), "--seconds", std::to_string(spec.seconds), "--corrupt-message",
            std::to_string(spec.corruptMessage)};
    if (spec.spin) args.emplace_back("--spin");
    return args;
}

}  // namespace

core::Status runProbe(const RunSpec& spec, RunResult& r, const LineCallback& onLine, const std::atomic<bool>* cancel) {
    auto exe = probeExecutable(spec);
    if (!exe) return exe.error();
    const TransportInfo* t = findTransport(spec.transport);
    const std::string who = std::string("the ") + t->name + " probe";
    r = RunResult{};
    if (t->name == std::string("shm")) r.ringBytes = wire::probeShmRingBytes(spec.messageSize, spec.mode);

    Side sides[2] = {{"receiver", nullptr, &r.receiver}, {"sender", nullptr, &r.sender}};
    auto killAll = [&] {
        for (auto& s : sides)
            if (s.child) s.child->kill();
        for (auto& s : sides)
            if (s.child) (void)s.child->wait(std::chrono::milliseconds(2000));
    };
    auto failWith = [&](Error e) -> core::Status {
        killAll();
        if (r.receiver.ready()) removeEndpoint(t->name, r.receiver.ready()->endpoint);
        if (sides[0].child) r.receiverStderr = sides[0].child->stderrTail(kStderrTailBytes);
        if (sides[1].child) r.senderStderr = sides[1].child->stderrTail(kStderrTailBytes);
        for (const auto& [role, tail] : {std::pair{"receiver", &r.receiverStderr}, std::pair{"sender", &r.senderStderr}}) {
            std::string last = *tail;
            while (!last.empty() && (last.back() == '\n' || last.back() == '\r')) last.pop_back();
            if (last.empty()) continue;
            if (const auto nl = last.find_last_of('\n'); nl != std::string::npos) last.erase(0, nl + 1);
            e.context += std::string("; ") + role + " stderr: " + last.substr(0, 300);
        }
        return e;
    };
    // When the sender fails first, the receiver usually saw why (it closed the stream on a bad
    // message): its error, if it reports one within a moment, is the one to show.
    auto senderFailed = [&](Error e) -> core::Status {
        Side& rx = sides[0];
        const auto until = Clock::now() + std::chrono::milliseconds(1000);
        while (!rx.ended && rx.series->state() == core::ProbeState::Running && Clock::now() < until) {
            auto line = rx.child->readLine(std::chrono::milliseconds(50), wire::kMaxProbeLineLength);
            if (!line) {
                if (line.error().code == Errc::Timeout) continue;
                break;
            }
            if (!line->has_value()) break;
            (void)rx.series->feed(**line);
        }
        if (rx.series->state() == core::ProbeState::Failed)
            return failWith(Error::make(Errc::Io, who + " receiver failed: " + rx.series->failure()));
        return failWith(std::move(e));
    };
    auto sideFailed = [&](const Side& side, Error e) { return &side == &sides[1] ? senderFailed(std::move(e)) : failWith(std::move(e)); };
    {
        auto rx = ChildProcess::spawn(*exe, probeArgs(spec, *t, "receiver"));
        if (!rx) return rx.error();
        sides[0].child = std::move(*rx);
    }

    // Start-up (twice: one process after the other) plus the transfer plus the last lines.
    const auto deadline = Clock::now() + std::chrono::seconds(spec.seconds) + 3 * spec.stallTimeout;
    const auto step = std::chrono::milliseconds(10);  // per side; `cancel` is looked at each round
    while (!(sides[0].ended && sides[1].ended)) {
        if (cancel && cancel->load()) return failWith(Error::make(Errc::Io, who + " was stopped"));
        if (Clock::now() >= deadline)
            return failWith(Error::make(Errc::Timeout, who + " did not finish in time; both processes were killed"));
        for (auto& side : sides) {
            if (!side.child || side.ended) continue;
            auto line = side.child->readLine(step, wire::kMaxProbeLineLength);
            if (!line) {
                if (line.error().code == Errc::Timeout) {
                    if (Clock::now() - side.lastLine >= spec.stallTimeout)
                        return failWith(Error::make(Errc::Timeout, who + " " + side.role + " printed nothing for " +
                                                                       std::to_string(spec.stallTimeout.count()) + " ms; it was killed"));
                    continue;
                }
                return failWith(Error::make(Errc::Malformed, who + " " + side.role + " printed garbage: " + line.error().context));
            }
            side.lastLine = Clock::now();
            if (!line->has_value()) {
                // End of output: the process should exit right away.
                side.ended = true;
                (void)side.child->wait(std::chrono::milliseconds(3000));
                if (auto st = side.series->finish(); !st)
                    return sideFailed(side, Error::make(Errc::Io, who + " " + side.role + " died (" + side.child->exitDescription() + "): " +
                                                              st.error().context));
                if (side.series->state() == core::ProbeState::Failed)
                    return sideFailed(side, Error::make(Errc::Io, who + " " + side.role + " failed: " + side.series->failure()));
                if (!side.child->exitedCleanly())
                    return failWith(Error::make(Errc::Io, who + " " + side.role + " reported done but ended with " +
                                                              side.child->exitDescription()));
                continue;
            }
            if (auto st = side.series->feed(**line); !st)
                return failWith(Error::make(Errc::Malformed, who + " " + side.role + " printed garbage: " + st.error().context));
            if (side.series->state() == core::ProbeState::Failed)
                return sideFailed(side, Error::make(Errc::Io, who + " " + side.role + " failed: " + side.series->failure()));
            if (&side == &sides[0]) {
                if (onLine) onLine(r.receiver);
                // The receiver listens: start the sender with its endpoint.
                if (!sides[1].child && r.receiver.ready()) {
                    auto args = probeArgs(spec, *t, "sender");
                    args.insert(args.end(), {"--endpoint", r.receiver.ready()->endpoint});
                    auto tx = ChildProcess::spawn(*exe, args);
                    if (!tx) return failWith(tx.error());
                    sides[1].child = std::move(*tx);
                    sides[1].lastLine = Clock::now();
                }
            }
        }
        if (sides[0].ended && !sides[1].child)
            return failWith(Error::make(Errc::Malformed, who + " receiver ended without a ready line"));
    }

    // Merge the two reports.
    const auto& rd = *r.receiver.done();
    const auto& sd = *r.sender.done();
    r.receiverPid = r.receiver.hello()->pid;
    r.senderPid = r.sender.hello()->pid;
    r.lost = rd.lost + sd.lost;
    r.reordered = rd.reordered + sd.reordered;
    if (r.receiver.hello()->role != wire::ProbeRole::Receiver || r.sender.hello()->role != wire::ProbeRole::Sender)
        return Error::make(Errc::Malformed, who + ": the two processes do not report the receiver and sender roles");
    const bool datagrams = spec.transport == "udp";
    if (!datagrams && (rd.totalBytes != sd.totalBytes || rd.messages != sd.messages))
        return Error::make(Errc::Malformed, who + ": the receiver verified " + std::to_string(rd.messages) + " messages (" +
                                                std::to_string(rd.totalBytes) + " bytes), the sender sent " + std::to_string(sd.messages) +
                                                " (" + std::to_string(sd.totalBytes) + " bytes)");
    r.verified = rd.messages == sd.messages && rd.totalBytes == sd.totalBytes && r.lost == 0 && r.reordered == 0 &&
                 r.receiverPid != r.senderPid;
    return core::okStatus();
}

core::Status runProbe(const RunSpec& spec, core::ThroughputSeries& series, const LineCallback& onLine, const std::atomic<bool>* cancel) {
    RunResult r;
    const auto st = runProbe(spec, r, onLine, cancel);
    series = std::move(r.receiver);
    return st;
}

}  // namespace ipcscope::probe
