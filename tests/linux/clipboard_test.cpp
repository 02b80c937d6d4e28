// The X11 clipboard under Xvfb (ctest runs this binary through xvfb-run -a): a real selection
// owner offering three targets, xclip owning PRIMARY, and runs without a usable display.

#include "run_cmd.h"

#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <unistd.h>

using namespace ipcscope::test;

namespace {

// A child program that prints a line on stdout when it is ready; killed at the end.
class Owner {
public:
    explicit Owner(std::vector<std::string> argv, const std::string& stdinText = {}, bool waitForLine = true) {
        int out[2], in[2];
        if (::pipe(out) != 0 || ::pipe(in) != 0) return;
        m_pid = ::fork();
        if (m_pid == 0) {
            ::dup2(in[0], 0);
            ::dup2(out[1], 1);
            for (int fd : {in[0], in[1], out[0], out[1]}) ::close(fd);
            std::vector<char*> args;
            for (auto& a : argv) args.push_back(a.data());
            args.push_back(nullptr);
            ::execvp(args[0], args.data());
            ::_exit(127);
        }
        ::close(in[0]);
        ::close(out[1]);
        if (!stdinText.empty()) (void)!::write(in[1], stdinText.data(), stdinText.size());
        ::close(in[1]);
        if (waitForLine) {
            char c;
            std::string line;
            while (::read(out[0], &c, 1) == 1 && c != '\n') line += c;
            m_ready = line == "ready";
        }
        ::close(out[0]);
    }
    ~Owner() {
        if (m_pid > 0) {
            ::kill(m_pid, SIGKILL);
            ::waitpid(m_pid, nullptr, 0);
        }
    }
    pid_t pid() const { return m_pid; }
    bool ready() const { return m_ready; }

private:
    pid_t m_pid = -1;
    bool m_ready = false;
};

nlohmann::json listClipboard(const std::vector<std::string>& env = {}) {
    auto r = runCmd({IPCSCOPE_BIN, "list", "clipboard", "--json"}, 60, env);
    if (r.exitCode != 0) return nullptr;
    return nlohmann::json::parse(r.out, nullptr, false);
}

nlohmann::json find(const nlohmann::json& snap, const std::string& name) {
    if (snap.is_object())
        for (const auto& o : snap["objects"])
            if (o["name"] == name) return o;
    return nullptr;
}

bool havePid(const nlohmann::json& o, long long pid) {
    for (const auto& p : o["pids"])
        if (p.get<long long>() == pid) return true;
    return false;
}

}  // namespace

TEST(ClipboardX11, RunsUnderAnXServer) {
    const char* display = std::getenv("DISPLAY");
    ASSERT_TRUE(display && *display) << "run this test through ctest (xvfb-run -a provides the display)";
}

TEST(ClipboardX11, OwnerWithThreeTargetsSizesAndPid) {
    Owner owner({IPCSCOPE_CLIP_OWNER});
    ASSERT_TRUE(owner.ready());
    const auto snap = listClipboard();
    ASSERT_TRUE(snap.is_object());
    const std::pair<const char*, int> expected[] = {
        {"CLIPBOARD text/plain", 11}, {"CLIPBOARD UTF8_STRING", 13}, {"CLIPBOARD application/x-ipcscope-test", 3000}};
    for (const auto& [name, size] : expected) {
        const auto o = find(snap, name);
        ASSERT_TRUE(o.is_object()) << name << " missing in " << snap.dump(1);
        EXPECT_EQ(o["kind"], "clipboard-format");
        EXPECT_EQ(o["family"], "clipboard");
        EXPECT_EQ(o["size"], size) << name;
        EXPECT_TRUE(havePid(o, owner.pid())) << o.dump();
        EXPECT_EQ(o["details"]["pid_source"], "_NET_WM_PID");
        EXPECT_EQ(o["details"]["selection"], "CLIPBOARD");
        EXPECT_EQ(o["details"]["holders"][0]["command"], "clip_owner");
    }
    EXPECT_EQ(find(snap, "CLIPBOARD application/x-ipcscope-test")["details"]["mime"], true);
    // TARGETS itself is bookkeeping, not a format.
    EXPECT_FALSE(find(snap, "CLIPBOARD TARGETS").is_object());
    std::size_t clipboardRows = 0;
    for (const auto& o : snap["objects"]) clipboardRows += o["details"]["selection"] == "CLIPBOARD";
    EXPECT_EQ(clipboardRows, 3u);
}

TEST(ClipboardX11, TargetNameThatIsNotUtf8ComesOutAsValidJson) {
    Owner owner({IPCSCOPE_CLIP_OWNER, "application/x-ipcscope-\x9a\xff"});
    ASSERT_TRUE(owner.ready());
    auto r = runCmd({IPCSCOPE_BIN, "list", "clipboard", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto snap = nlohmann::json::parse(r.out, nullptr, false);
    ASSERT_FALSE(snap.is_discarded()) << "not JSON: " << r.out.substr(0, 400);
    const auto o = find(snap, "CLIPBOARD application/x-ipcscope-\\x9a\\xff");
    ASSERT_TRUE(o.is_object()) << snap.dump(1);
    EXPECT_EQ(o["size"], 5);
    auto table = runCmd({IPCSCOPE_BIN, "list", "clipboard"});
    ASSERT_EQ(table.exitCode, 0) << table.err;
    EXPECT_NE(table.out.find("application/x-ipcscope-\\x9a\\xff"), std::string::npos) << table.out;
}

TEST(ClipboardX11, XclipOwningPrimaryIsFoundThroughXResource) {
    // -quiet keeps xclip in the foreground, so the process that connected still owns it.
    Owner xclip({"xclip", "-quiet", "-selection", "primary", "-t", "text/html"}, "<b>bold</b>", false);
    ASSERT_GT(xclip.pid(), 0);
    nlohmann::json o;
    for (int i = 0; i < 50 && !o.is_object(); ++i) {  // xclip takes the selection after reading stdin
        ::usleep(50 * 1000);
        o = find(listClipboard(), "PRIMARY text/html");
    }
    ASSERT_TRUE(o.is_object());
    EXPECT_EQ(o["size"], 11);
    EXPECT_TRUE(havePid(o, xclip.pid())) << o.dump();
    EXPECT_EQ(o["details"]["pid_source"], "X-Resource");
}

TEST(ClipboardX11, WithoutDisplayTheFamilySaysSoAndTheSnapshotGoesOn) {
    auto r = runCmd({IPCSCOPE_BIN, "list", "clipboard", "pipes", "--json"}, 60, {"DISPLAY"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto snap = nlohmann::json::parse(r.out);
    bool said = false;
    for (const auto& e : snap["errors"])
        if (e["family"] == "clipboard" && e["code"] == "not-supported" &&
            e["message"].get<std::string>().find("no X display") != std::string::npos)
            said = true;
    EXPECT_TRUE(said) << snap["errors"].dump();
    bool pipes = false;
    for (const auto& o : snap["objects"]) pipes = pipes || o["family"] == "pipes";
    EXPECT_TRUE(pipes);
}

TEST(ClipboardX11, UnreachableDisplayIsAnErrorNotACrash) {
    auto r = runCmd({IPCSCOPE_BIN, "list", "clipboard", "--json"}, 60, {"DISPLAY=:4242"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto snap = nlohmann::json::parse(r.out);
    ASSERT_EQ(snap["errors"].size(), 1u) << r.out;
    EXPECT_EQ(snap["errors"][0]["code"], "io");
    EXPECT_NE(snap["errors"][0]["message"].get<std::string>().find(":4242"), std::string::npos);
}

// send clipboard:TARGET owns CLIPBOARD; xclip (not ipcscope) reads the exact bytes, the row
// prints the target, and a new owner ends the send early.
TEST(ClipboardX11, SendServesTheBytesToXclipUntilAnotherOwner) {
    const std::string format = "application/x-ipcscope-test";
    const std::string outPath = "/tmp/ipcscope-clip-send-" + std::to_string(::getpid());
    const pid_t sender = ::fork();
    if (sender == 0) {
        const int fd = ::open(outPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ::dup2(fd, 1);
        ::execl(IPCSCOPE_BIN, IPCSCOPE_BIN, "send", ("clipboard:" + format).c_str(), "--hex", "00ff41420a", "--seconds", "20",
                nullptr);
        ::_exit(127);
    }
    ASSERT_GT(sender, 0);
    bool offered = false;
    for (int i = 0; i < 100 && !offered; ++i) {
        auto t = runCmd({"xclip", "-o", "-selection", "clipboard", "-t", "TARGETS"}, 10);
        offered = t.out.find(format) != std::string::npos;
        if (!offered) ::usleep(100000);
    }
    ASSERT_TRUE(offered);
    auto got = runCmd({"xclip", "-o", "-selection", "clipboard", "-t", format}, 10);
    EXPECT_EQ(got.exitCode, 0) << got.err;
    EXPECT_EQ(got.out, std::string("\0\xff" "AB\n", 5));
    const auto snap = listClipboard();
    const auto row = find(snap, "CLIPBOARD " + format);
    ASSERT_TRUE(row.is_object()) << snap.dump();
    EXPECT_EQ(row["target"], "clipboard:" + format);

    // xclip takes the selection: the sender stops serving and exits well before --seconds.
    auto take = runCmd({"sh", "-c", "printf x | timeout 2 xclip -quiet -selection clipboard -i"}, 10);
    int status = -1;
    for (int i = 0; i < 100; ++i) {
        if (::waitpid(sender, &status, WNOHANG) == sender) break;
        ::usleep(100000);
    }
    if (::waitpid(sender, nullptr, WNOHANG) == 0) {
        ::kill(sender, SIGKILL);
        ::waitpid(sender, nullptr, 0);
        FAIL() << "send kept the clipboard after another owner took it";
    }
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    auto out = runCmd({"cat", outPath});
    ::unlink(outPath.c_str());
    EXPECT_NE(out.out.find("sent 5 bytes to clipboard:" + format), std::string::npos) << out.out;
    EXPECT_NE(out.out.find("then another owner took it"), std::string::npos) << out.out;
}
