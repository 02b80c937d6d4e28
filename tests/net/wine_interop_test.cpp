// The Windows build under Wine on the same test LAN: its broadcast decodes on Linux exactly
// as the Linux build's does, and its listener decodes the Linux build's broadcast exactly as
// the Linux listener does. Wine runs inside the sender's or listener's namespace with its own
// prefix, so its wineserver (which owns Wine's sockets) lives in that namespace too.

#include "netns.h"
#include "test_util.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>

using namespace ipcscope::test;
using nlohmann::json;

namespace {

const std::string kPrefix = IPCSCOPE_NET_WINEPREFIX;
const std::vector<std::string> kWineEnv{"IPCSCOPE_WINEPREFIX=" + kPrefix, "IPCSCOPE_WINE_TIMEOUT=90"};

std::vector<std::string> wine(std::vector<std::string> args) {
    args.insert(args.begin(), {IPCSCOPE_WINE_RUN, IPCSCOPE_WINDOWS_EXE});
    return args;
}

void stopWineServer() { (void)runCmd({"env", "WINEPREFIX=" + kPrefix, "wineserver", "-k"}, 30); }

std::vector<json> jsonLines(const std::string& text) {
    std::vector<json> out;
    for (const auto& l : lines(text)) out.push_back(json::parse(l, nullptr, false));
    return out;
}

json comparable(json j) {
    for (const char* k : {"time", "id"}) j.erase(k);
    return j;
}

}  // namespace

// The fixture has external linkage: the classes TEST_F derives from it do, and the unity build
// makes this file a header to the compiler (-Wsubobject-linkage).
class WineInterop : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(std::filesystem::exists(IPCSCOPE_WINDOWS_EXE))
            << "the Windows build is missing: " << IPCSCOPE_WINDOWS_EXE
            << " does not exist. Build the 'windows' preset first, or configure with -DIPCSCOPE_WINDOWS_EXE= to leave "
               "this test out";
        ASSERT_TRUE(lan.ok()) << lan.error();
        stopWineServer();
    }
    void TearDown() override { stopWineServer(); }
    TempDir dir;
    TestLan lan{"ipcs_wi", 3, 79};
};

TEST_F(WineInterop, WindowsBroadcastDecodesOnLinuxLikeTheLinuxOne) {
    Background b(lan.in(kB, {IPCSCOPE_BIN, "mailslot", "listen", "--json", "--iface", lan.dev(kB), "--count", "2", "--seconds", "100"}),
                 dir.path(), "b");
    ASSERT_TRUE(lan.waitUdpPort(kB, 138, std::chrono::seconds(5)));
    const std::vector<std::string> args{"send", "\\\\*\\mailslot\\ipcscope-test", "--hex", "00010203fe7f80ff48656c6c6f",
                                        "--broadcast", lan.broadcast(), "--domain", "TESTDOM", "--source-name", "HOSTA",
                                        "--priority", "2", "--json"};
    auto fromWine = runCmd(lan.in(kA, wine(args)), 120, kWineEnv);
    ASSERT_EQ(fromWine.exitCode, 0) << fromWine.out << fromWine.err;
    std::vector<std::string> linuxArgv{IPCSCOPE_BIN};
    linuxArgv.insert(linuxArgv.end(), args.begin(), args.end());
    auto fromLinux = runCmd(lan.in(kA, linuxArgv));
    ASSERT_EQ(fromLinux.exitCode, 0) << fromLinux.err;
    EXPECT_EQ(json::parse(fromWine.out), json::parse(fromLinux.out));

    ASSERT_EQ(b.wait(std::chrono::seconds(20)), 0) << b.err();
    auto got = jsonLines(b.out());
    ASSERT_EQ(got.size(), 2u) << b.out();
    EXPECT_EQ(got[0]["source_ip"], lan.ip(kA));
    EXPECT_EQ(got[0]["data_hex"], "00010203fe7f80ff48656c6c6f");
    EXPECT_FALSE(got[0].contains("error")) << got[0].dump();
    EXPECT_EQ(comparable(got[0]), comparable(got[1]));
}

TEST_F(WineInterop, WindowsListenerDecodesTheLinuxBroadcastLikeTheLinuxListener) {
    Background b(lan.in(kB, wine({"mailslot", "listen", "--json", "--count", "1", "--seconds", "80"})), dir.path(), "b", kWineEnv);
    Background c(lan.in(kC, {IPCSCOPE_BIN, "mailslot", "listen", "--json", "--iface", lan.dev(kC), "--count", "1", "--seconds", "80"}),
                 dir.path(), "c");
    ASSERT_TRUE(lan.waitUdpPort(kB, 138, std::chrono::seconds(60))) << "the Windows listener did not bind UDP 138: " << b.err();
    ASSERT_TRUE(lan.waitUdpPort(kC, 138, std::chrono::seconds(5)));
    auto sent = runCmd(lan.in(kA, {IPCSCOPE_BIN, "send", "\\\\*\\mailslot\\ipcscope-test", "--text", "hello from linux",
                                   "--iface", lan.dev(kA), "--domain", "TESTDOM", "--source-name", "HOSTA"}));
    ASSERT_EQ(sent.exitCode, 0) << sent.err;
    ASSERT_EQ(b.wait(std::chrono::seconds(30)), 0) << b.err();
    ASSERT_EQ(c.wait(std::chrono::seconds(10)), 0) << c.err();
    auto onWindows = jsonLines(b.out());
    auto onLinux = jsonLines(c.out());
    ASSERT_EQ(onWindows.size(), 1u) << b.out() << b.err();
    ASSERT_EQ(onLinux.size(), 1u) << c.out();
    EXPECT_EQ(onWindows[0]["data_text"], "hello from linux");
    onWindows[0].erase("time");
    onLinux[0].erase("time");
    EXPECT_EQ(onWindows[0], onLinux[0]);
}
