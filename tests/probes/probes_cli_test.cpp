// 'ipcscope probe run' end to end: a real socket probe in JSON, and probes that die, hang or
// print garbage (small shell scripts standing in for a broken probe executable).

#include "run_cmd.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <stb_image.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <algorithm>
#include <array>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

using namespace ipcscope::test;
namespace fs = std::filesystem;

namespace {

std::size_t lines(const std::string& s) {
    std::size_t n = 0;
    for (char c : s) n += c == '\n';
    return n;
}

/// A folder holding one fake probe named like the socket probe.
class FakeProbe {
public:
    explicit FakeProbe(const std::string& script) {
        char tmpl[] = "/tmp/ipcscope-fake-probe-XXXXXX";
        m_dir = mkdtemp(tmpl);
        const fs::path exe = fs::path(m_dir) / "ipcscope-probe-socket";
        std::ofstream(exe) << "#!/bin/sh\n" << script << "\n";
        chmod(exe.c_str(), 0755);
    }
    ~FakeProbe() { fs::remove_all(m_dir); }
    [[nodiscard]] const std::string& dir() const { return m_dir; }

private:
    std::string m_dir;
};

struct Timed {
    CmdResult r;
    double seconds;
};

Timed run(const std::vector<std::string>& argv) {
    const auto t0 = std::chrono::steady_clock::now();
    CmdResult r = runCmd(argv, 30);
    return {r, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()};
}

}  // namespace

TEST(ProbeCli, TcpRunAsJson) {
    auto [r, secs] = run({IPCSCOPE_BIN, "probe", "run", "tcp", "--bytes", "16M", "--message-size", "32K", "--interval-ms", "20",
                          "--seconds", "5", "--probe-dir", IPCSCOPE_PROBE_DIR, "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["transport"], "tcp");
    EXPECT_EQ(j["mode"], "bulk");
    EXPECT_EQ(j["protocol_version"], 2);
    EXPECT_EQ(j["message_size"], 32768);
    EXPECT_EQ(j["bytes_requested"], 16777216u);
    EXPECT_EQ(j["bytes"], 16777216u);
    EXPECT_EQ(j["messages"], 512u);
    EXPECT_EQ(j["complete"], true);
    EXPECT_EQ(j["verified"], true);
    EXPECT_FALSE(j.contains("latency_ns"));
    EXPECT_FALSE(j.contains("ring_bytes"));
    const auto rx = j["processes"]["receiver"].get<long long>(), tx = j["processes"]["sender"].get<long long>();
    EXPECT_NE(rx, tx);
    EXPECT_NE(rx, static_cast<long long>(getpid()));
    EXPECT_GT(j["bytes_per_second"].get<double>(), 0.0);
    EXPECT_NEAR(j["messages_per_second"].get<double>() * 32768, j["bytes_per_second"].get<double>(), 1.0);
    EXPECT_GT(j["mib_per_s"].get<double>(), 0.0);
    EXPECT_GE(j["peak_mib_per_s"].get<double>(), 0.0);
    std::uint64_t sum = 0;
    ASSERT_FALSE(j["samples"].empty());
    for (const auto& s : j["samples"]) sum += s["bytes"].get<std::uint64_t>();
    EXPECT_EQ(sum, 16777216u);
    EXPECT_LT(secs, 10.0);
}

TEST(ProbeCli, PingPongSweepPrintsOneObjectPerRunAndProgressOnStderr) {
    // Two transports, a sweep cut short by --bytes: every size from 64 B to 4 MiB, one round trip
    // each at 4 MiB (the byte count rounds up to whole messages).
    auto [r, secs] = run({IPCSCOPE_BIN, "probe", "run", "shm", "udp", "--mode", "pingpong", "--sweep", "--bytes", "4K", "--seconds", "5",
                          "--probe-dir", IPCSCOPE_PROBE_DIR, "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    ASSERT_TRUE(j.is_array());
    ASSERT_EQ(j.size(), 9u + 5u) << r.out;  // udp stops at 16 KiB: a datagram holds at most 65507 bytes
    EXPECT_NE(r.err.find("[1/14] shm pingpong, messages of 64 B..."), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("udp 64 KiB: skipped"), std::string::npos) << r.err;
    std::uint64_t expectSize = 64;
    for (std::size_t i = 0; i < j.size(); ++i) {
        const auto& o = j[i];
        SCOPED_TRACE(o.dump());
        EXPECT_EQ(o["transport"], i < 9 ? "shm" : "udp");
        EXPECT_EQ(o["mode"], "pingpong");
        if (i == 9) expectSize = 64;
        EXPECT_EQ(o["message_size"], expectSize);
        expectSize *= 4;
        EXPECT_EQ(o["verified"], true);
        const auto& l = o["latency_ns"];
        EXPECT_GT(l["p50"].get<std::uint64_t>(), 0u);
        EXPECT_LE(l["p50"].get<std::uint64_t>(), l["p99"].get<std::uint64_t>());
        EXPECT_LE(l["p99"].get<std::uint64_t>(), l["p999"].get<std::uint64_t>());
        EXPECT_GT(o["round_trips_per_second"].get<double>(), 0.0);
        if (i < 9) EXPECT_EQ(o["ring_bytes"], std::max<std::uint64_t>(4u << 10, 4 * o["message_size"].get<std::uint64_t>()));
        else EXPECT_EQ(o["lost"], 0u);
    }
    (void)secs;
}

TEST(ProbeCli, SpinIsLabelledInEveryOutput) {
    auto [j1, s1] = run({IPCSCOPE_BIN, "probe", "run", "shm", "--spin", "--bytes", "4M", "--seconds", "5", "--json"});
    ASSERT_EQ(j1.exitCode, 0) << j1.err;
    auto j = nlohmann::json::parse(j1.out);
    EXPECT_EQ(j["spin"], true);
    EXPECT_EQ(j["verified"], true);
    EXPECT_EQ(j["ring_bytes"], 8u << 20);
    auto [t1, s2] = run({IPCSCOPE_BIN, "probe", "run", "shm", "--spin", "--bytes", "4M", "--seconds", "5"});
    ASSERT_EQ(t1.exitCode, 0) << t1.err;
    EXPECT_NE(t1.out.find("probe shm bulk spin"), std::string::npos) << t1.out;
    EXPECT_NE(t1.out.find("shm bulk spin 64 KiB: 4.0 MiB"), std::string::npos) << t1.out;
    (void)s1;
    (void)s2;
}

TEST(ProbeCli, TextOutputShowsSamplesAndSummaryNextToTheBinary) {
    // No --probe-dir: the probes are found next to the ipcscope binary.
    auto [r, secs] = run({IPCSCOPE_BIN, "probe", "run", "unix", "--bytes", "8M", "--interval-ms", "20", "--seconds", "5"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("probe unix bulk"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("MiB/s"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("unix bulk 64 KiB: 8.0 MiB in "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(", verified (pids "), std::string::npos) << r.out;
    (void)secs;
}

TEST(ProbeCli, AProbeThatDiesIsAOneLineErrorWithExit1) {
    FakeProbe p("echo 'ipcscope-probe 2 tcp 65536 receiver bulk 1'\necho 'sample 100 1000 1'\nkill -9 $$");
    auto [r, secs] = run({IPCSCOPE_BIN, "probe", "run", "tcp", "--probe-dir", p.dir()});
    EXPECT_EQ(r.exitCode, 1) << r.out;
    EXPECT_EQ(lines(r.err), 1u) << r.err;
    EXPECT_NE(r.err.find("died (killed by signal 9)"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("without a done line"), std::string::npos) << r.err;
    EXPECT_LT(secs, 5.0);
}

TEST(ProbeCli, GarbageOnStdoutIsReported) {
    FakeProbe p("echo 'ipcscope-probe 2 tcp 65536 receiver bulk 1'\necho 'Segmentation fault'\nsleep 20");
    auto [r, secs] = run({IPCSCOPE_BIN, "probe", "run", "tcp", "--probe-dir", p.dir()});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_EQ(lines(r.err), 1u) << r.err;
    EXPECT_NE(r.err.find("printed garbage"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("unknown-keyword"), std::string::npos) << r.err;
    EXPECT_LT(secs, 5.0);  // the sleeping probe was killed, not waited for

    FakeProbe wrongVersion("echo 'ipcscope-probe 7 tcp 65536 receiver bulk 1'");
    auto [r2, s2] = run({IPCSCOPE_BIN, "probe", "run", "tcp", "--probe-dir", wrongVersion.dir()});
    EXPECT_EQ(r2.exitCode, 1);
    EXPECT_NE(r2.err.find("unsupported-version"), std::string::npos) << r2.err;

    FakeProbe endless("head -c 100000 /dev/zero | tr '\\0' 'x'; sleep 20");
    auto [r3, s3] = run({IPCSCOPE_BIN, "probe", "run", "tcp", "--probe-dir", endless.dir()});
    EXPECT_EQ(r3.exitCode, 1);
    EXPECT_EQ(lines(r3.err), 1u) << r3.err;
    EXPECT_NE(r3.err.find("without a line end"), std::string::npos) << r3.err;
    EXPECT_LT(s3, 5.0);
}

TEST(ProbeCli, ASilentProbeIsKilledAfterTheStallTimeout) {
    FakeProbe p("echo 'ipcscope-probe 2 tcp 65536 receiver bulk 1'\nsleep 20");
    auto [r, secs] = run({IPCSCOPE_BIN, "probe", "run", "tcp", "--probe-dir", p.dir(), "--stall-timeout-ms", "500"});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("printed nothing for 500 ms"), std::string::npos) << r.err;
    EXPECT_LT(secs, 4.0);
}

TEST(ProbeCli, AProbeErrorLineIsAFailure) {
    FakeProbe p("echo 'ipcscope-probe 2 tcp 65536 receiver bulk 1'\necho 'error connect to 127.0.0.1: refused'\nexit 1");
    auto [r, secs] = run({IPCSCOPE_BIN, "probe", "run", "tcp", "--probe-dir", p.dir()});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("failed: connect to 127.0.0.1: refused"), std::string::npos) << r.err;
    (void)secs;
}

TEST(ProbeCli, BadUsageIsExit2AndMissingProbeExit1) {
    auto r = runCmd({IPCSCOPE_BIN, "probe", "run", "carrier-pigeon"});
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_EQ(lines(r.err), 1u) << r.err;
    auto r2 = runCmd({IPCSCOPE_BIN, "probe", "run", "shm", "--bytes", "0"});
    EXPECT_EQ(r2.exitCode, 2);
    auto r4 = runCmd({IPCSCOPE_BIN, "probe", "run", "udp", "--message-size", "64K"});
    EXPECT_EQ(r4.exitCode, 2);
    EXPECT_NE(r4.err.find("at most 65507 bytes"), std::string::npos) << r4.err;
    auto r5 = runCmd({IPCSCOPE_BIN, "probe", "run", "tcp", "--mode", "stream"});
    EXPECT_EQ(r5.exitCode, 2);
    auto r3 = runCmd({IPCSCOPE_BIN, "probe", "run", "shm", "--probe-dir", "/nonexistent"});
    EXPECT_EQ(r3.exitCode, 1);
    EXPECT_NE(r3.err.find("not found"), std::string::npos) << r3.err;
}

/// Pixels of `img` (RGB) within 30 of `rgb` in each channel.
std::size_t pixelsNear(const unsigned char* img, int w, int h, std::array<int, 3> rgb) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < static_cast<std::size_t>(w) * static_cast<std::size_t>(h); ++i) {
        const unsigned char* p = img + 3 * i;
        n += std::abs(p[0] - rgb[0]) < 30 && std::abs(p[1] - rgb[1]) < 30 && std::abs(p[2] - rgb[2]) < 30;
    }
    return n;
}

TEST(ProbeCli, ChartDrawsASweepAsAPngAndRefusesMalformedJson) {
    // A real sweep, cut short: every size from 64 B to 4 MiB, a few messages each.
    auto [sweep, secs] = run({IPCSCOPE_BIN, "probe", "run", "shm", "pipe", "--sweep", "--bytes", "64K", "--seconds", "5", "--probe-dir",
                              IPCSCOPE_PROBE_DIR, "--json"});
    ASSERT_EQ(sweep.exitCode, 0) << sweep.err;
    char tmpl[] = "/tmp/ipcscope-chart-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    const fs::path dir = tmpl;
    std::ofstream(dir / "sweep.json") << sweep.out;
    auto [r, chartSecs] = run({IPCSCOPE_BIN, "probe", "chart", (dir / "sweep.json").string(), "--out", (dir / "sweep.png").string(), "--size",
                               "640x400"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.err.find("2 transports, 18 runs"), std::string::npos) << r.err;
    int w = 0, h = 0, n = 0;
    std::unique_ptr<unsigned char, void (*)(void*)> img(stbi_load((dir / "sweep.png").c_str(), &w, &h, &n, 3), stbi_image_free);
    ASSERT_TRUE(img) << "not a PNG that stb reads";
    EXPECT_EQ(w, 640);
    EXPECT_EQ(h, 400);
    const std::size_t white = pixelsNear(img.get(), w, h, {255, 255, 255});
    EXPECT_LT(white, static_cast<std::size_t>(w * h) * 97 / 100) << "nearly blank";
    EXPECT_GT(white, static_cast<std::size_t>(w * h) / 2) << "the background is not white";
    // Each transport's line and legend swatch in its colour (shm orange, pipe green).
    EXPECT_GT(pixelsNear(img.get(), w, h, {230, 140, 40}), 300u);
    EXPECT_GT(pixelsNear(img.get(), w, h, {80, 190, 90}), 300u);

    // Malformed input: a clear error naming the problem, exit 1, no PNG.
    std::ofstream(dir / "cut.json") << "[{\"transport\": \"shm\", ";
    auto [bad, badSecs] = run({IPCSCOPE_BIN, "probe", "chart", (dir / "cut.json").string(), "--out", (dir / "cut.png").string()});
    EXPECT_EQ(bad.exitCode, 1);
    EXPECT_NE(bad.err.find("cut.json is not JSON"), std::string::npos) << bad.err;
    EXPECT_FALSE(fs::exists(dir / "cut.png"));
    std::ofstream(dir / "shape.json") << R"([{"transport": "shm", "mib_per_s": 10}])";
    auto [shape, shapeSecs] = run({IPCSCOPE_BIN, "probe", "chart", (dir / "shape.json").string(), "--out", (dir / "shape.png").string()});
    EXPECT_EQ(shape.exitCode, 1);
    EXPECT_NE(shape.err.find("run 1 has no positive \"message_size\""), std::string::npos) << shape.err;
    EXPECT_FALSE(fs::exists(dir / "shape.png"));
    auto [missing, missingSecs] = run({IPCSCOPE_BIN, "probe", "chart", (dir / "none.json").string(), "--out", (dir / "none.png").string()});
    EXPECT_EQ(missing.exitCode, 1);
    EXPECT_NE(missing.err.find("cannot open"), std::string::npos) << missing.err;
    fs::remove_all(dir);
    (void)secs, (void)chartSecs, (void)badSecs, (void)shapeSecs, (void)missingSecs;
}
