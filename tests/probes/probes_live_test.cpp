// The probe executables, run for real: each moves a bounded transfer through its transport and
// the lines it prints must parse, add up to the bytes asked for, and show a throughput above 0.
// Portable: runs on Linux and, cross-built, under Wine.

#include "core/throughput.h"
#include "probe_runner/child_process.h"
#include "probe_runner/runner.h"
#include "wire/probe_line.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>

#include <chrono>
#include <cstdio>
#include <filesystem>

#if defined(_WIN32)
#include <windows.h>
#else
#include <csignal>
#include <unistd.h>
#endif

using namespace ipcscope;

namespace {

probe::RunSpec spec(const std::string& transport, std::uint64_t bytes, std::uint64_t messageSize,
                    wire::ProbeMode mode = wire::ProbeMode::Bulk) {
    probe::RunSpec s;
    s.transport = transport;
    s.mode = mode;
    s.probeDir = IPCSCOPE_PROBE_DIR;
    s.bytes = bytes;
    s.messageSize = messageSize;
    s.intervalMs = 50;
    s.seconds = 5;
    s.stallTimeout = std::chrono::milliseconds(10000);
    return s;
}

[[maybe_unused]] bool unixMissing(const core::Status& st) {
    return !st.ok() && st.error().message().find("AF_UNIX stream sockets are not supported here") != std::string::npos;
}

/// Runs `s` as two processes and checks that everything arrived, verified, and adds up.
void expectVerified(const probe::RunSpec& s) {
    SCOPED_TRACE(s.transport + " " + std::string(wire::probeModeName(s.mode)) + " " + std::to_string(s.messageSize));
    probe::RunResult r;
    std::size_t callbacks = 0;
    const auto t0 = std::chrono::steady_clock::now();
    const auto st = probe::runProbe(s, r, [&](const core::ThroughputSeries&) { ++callbacks; });
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
#if defined(_WIN32)
    if (s.transport == "unix" && unixMissing(st)) {
        std::printf("[ probe    ] unix: reported as not supported here: %s\n", st.error().message().c_str());
        return;
    }
#endif
    ASSERT_TRUE(st.ok()) << st.error().message();
    ASSERT_EQ(r.receiver.state(), core::ProbeState::Done);
    ASSERT_EQ(r.sender.state(), core::ProbeState::Done);
    EXPECT_TRUE(r.verified);
    // Two processes, neither of them this one.
    EXPECT_NE(r.receiverPid, 0u);
    EXPECT_NE(r.senderPid, 0u);
    EXPECT_NE(r.receiverPid, r.senderPid);
    EXPECT_EQ(r.receiver.hello()->role, wire::ProbeRole::Receiver);
    EXPECT_EQ(r.sender.hello()->role, wire::ProbeRole::Sender);
    EXPECT_EQ(r.receiver.hello()->mode, s.mode);
    EXPECT_EQ(r.receiver.hello()->messageSize, s.messageSize);
    // Whole messages: the byte count rounds up to them. Both sides and the samples agree.
    const std::uint64_t messages = (s.bytes + s.messageSize - 1) / s.messageSize;
    EXPECT_EQ(r.sender.done()->messages, messages) << "the transfer was cut by the 5 s deadline after " << ms << " ms";
    EXPECT_EQ(r.receiver.done()->messages, messages);
    EXPECT_EQ(r.receiver.done()->totalBytes, messages * s.messageSize);
    EXPECT_EQ(r.sender.done()->totalBytes, messages * s.messageSize);
    EXPECT_EQ(r.receiver.sampledBytes(), messages * s.messageSize);
    EXPECT_EQ(r.receiver.sampledMessages(), messages);
    EXPECT_EQ(r.lost, 0u);
    EXPECT_EQ(r.reordered, 0u);
    EXPECT_EQ(callbacks, r.receiver.lines());
    if (s.mode == wire::ProbeMode::PingPong) {
        ASSERT_TRUE(r.sender.latency().has_value());
        const auto& l = *r.sender.latency();
        EXPECT_EQ(l.roundTrips, messages);
        EXPECT_GT(l.p50Ns, 0u);
        EXPECT_LE(l.p50Ns, l.p99Ns);
        EXPECT_LE(l.p99Ns, l.p999Ns);
    } else {
        EXPECT_FALSE(r.sender.latency().has_value());
    }
    if (s.transport == "shm") {
        EXPECT_EQ(r.ringBytes, wire::probeShmRingBytes(s.messageSize, s.mode));
    }
    std::printf("[ probe    ] %-4s %-8s %llu bytes in %llu us: %.1f MiB/s (%lld ms with start-up)\n", s.transport.c_str(),
                std::string(wire::probeModeName(s.mode)).c_str(), static_cast<unsigned long long>(r.receiver.done()->totalBytes),
                static_cast<unsigned long long>(r.receiver.done()->elapsedUs), r.receiver.averageMiBps(), static_cast<long long>(ms));
}

void killProcess(std::uint64_t pid) {
#if defined(_WIN32)
    HANDLE h = OpenProcess(PROCESS_TERMINATE, FALSE, static_cast<DWORD>(pid));
    if (h) {
        TerminateProcess(h, 9);
        CloseHandle(h);
    }
#else
    ::kill(static_cast<pid_t>(pid), SIGKILL);
#endif
}

}  // namespace

// Each transport in each mode moves a short fixed count: a few MiB one way, a few hundred
// round trips, plus a message size that wraps the shm ring and is not a power of two.
TEST(Probes, EveryTransportBulkIsVerified) {
    for (const auto& t : probe::transports()) expectVerified(spec(t.name, 4u << 20, t.name == std::string("udp") ? 16u << 10 : 64u << 10));
    expectVerified(spec("shm", 9u << 20, 1000));  // 9438 messages through 8389 slots: the ring wraps
#if !defined(_WIN32)
    expectVerified(spec("pipe", (1u << 20) + 7, 1000));  // under Wine about 1 ms a message: Linux only
#endif
}

TEST(Probes, EveryTransportPingPongIsVerified) {
#if defined(_WIN32)
    // Under Wine every wake-up goes through wineserver (about 1 ms a round trip): fewer of them.
    constexpr std::uint64_t kRoundTrips = 64;
#else
    constexpr std::uint64_t kRoundTrips = 300;
#endif
    for (const auto& t : probe::transports()) expectVerified(spec(t.name, kRoundTrips * 1024, 1024, wire::ProbeMode::PingPong));
}

TEST(Probes, ACorruptedByteEndsTheRunWithAnError) {
    for (const char* t : {"shm", "tcp", "udp"}) {
        SCOPED_TRACE(t);
        auto s = spec(t, 2u << 20, 16u << 10);
        s.corruptMessage = 3;
        probe::RunResult r;
        const auto st = probe::runProbe(s, r);
        ASSERT_FALSE(st.ok());
        EXPECT_NE(st.error().message().find("receiver failed: verification failed: message 2 does not match its checksum"), std::string::npos)
            << st.error().message();
        EXPECT_FALSE(r.verified);
    }
    // In ping-pong the receiver catches it too.
    auto s = spec("pipe", 64u << 10, 1024, wire::ProbeMode::PingPong);
    s.corruptMessage = 10;
    probe::RunResult r;
    const auto st = probe::runProbe(s, r);
    ASSERT_FALSE(st.ok());
    EXPECT_NE(st.error().message().find("message 9 does not match its checksum"), std::string::npos) << st.error().message();
}

TEST(Probes, EveryLineOfARawProbeParses) {
    auto exe = probe::probeExecutable(spec("pipe", 1, 1));
    ASSERT_TRUE(exe.ok()) << exe.error().message();
    auto rx = probe::ChildProcess::spawn(*exe, {"--transport", "pipe", "--role", "receiver", "--message-size", "8192", "--interval-ms",
                                                "20", "--seconds", "5"});
    ASSERT_TRUE(rx.ok()) << rx.error().message();
    std::vector<std::string> lines;
    std::unique_ptr<probe::ChildProcess> tx;
    while (true) {
        auto line = (*rx)->readLine(std::chrono::milliseconds(10000), wire::kMaxProbeLineLength);
        ASSERT_TRUE(line.ok()) << line.error().message();
        if (!line->has_value()) break;
        lines.push_back(**line);
        ASSERT_LT(lines.size(), 10000u);
        if (lines.size() == 2) {
            auto ready = wire::parseProbeLine(lines[1]);
            ASSERT_TRUE(ready.ok()) << lines[1];
            auto t = probe::ChildProcess::spawn(*exe, {"--transport", "pipe", "--role", "sender", "--bytes", "8388608", "--message-size",
                                                       "8192", "--seconds", "5", "--endpoint", std::get<wire::ProbeReady>(*ready).endpoint});
            ASSERT_TRUE(t.ok()) << t.error().message();
            tx = std::move(*t);
        }
    }
    ASSERT_TRUE((*rx)->wait(std::chrono::milliseconds(5000)).ok());
    ASSERT_TRUE(tx && tx->wait(std::chrono::milliseconds(5000)).ok());
    EXPECT_TRUE((*rx)->exitedCleanly()) << (*rx)->exitDescription();
    ASSERT_GE(lines.size(), 4u);
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        auto p = wire::parseProbeLine(lines[i]);
        ASSERT_TRUE(p.ok()) << "line " << i << " '" << lines[i] << "': " << p.error().message();
        if (i == 0) {
            const auto& h = std::get<wire::ProbeHello>(*p);
            EXPECT_EQ(h.transport, "pipe");
            EXPECT_EQ(h.messageSize, 8192u);
            EXPECT_EQ(h.role, wire::ProbeRole::Receiver);
            EXPECT_EQ(h.pid, static_cast<std::uint64_t>((*rx)->pid()));
        } else if (i == 1) {
            EXPECT_TRUE(std::holds_alternative<wire::ProbeReady>(*p));
        } else if (i + 1 == lines.size()) {
            EXPECT_EQ(std::get<wire::ProbeDone>(*p).totalBytes, 8388608u);
            EXPECT_EQ(std::get<wire::ProbeDone>(*p).messages, 1024u);
        } else {
            sum += std::get<wire::ProbeSample>(*p).bytes;
        }
    }
    EXPECT_EQ(sum, 8388608u);
}

TEST(Probes, AProbeKilledMidRunIsReportedWithinTheStallTimeout) {
    for (const char* t : {"shm", "tcp"}) {
        SCOPED_TRACE(t);
        auto s = spec(t, 1ull << 40, 64u << 10);  // far more than fits in the time: only the kill ends it
        s.seconds = 20;
        s.stallTimeout = std::chrono::milliseconds(2000);
        probe::RunResult r;
        bool killed = false;
        std::chrono::steady_clock::time_point killedAt;
        const auto st = probe::runProbe(s, r, [&](const core::ThroughputSeries& x) {
            if (!killed && !x.points().empty()) {
                killProcess(x.hello()->pid);  // the receiver
                killed = true;
                killedAt = std::chrono::steady_clock::now();
            }
        });
        ASSERT_TRUE(killed);
        ASSERT_FALSE(st.ok());
        EXPECT_LT(std::chrono::steady_clock::now() - killedAt, std::chrono::milliseconds(2500));
        // Whichever side notices first: the receiver's output ends without a done line, or the
        // sender's next write fails.
        const std::string m = st.error().message();
        EXPECT_TRUE(m.find("receiver died (killed by signal") != std::string::npos || m.find("receiver died (exit code") != std::string::npos ||
                    m.find("sender failed") != std::string::npos)
            << m;
        EXPECT_GT(r.receiver.sampledBytes(), 0u);
#if !defined(_WIN32)
        // The killed receiver leaves no shared-memory object behind (the sender removed the name).
        const std::string leftover = "/dev/shm/ipcscope-probe-shm-" + std::to_string(r.receiver.hello()->pid);
        if (std::string(t) == "shm") {
            EXPECT_NE(::access(leftover.c_str(), F_OK), 0) << leftover;
        }
#endif
    }
}

// A receiver killed after its ready line, before its sender connected, cannot remove its FIFO
// folder, socket file or shm name itself: the run fails and nothing it named is left. Linux only:
// on Windows the named pipe and the section go with their last handle, and AF_UNIX is missing
// under Wine.
#if !defined(_WIN32)
TEST(Probes, AReceiverKilledBeforeItsSenderConnectsLeavesNothingBehind) {
    for (const char* t : {"pipe", "unix", "shm"}) {
        SCOPED_TRACE(t);
        auto s = spec(t, 1u << 20, 64u << 10);
        s.stallTimeout = std::chrono::milliseconds(1000);  // a FIFO sender waits in open() for a reader that is gone
        probe::RunResult r;
        std::string endpoint;
        const auto st = probe::runProbe(s, r, [&](const core::ThroughputSeries& x) {
            if (endpoint.empty() && x.ready()) {  // called before the sender is started
                endpoint = x.ready()->endpoint;
                killProcess(x.hello()->pid);
            }
        });
        ASSERT_FALSE(endpoint.empty());
        ASSERT_FALSE(st.ok());
        std::error_code ec;
        const std::string local = std::string(t) == "shm" ? "/dev/shm" + endpoint : endpoint;
        EXPECT_FALSE(std::filesystem::exists(local, ec)) << local << " is left behind after: " << st.error().message();
        if (std::string(t) == "unix") {
            EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(local).parent_path(), ec)) << local;
        }
    }
}
#endif

TEST(Probes, UnknownTransportAndMissingExecutableAreErrors) {
    auto bad = probe::probeExecutable(spec("carrier-pigeon", 1, 1));
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().code, core::Errc::InvalidArgument);
    auto s = spec("shm", 1, 1);
    s.probeDir = std::string(IPCSCOPE_PROBE_DIR) + "/no-such-folder";
    core::ThroughputSeries series;
    auto st = probe::runProbe(s, series);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().code, core::Errc::NotFound);
}

TEST(Probes, CancelStopsARunningProbeQuickly) {
    auto s = spec("shm", 1ull << 40, 64u << 10);  // would run until its 5 s deadline
    std::atomic<bool> cancel{false};
    core::ThroughputSeries series;
    const auto t0 = std::chrono::steady_clock::now();
    const auto st = probe::runProbe(s, series, [&](const core::ThroughputSeries& x) {
        if (!x.points().empty()) cancel = true;
    }, &cancel);
    const auto elapsed = std::chrono::steady_clock::now() - t0;
    ASSERT_FALSE(st.ok());
    EXPECT_NE(st.error().message().find("was stopped"), std::string::npos) << st.error().message();
    EXPECT_LT(elapsed, std::chrono::seconds(3));
    EXPECT_GT(series.sampledBytes(), 0u);
}

TEST(Probes, CliRunsAProbeAndPrintsJson) {
    auto child = probe::ChildProcess::spawn(IPCSCOPE_BIN, {"probe", "run", "pipe", "--bytes", "8M", "--interval-ms", "20", "--seconds",
                                                           "5", "--probe-dir", IPCSCOPE_PROBE_DIR, "--json"});
    ASSERT_TRUE(child.ok()) << child.error().message();
    std::string out;
    while (true) {
        auto line = (*child)->readLine(std::chrono::milliseconds(20000), 1 << 20);
        ASSERT_TRUE(line.ok()) << line.error().message();
        if (!line->has_value()) break;
        out += **line + "\n";
    }
    ASSERT_TRUE((*child)->wait(std::chrono::milliseconds(5000)).ok());
    EXPECT_TRUE((*child)->exitedCleanly()) << (*child)->exitDescription() << "\n" << out;
    auto j = nlohmann::json::parse(out, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << out;
    EXPECT_EQ(j["transport"], "pipe");
    EXPECT_EQ(j["mode"], "bulk");
    EXPECT_EQ(j["bytes"], 8u << 20);
    EXPECT_EQ(j["complete"], true);
    EXPECT_EQ(j["verified"], true);
    EXPECT_NE(j["processes"]["sender"], j["processes"]["receiver"]);
    EXPECT_GT(j["bytes_per_second"].get<double>(), 0.0);
    EXPECT_GT(j["mib_per_s"].get<double>(), 0.0);
}
