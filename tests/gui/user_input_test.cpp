// Drives the monitor as a user would, under Xvfb: the window gets real SDL input events (a click
// is a move, press and release inside one frame, as a touchpad tap or a remote desktop delivers
// it), and the test reads back what the window showed, item by item with its rectangle, through
// the GUI's test hook (--test-script / --test-output). Keep this shape for every new view.

#include "run_cmd.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

using namespace ipcscope::test;

namespace {

struct Item {
    std::string role;
    float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    std::string text;
};

struct Dump {
    float lineHeight = 0;
    std::vector<Item> items;
    [[nodiscard]] std::vector<Item> withRole(const std::string& role) const {
        std::vector<Item> out;
        for (const auto& i : items)
            if (i.role == role) out.push_back(i);
        return out;
    }
    [[nodiscard]] bool has(const std::string& role, const std::string& text) const {
        for (const auto& i : items)
            if (i.role == role && i.text == text) return true;
        return false;
    }
};

/// Parses the test output: "== NAME" sections of "role\tx0\ty0\tx1\ty1\ttext" lines.
struct Output {
    std::map<std::string, Dump> dumps;
    std::vector<std::string> other;  // idle-frames, FAILED
};

Output readOutput(const std::string& path) {
    Output out;
    std::ifstream in(path);
    Dump* cur = nullptr;
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("== ", 0) == 0) {
            cur = &out.dumps[line.substr(3)];
        } else if (cur && line.rfind("line-height ", 0) == 0) {
            cur->lineHeight = std::stof(line.substr(12));
        } else if (cur && line.find('\t') != std::string::npos) {
            std::istringstream ls(line);
            Item it;
            std::string f;
            std::getline(ls, it.role, '\t');
            std::getline(ls, f, '\t');
            it.x0 = std::stof(f);
            std::getline(ls, f, '\t');
            it.y0 = std::stof(f);
            std::getline(ls, f, '\t');
            it.x1 = std::stof(f);
            std::getline(ls, f, '\t');
            it.y1 = std::stof(f);
            std::getline(ls, it.text);
            cur->items.push_back(it);
        } else {
            out.other.push_back(line);
        }
    }
    return out;
}

class TempDir {
public:
    TempDir() {
        char dir[] = "/tmp/ipcscope-gui-user-XXXXXX";
        if (::mkdtemp(dir)) m_path = dir;
    }
    ~TempDir() {
        for (const auto& f : m_files) std::remove(f.c_str());
        ::rmdir(m_path.c_str());
    }
    std::string file(const std::string& name) {
        m_files.push_back(m_path + "/" + name);
        return m_files.back();
    }
    [[nodiscard]] const std::string& path() const { return m_path; }

private:
    std::string m_path;
    std::vector<std::string> m_files;
};

CmdResult runScript(TempDir& dir, const std::string& script, const std::string& out,
                    const std::vector<std::string>& extra = {}) {
    const std::string scriptPath = dir.file("script.txt");
    std::ofstream(scriptPath) << script;
    std::vector<std::string> argv{"xvfb-run", "-a", "-s", "-screen 0 1280x800x24", IPCSCOPE_BIN, "gui",
                                  "--size", "1280x800", "--test-script", scriptPath, "--test-output", out};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return runCmd(argv, 120);
}

}  // namespace

// Click a tab, come back, type in the filter, click the one row left: what the user sees at
// each step. Would have caught the lost tab clicks and the one-character-per-line detail pane.
TEST(GuiUserInput, TabsFilterAndDetailPane) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    const std::string unique = "user-input-fifo-" + std::to_string(::getpid());
    const std::string fifo = dir.file(unique);
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    const int keep = ::open(fifo.c_str(), O_RDWR);
    ASSERT_GE(keep, 0);
    const std::string out = dir.file("out.txt");

    auto r = runScript(dir,
                       "wait-data\n"
                       "dump start\n"
                       "click tab sockets\n"
                       "frames 3\n"
                       "dump sockets\n"
                       // The pointer rests on the sockets tab: moving to the next tab and pressing
                       // inside one frame is the case that used to lose the click.
                       "click tab pipes\n"
                       "frames 3\n"
                       "dump pipes\n"
                       "click filter\n"
                       "frames 2\n"
                       "type " + unique + "\n"
                       "frames 3\n"
                       "dump filtered\n"
                       "click row fifo\n"
                       // The move, press and release take a frame each: this dump is of the
                       // very first frame that shows the detail pane.
                       "frames 3\n"
                       "dump details\n",
                       out);
    ::close(keep);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const Output o = readOutput(out);
    for (const auto& l : o.other) EXPECT_EQ(l.find("FAILED"), std::string::npos) << l;

    ASSERT_TRUE(o.dumps.count("start"));
    EXPECT_TRUE(o.dumps.at("start").has("tab-selected", "pipes"));
    ASSERT_TRUE(o.dumps.count("sockets"));
    EXPECT_TRUE(o.dumps.at("sockets").has("tab-selected", "sockets")) << "the click on the sockets tab was lost";
    EXPECT_TRUE(o.dumps.at("sockets").has("tab", "pipes"));
    ASSERT_TRUE(o.dumps.count("pipes"));
    EXPECT_TRUE(o.dumps.at("pipes").has("tab-selected", "pipes")) << "the click back on the pipes tab was lost";

    // The filter keeps the one FIFO the test holds.
    ASSERT_TRUE(o.dumps.count("filtered"));
    const Dump& filtered = o.dumps.at("filtered");
    EXPECT_TRUE(filtered.has("filter", unique));
    const auto rows = filtered.withRole("rows");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].text.rfind("1 of ", 0), 0u) << rows[0].text;
    ASSERT_EQ(filtered.withRole("row").size(), 1u);
    EXPECT_TRUE(filtered.has("cell", fifo));

    // The detail pane: the object's name and values, each short value on one line.
    ASSERT_TRUE(o.dumps.count("details"));
    const Dump& d = o.dumps.at("details");
    ASSERT_GT(d.lineHeight, 0);
    EXPECT_TRUE(d.has("detail-title", "fifo  " + fifo));
    for (const char* label : {"family", "kind", "name", "pids"}) EXPECT_TRUE(d.has("field-label", label)) << label;
    EXPECT_TRUE(d.has("field-value", "pipes"));
    EXPECT_TRUE(d.has("field-value", "fifo"));
    EXPECT_TRUE(d.has("field-value", fifo));
    const auto values = d.withRole("field-value");
    ASSERT_GE(values.size(), 5u);
    for (const auto& v : values) {
        const float height = v.y1 - v.y0;
        if (v.text.size() <= 40) {
            EXPECT_LE(height, d.lineHeight * 1.5f) << "'" << v.text << "' wraps over " << height / d.lineHeight << " lines";
        }
        // A value wrapped one character per line is as narrow as a character and as tall as its length.
        if (v.text.size() >= 4) {
            EXPECT_LT(height / d.lineHeight, static_cast<float>(v.text.size()) / 2) << v.text;
        }
    }
    // Values wrap inside the fields side, left of the holders.
    const auto holders = d.withRole("holder");
    ASSERT_FALSE(holders.empty());
    for (const auto& v : values) EXPECT_LE(v.x1, holders[0].x0) << v.text;
    // Labels in one column, values in the next.
    const auto labels = d.withRole("field-label");
    ASSERT_FALSE(labels.empty());
    for (const auto& l : labels) EXPECT_NEAR(l.x0, labels[0].x0, 0.5f) << l.text;
    for (const auto& v : values) EXPECT_GT(v.x0, labels[0].x0 + 20) << v.text;
}

// An idle window draws only when something changes: here, once per snapshot (one a second) on a
// tab where nothing moves, not once per vertical blank (Xvfb has none, so a polling loop would
// spin). Counts frames, does not time them.
TEST(GuiUserInput, IdleWindowDrawsFewFrames) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    const std::string out = dir.file("out.txt");
    auto r = runScript(dir, "wait-data\nframes 5\nidle 3000\n", out, {"--tab", "throughput", "--interval", "1000"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const Output o = readOutput(out);
    int frames = -1, ms = 0;
    for (const auto& l : o.other)
        if (std::sscanf(l.c_str(), "idle-frames %d in %d ms", &frames, &ms) == 2) break;
    ASSERT_GE(frames, 0) << "no idle result";
    EXPECT_GE(ms, 3000);
    // A frame per snapshot, and the frames that settle the last input.
    EXPECT_LE(frames, ms / 1000 + 4) << frames << " frames in " << ms << " ms while idle";
    EXPECT_GE(frames, 1) << "a new snapshot did not wake the window";
}

TEST(GuiUserInput, BadScriptFailsWithOneLine) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    auto r = runScript(dir, "wait-data\nfly away\n", dir.file("out.txt"));
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("unknown test script command: fly away"), std::string::npos) << r.err;
}

// "Send test message": type a message into the form, ask for a reply, press Send. A UDP socket
// of the test answers 1 s later, while the window idles (no input, no snapshot due): the
// result must wake the window, so the reply shows in a frame drawn during the idle wait.
TEST(GuiUserInput, SendFormResultWakesTheIdleWindow) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    const int udp = ::socket(AF_INET, SOCK_DGRAM, 0);
    ASSERT_GE(udp, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    ASSERT_EQ(::bind(udp, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
    ASSERT_EQ(::getsockname(udp, reinterpret_cast<sockaddr*>(&sa), &len), 0);
    const std::string target = "udp:127.0.0.1:" + std::to_string(ntohs(sa.sin_port));
    std::string received;
    std::thread answer([&] {
        pollfd p{udp, POLLIN, 0};
        if (::poll(&p, 1, 60000) <= 0) return;
        char buf[256];
        sockaddr_in from{};
        socklen_t fromLen = sizeof from;
        const auto n = ::recvfrom(udp, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &fromLen);
        if (n <= 0) return;
        received.assign(buf, static_cast<std::size_t>(n));
        std::this_thread::sleep_for(std::chrono::milliseconds(1000));
        (void)::sendto(udp, "pong", 4, 0, reinterpret_cast<sockaddr*>(&from), fromLen);
    });
    const std::string out = dir.file("out.txt");
    auto r = runScript(dir,
                       "wait-data\n"
                       "click send-input\n"
                       "frames 2\n"
                       "type ping\n"
                       "frames 2\n"
                       "click send-option expect reply\n"
                       "frames 3\n"
                       "click send-button Send\n"
                       "frames 3\n"
                       "dump sending\n"
                       "idle 3000\n"
                       "dump after\n",
                       out, {"--send-form", target, "--interval", "600000"});
    answer.join();
    ::close(udp);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(received, "ping");
    const Output o = readOutput(out);
    for (const auto& l : o.other) EXPECT_EQ(l.find("FAILED"), std::string::npos) << l;
    ASSERT_TRUE(o.dumps.count("sending"));
    EXPECT_TRUE(o.dumps.at("sending").has("send-button", "Sending...")) << "the send does not run off the UI thread";
    ASSERT_TRUE(o.dumps.count("after"));
    const auto results = o.dumps.at("after").withRole("send-result");
    ASSERT_EQ(results.size(), 1u) << "the result did not wake the idle window";
    EXPECT_EQ(results[0].text.rfind("sent 4 bytes to " + target + " in ", 0), 0u) << results[0].text;
    EXPECT_NE(results[0].text.find("reply 4 bytes: pong (706f6e67)"), std::string::npos) << results[0].text;
    EXPECT_TRUE(o.dumps.at("after").has("send-button", "Send"));
    int frames = -1, ms = 0;
    for (const auto& l : o.other)
        if (std::sscanf(l.c_str(), "idle-frames %d in %d ms", &frames, &ms) == 2) break;
    EXPECT_GE(frames, 1);
    EXPECT_LE(frames, 6) << "the window polled while idle";
}
