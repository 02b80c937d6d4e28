// The two programs of a Linux build with the GUI: `ipcscope`, the command line without the GUI's
// and the HTTP server's libraries, and `ipcscope-full`, which it executes for 'gui', 'serve' and
// 'probe chart'.

#include "run_cmd.h"
#include "test_util.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef IPCSCOPE_FULL_BIN

using namespace ipcscope::test;
namespace fs = std::filesystem;

extern char** environ;

namespace {

/// The DT_NEEDED entries of an ELF file, as readelf prints them: "libSDL2-2.0.so.0", ...
std::set<std::string> neededLibraries(const std::string& path) {
    auto r = runCmd({"readelf", "-d", "-W", path});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    std::set<std::string> out;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) {
        if (line.find("(NEEDED)") == std::string::npos) continue;
        const auto open = line.find('['), close = line.find(']');
        if (open != std::string::npos && close > open) out.insert(line.substr(open + 1, close - open - 1));
    }
    return out;
}

bool anyStartsWith(const std::set<std::string>& libs, const std::string& prefix) {
    for (const auto& l : libs)
        if (l.rfind(prefix, 0) == 0) return true;
    return false;
}

}  // namespace

TEST(Program, TheCommandLineLoadsNoGuiOrHttpLibrary) {
    const auto cli = neededLibraries(IPCSCOPE_BIN);
    ASSERT_FALSE(cli.empty()) << "readelf found no NEEDED entry in " << IPCSCOPE_BIN;
    for (const char* heavy : {"libSDL2", "libGL", "libcpp-httplib", "libssl", "libcrypto", "libbrotli", "libz."})
        EXPECT_FALSE(anyStartsWith(cli, heavy)) << IPCSCOPE_BIN << " needs " << heavy << "*";
    // The full program is where they went: the test would see them if they came back.
    const auto full = neededLibraries(IPCSCOPE_FULL_BIN);
    EXPECT_TRUE(anyStartsWith(full, "libSDL2")) << IPCSCOPE_FULL_BIN;
    EXPECT_TRUE(anyStartsWith(full, "libcpp-httplib")) << IPCSCOPE_FULL_BIN;
}

TEST(Program, ServeRunsAsTheFullProgramInTheSameProcess) {
    std::vector<std::string> args{IPCSCOPE_BIN, "serve", "--listen", "127.0.0.1:0", "--seconds", "3"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    ASSERT_EQ(posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ), 0);
    // ipcscope parses the arguments, then replaces itself: the PID stays, /proc/PID/exe changes.
    const std::string exeLink = "/proc/" + std::to_string(pid) + "/exe";
    const std::string want = fs::canonical(IPCSCOPE_FULL_BIN).string();
    std::string seen;
    for (int i = 0; i < 100 && seen != want; ++i) {
        std::error_code ec;
        seen = fs::read_symlink(exeLink, ec).string();
        if (seen != want) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_EQ(seen, want);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
}

TEST(Program, WithoutTheFullProgramTheCommandLineWorksAndSaysWhatIsMissing) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    const fs::path alone = fs::path(dir.path()) / "ipcscope";
    fs::copy_file(IPCSCOPE_BIN, alone);
    auto kinds = runCmd({alone.string(), "kinds"});
    EXPECT_EQ(kinds.exitCode, 0) << kinds.err;
    EXPECT_NE(kinds.out.find("fifo"), std::string::npos) << kinds.out;
    for (std::vector<std::string> cmd : {std::vector<std::string>{"gui"}, {"serve", "--seconds", "1"}, {}}) {
        cmd.insert(cmd.begin(), alone.string());
        auto r = runCmd(cmd, 30);
        const std::string what = cmd.size() > 1 ? cmd[1] : "(no command)";
        EXPECT_EQ(r.exitCode, 1) << what << ": " << r.err;
        EXPECT_NE(r.err.find("ipcscope-full, which is not at " + (fs::path(dir.path()) / "ipcscope-full").string()), std::string::npos)
            << what << ": " << r.err;
        EXPECT_NE(r.err.find("'ipcscope list'"), std::string::npos) << what << ": " << r.err;
    }
    // Bad usage is still found before anything is executed.
    auto bad = runCmd({alone.string(), "serve", "--interval", "1"});
    EXPECT_EQ(bad.exitCode, 2) << bad.err;
}

#endif
