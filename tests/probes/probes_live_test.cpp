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

#if !defined(_WIN32)
#include <unistd.h>
#endif

using namespace ipcscope;

namespace {

probe::RunSpec spec(const std::string& transport, std::uint64_t bytes, std::uint64_t messageSize) {
    probe::RunSpec s;
    s.transport = transport;
    s.probeDir = IPCSCOPE_PROBE_DIR;
    s.bytes = bytes;
    s.messageSize = messageSize;
    s.intervalMs = 50;
    s.seconds = 5;
    s.stallTimeout = std::chrono::milliseconds(10000);
    return s;
}

void expectComplete(const probe::RunSpec& s) {
    SCOPED_TRACE(s.transport);
    core::ThroughputSeries series;
    std::size_t callbacks = 0;
    const auto t0 = std::chrono::steady_clock::now();
    const auto st = probe::runProbe(s, series, [&](const core::ThroughputSeries&) { ++callbacks; });
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    ASSERT_TRUE(st.ok()) << st.error().message();
    ASSERT_EQ(series.state(), core::ProbeState::Done);
    ASSERT_TRUE(series.hello().has_value());
    EXPECT_EQ(series.hello()->messageSize, s.messageSize);
    EXPECT_EQ(series.done()->totalBytes, s.bytes) << "the transfer was cut by the 5 s deadline after " << ms << " ms";
    EXPECT_EQ(series.sampledBytes(), s.bytes);
    EXPECT_GE(series.sampledMessages(), (s.bytes + s.messageSize - 1) / s.messageSize - 1);
    EXPECT_GT(series.averageMiBps(), 0.0);
    EXPECT_FALSE(series.points().empty());
    EXPECT_EQ(callbacks, series.lines());
    std::printf("[ probe    ] %-6s %llu bytes in %llu us: %.1f MiB/s\n", s.transport.c_str(),
                static_cast<unsigned long long>(series.done()->totalBytes),
                static_cast<unsigned long long>(series.done()->elapsedUs), series.averageMiBps());
}

}  // namespace

TEST(Probes, ShmMovesExactlyTheBytesAsked) {
    expectComplete(spec("shm", 32u << 20, 64u << 10));
    expectComplete(spec("shm", (4u << 20) + 123, 4096));  // not a multiple of the message size; ring wraps
}

TEST(Probes, PipeMovesExactlyTheBytesAsked) {
    expectComplete(spec("pipe", 32u << 20, 64u << 10));
    expectComplete(spec("pipe", (1u << 20) + 7, 1000));
}

TEST(Probes, SocketMovesExactlyTheBytesAsked) { expectComplete(spec("socket", 32u << 20, 64u << 10)); }

#if !defined(_WIN32)
TEST(Probes, UnixSocketMovesExactlyTheBytesAsked) { expectComplete(spec("unix", 32u << 20, 64u << 10)); }
#endif

TEST(Probes, EveryLineOfARawProbeParses) {
    auto exe = probe::probeExecutable(spec("pipe", 1, 1));
    ASSERT_TRUE(exe.ok()) << exe.error().message();
    auto child = probe::ChildProcess::spawn(*exe, {"--bytes", "8388608", "--message-size", "8192", "--interval-ms", "20", "--seconds", "5"});
    ASSERT_TRUE(child.ok()) << child.error().message();
    std::vector<std::string> lines;
    while (true) {
        auto line = (*child)->readLine(std::chrono::milliseconds(10000), wire::kMaxProbeLineLength);
        ASSERT_TRUE(line.ok()) << line.error().message();
        if (!line->has_value()) break;
        lines.push_back(**line);
        ASSERT_LT(lines.size(), 10000u);
    }
    ASSERT_TRUE((*child)->wait(std::chrono::milliseconds(5000)).ok());
    EXPECT_TRUE((*child)->exitedCleanly()) << (*child)->exitDescription();
    ASSERT_GE(lines.size(), 3u);
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        auto p = wire::parseProbeLine(lines[i]);
        ASSERT_TRUE(p.ok()) << "line " << i << " '" << lines[i] << "': " << p.error().message();
        if (i == 0) {
            const auto& h = std::get<wire::ProbeHello>(*p);
            EXPECT_EQ(h.transport, "pipe");
            EXPECT_EQ(h.messageSize, 8192u);
        } else if (i + 1 == lines.size()) {
            EXPECT_EQ(std::get<wire::ProbeDone>(*p).totalBytes, 8388608u);
        } else {
            sum += std::get<wire::ProbeSample>(*p).bytes;
        }
    }
    EXPECT_EQ(sum, 8388608u);
}

TEST(Probes, AProbeKilledMidRunIsAnError) {
    auto exe = probe::probeExecutable(spec("shm", 1, 1));
    ASSERT_TRUE(exe.ok()) << exe.error().message();
    // A transfer far larger than fits in the time: only the kill ends it early.
    auto child = probe::ChildProcess::spawn(*exe, {"--bytes", "1099511627776", "--interval-ms", "20", "--seconds", "20"});
    ASSERT_TRUE(child.ok()) << child.error().message();
    core::ThroughputSeries series;
    for (int i = 0; i < 3; ++i) {
        auto line = (*child)->readLine(std::chrono::milliseconds(10000), wire::kMaxProbeLineLength);
        ASSERT_TRUE(line.ok() && line->has_value());
        ASSERT_TRUE(series.feed(**line).ok());
    }
    const auto t0 = std::chrono::steady_clock::now();
    (*child)->kill();
    while (true) {
        auto line = (*child)->readLine(std::chrono::milliseconds(5000), wire::kMaxProbeLineLength);
        ASSERT_TRUE(line.ok()) << line.error().message();
        if (!line->has_value()) break;
        (void)series.feed(**line);
    }
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
    ASSERT_TRUE((*child)->wait(std::chrono::milliseconds(5000)).ok());
    EXPECT_FALSE((*child)->exitedCleanly()) << (*child)->exitDescription();
    auto st = series.finish();
    ASSERT_FALSE(st.ok());
    EXPECT_NE(st.error().context.find("without a done line"), std::string::npos) << st.error().context;
    EXPECT_GT(series.sampledBytes(), 0u);
#if !defined(_WIN32)
    // The killed probe leaves no shared-memory object behind.
    const std::string leftover = "/dev/shm/ipcscope-probe-shm-" + std::to_string((*child)->pid());
    EXPECT_NE(::access(leftover.c_str(), F_OK), 0) << leftover;
#endif
}

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
    EXPECT_EQ(j["bytes"], 8u << 20);
    EXPECT_EQ(j["complete"], true);
    EXPECT_GT(j["mib_per_s"].get<double>(), 0.0);
}
