// The command line: exit codes and one-line errors on bad input.

#include "run_cmd.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace ipcscope::test;

namespace {
std::size_t lines(const std::string& s) {
    std::size_t n = 0;
    for (char c : s) n += c == '\n';
    return n;
}
}  // namespace

TEST(Cli, UnknownFamilyIsAUsageError) {
    auto r = runCmd({IPCSCOPE_BIN, "list", "pipez"});
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_EQ(lines(r.err), 1u) << r.err;
    EXPECT_NE(r.err.find("unknown family or kind 'pipez'"), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty());
}

TEST(Cli, BadFlagIsAUsageError) {
    auto r = runCmd({IPCSCOPE_BIN, "list", "--jsonn"});
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_EQ(lines(r.err), 1u) << r.err;
    EXPECT_EQ(r.err.rfind("ipcscope: ", 0), 0u) << r.err;
    auto r2 = runCmd({IPCSCOPE_BIN, "frobnicate"});
    EXPECT_EQ(r2.exitCode, 2);
    EXPECT_EQ(lines(r2.err), 1u) << r2.err;
}

TEST(Cli, HelpAndVersionSucceed) {
    auto h = runCmd({IPCSCOPE_BIN, "--help"});
    EXPECT_EQ(h.exitCode, 0);
    EXPECT_NE(h.out.find("list"), std::string::npos);
    auto lh = runCmd({IPCSCOPE_BIN, "list", "--help"});
    EXPECT_EQ(lh.exitCode, 0);
    EXPECT_NE(lh.out.find("--json"), std::string::npos);
    EXPECT_NE(lh.out.find("unix-socket"), std::string::npos);
    auto v = runCmd({IPCSCOPE_BIN, "--version"});
    EXPECT_EQ(v.exitCode, 0);
    EXPECT_EQ(v.out.rfind("ipcscope ", 0), 0u) << v.out;
}

TEST(Cli, UnsupportedFamilyIsReportedNotFatal) {
    auto r = runCmd({IPCSCOPE_BIN, "list", "mailslots", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    EXPECT_TRUE(j["objects"].empty());
    ASSERT_EQ(j["errors"].size(), 1u);
    EXPECT_EQ(j["errors"][0]["code"], "not-supported");
    EXPECT_EQ(j["errors"][0]["family"], "mailslots");
}

TEST(Cli, GuiWithoutDisplaySaysSoAndPointsToTheCli) {
    auto r = runCmd({IPCSCOPE_BIN, "gui"}, 30, {"DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER"});
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_EQ(lines(r.err), 1u) << r.err;
    EXPECT_NE(r.err.find("no display"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("ipcscope list"), std::string::npos) << r.err;
}

TEST(Cli, TableIsTheDefaultOutput) {
    auto r = runCmd({IPCSCOPE_BIN, "list", "pipes"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(r.out.rfind("KIND", 0), 0u) << r.out;
    EXPECT_NE(r.out.find(" objects on "), std::string::npos);
}
