// 'ipcscope probe run' end to end: a real socket probe in JSON, and probes that die, hang or
// print garbage (small shell scripts standing in for a broken probe executable).

#include "run_cmd.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

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

TEST(ProbeCli, SocketRunAsJson) {
    auto [r, secs] = run({IPCSCOPE_BIN, "probe", "run", "socket", "--bytes", "16M", "--message-size", "32K", "--interval-ms", "20",
                          "--seconds", "5", "--probe-dir", IPCSCOPE_PROBE_DIR, "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["transport"], "socket");
    EXPECT_EQ(j["probe_transport"], "tcp");
    EXPECT_EQ(j["protocol_version"], 1);
    EXPECT_EQ(j["message_size"], 32768);
    EXPECT_EQ(j["bytes_requested"], 16777216u);
    EXPECT_EQ(j["bytes"], 16777216u);
    EXPECT_EQ(j["complete"], true);
    EXPECT_GT(j["mib_per_s"].get<double>(), 0.0);
    EXPECT_GE(j["peak_mib_per_s"].get<double>(), 0.0);
    std::uint64_t sum = 0;
    ASSERT_FALSE(j["samples"].empty());
    for (const auto& s : j["samples"]) sum += s["bytes"].get<std::uint64_t>();
    EXPECT_EQ(sum, 16777216u);
    EXPECT_LT(secs, 10.0);
}

TEST(ProbeCli, TextOutputShowsSamplesAndSummaryNextToTheBinary) {
    // No --probe-dir: the probes are found next to the ipcscope binary.
    auto [r, secs] = run({IPCSCOPE_BIN, "probe", "run", "unix", "--bytes", "8M", "--interval-ms", "20", "--seconds", "5"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("probe unix (unix)"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("MiB/s"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("unix: 8.0 MiB in "), std::string::npos) << r.out;
    (void)secs;
}

TEST(ProbeCli, AProbeThatDiesIsAOneLineErrorWithExit1) {
    FakeProbe p("echo 'ipcscope-probe 1 tcp 65536'\necho 'sample 100 1000 1'\nkill -9 $$");
    auto [r, secs] = run({IPCSCOPE_BIN, "probe", "run", "socket", "--probe-dir", p.dir()});
    EXPECT_EQ(r.exitCode, 1) << r.out;
    EXPECT_EQ(lines(r.err), 1u) << r.err;
    EXPECT_NE(r.err.find("died (killed by signal 9)"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("without a done line"), std::string::npos) << r.err;
    EXPECT_LT(secs, 5.0);
}

TEST(ProbeCli, GarbageOnStdoutIsReported) {
    FakeProbe p("echo 'ipcscope-probe 1 tcp 65536'\necho 'Segmentation fault'\nsleep 20");
    auto [r, secs] = run({IPCSCOPE_BIN, "probe", "run", "socket", "--probe-dir", p.dir()});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_EQ(lines(r.err), 1u) << r.err;
    EXPECT_NE(r.err.find("printed garbage"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("unknown-keyword"), std::string::npos) << r.err;
    EXPECT_LT(secs, 5.0);  // the sleeping probe was killed, not waited for

    FakeProbe wrongVersion("echo 'ipcscope-probe 7 tcp 65536'");
    auto [r2, s2] = run({IPCSCOPE_BIN, "probe", "run", "socket", "--probe-dir", wrongVersion.dir()});
    EXPECT_EQ(r2.exitCode, 1);
    EXPECT_NE(r2.err.find("unsupported-version"), std::string::npos) << r2.err;

    FakeProbe endless("head -c 100000 /dev/zero | tr '\\0' 'x'; sleep 20");
    auto [r3, s3] = run({IPCSCOPE_BIN, "probe", "run", "socket", "--probe-dir", endless.dir()});
    EXPECT_EQ(r3.exitCode, 1);
    EXPECT_EQ(lines(r3.err), 1u) << r3.err;
    EXPECT_NE(r3.err.find("without a line end"), std::string::npos) << r3.err;
    EXPECT_LT(s3, 5.0);
}

TEST(ProbeCli, ASilentProbeIsKilledAfterTheStallTimeout) {
    FakeProbe p("echo 'ipcscope-probe 1 tcp 65536'\nsleep 20");
    auto [r, secs] = run({IPCSCOPE_BIN, "probe", "run", "socket", "--probe-dir", p.dir(), "--stall-timeout-ms", "500"});
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("printed nothing for 500 ms"), std::string::npos) << r.err;
    EXPECT_LT(secs, 4.0);
}

TEST(ProbeCli, AProbeErrorLineIsAFailure) {
    FakeProbe p("echo 'ipcscope-probe 1 tcp 65536'\necho 'error connect to 127.0.0.1: refused'\nexit 1");
    auto [r, secs] = run({IPCSCOPE_BIN, "probe", "run", "socket", "--probe-dir", p.dir()});
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
    auto r3 = runCmd({IPCSCOPE_BIN, "probe", "run", "shm", "--probe-dir", "/nonexistent"});
    EXPECT_EQ(r3.exitCode, 1);
    EXPECT_NE(r3.err.find("not found"), std::string::npos) << r3.err;
}
