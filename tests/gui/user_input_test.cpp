// Drives the monitor as a user would, under Xvfb: the window gets real SDL input events (a click
// is a move, press and release inside one frame, as a touchpad tap or a remote desktop delivers
// it), and the test reads back what the window showed, item by item with its rectangle, through
// the GUI's test hook (--test-script / --test-output). Keep this shape for every new view.

#include "run_cmd.h"
#include "base/version.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
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
        std::error_code ec;
        if (!m_path.empty()) std::filesystem::remove_all(m_path, ec);
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
                    const std::vector<std::string>& extra = {}, std::vector<std::string> env = {}) {
    const std::string scriptPath = dir.file("script.txt");
    std::ofstream(scriptPath) << script;
    std::vector<std::string> argv{"xvfb-run", "-a", "-s", "-screen 0 1280x800x24", IPCSCOPE_BIN, "gui",
                                  "--size", "1280x800", "--test-script", scriptPath, "--test-output", out};
    argv.insert(argv.end(), extra.begin(), extra.end());
    // Settings and layout of the test's own, never the user's.
    env.push_back("IPCSCOPE_CONFIG_DIR=" + dir.path() + "/config");
    return runCmd(argv, 120, env);
}

}  // namespace

// Open a family from the overview, click another tab, come back, type in the filter, click the
// one row left: what the user sees at each step. Would have caught the lost tab clicks and the one-character-per-line detail pane.
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
                       "click card pipes\n"
                       "frames 5\n"
                       "dump card\n"
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

    // The overview is the first screen; a click on its pipes card opens the pipes tab.
    ASSERT_TRUE(o.dumps.count("start"));
    EXPECT_TRUE(o.dumps.at("start").has("tab-selected", "Overview"));
    EXPECT_TRUE(o.dumps.at("start").has("card", "pipes"));
    ASSERT_TRUE(o.dumps.count("card"));
    EXPECT_TRUE(o.dumps.at("card").has("tab-selected", "pipes")) << "the click on the pipes card did not open the tab";
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

namespace {
/// A child process that holds `fd` open (and sleeps) until the test ends.
class Holder {
public:
    explicit Holder(const std::string& fifo) {
        m_pid = ::fork();
        if (m_pid == 0) {
            const int fd = ::open(fifo.c_str(), O_RDWR);
            (void)fd;
            ::pause();
            ::_exit(0);
        }
    }
    ~Holder() {
        if (m_pid > 0) {
            ::kill(m_pid, SIGKILL);
            ::waitpid(m_pid, nullptr, 0);
        }
    }
    [[nodiscard]] pid_t pid() const { return m_pid; }

private:
    pid_t m_pid = -1;
};
}  // namespace

// The process view: search the test's own PID, pick it, see the FIFO it holds and the child at
// the other end; the graph shows both, and a click on the child's node opens it.
TEST(GuiUserInput, ProcessViewAndGraph) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    const std::string fifo = dir.file("process-view-fifo");
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    const int keep = ::open(fifo.c_str(), O_RDWR);
    ASSERT_GE(keep, 0);
    // A Unix socket pair too: the child inherits the other end.
    int pair[2] = {-1, -1};
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
    Holder child(fifo);
    ASSERT_GT(child.pid(), 0);
    ::close(pair[1]);
    struct stat sock {};
    ASSERT_EQ(::fstat(pair[0], &sock), 0);
    const std::string socketName = "socket:[" + std::to_string(sock.st_ino) + "]";
    const std::string me = std::to_string(::getpid()), other = std::to_string(child.pid());
    const std::string out = dir.file("out.txt");
    auto r = runScript(dir,
                       "wait-data\n"
                       "click tab Processes\n"
                       "frames 2\n"
                       "click process-search\n"
                       "type " + me + "\n"
                       "frames 3\n"
                       "click process " + me + "  *\n"
                       "frames 4\n"
                       "dump process\n"
                       "click tab Graph\n"
                       "frames 4\n"
                       "dump graph\n"
                       "click node " + other + " *\n"
                       "frames 4\n"
                       "dump opened\n",
                       out, {"--interval", "600000"});
    ::close(keep);
    ::close(pair[0]);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const Output o = readOutput(out);
    ASSERT_TRUE(o.dumps.count("process"));
    const Dump& p = o.dumps.at("process");
    EXPECT_TRUE(p.has("held", fifo)) << "the FIFO is not among what the process holds";
    EXPECT_TRUE(p.has("held", socketName)) << "the Unix socket " << socketName << " is not among what the process holds";
    bool otherEnd = false;
    for (const auto& i : p.withRole("other-end")) otherEnd = otherEnd || i.text.find(other + " ") != std::string::npos;
    EXPECT_TRUE(otherEnd) << "the child holding the other end is not shown";
    bool peer = false;
    for (const auto& i : p.withRole("peer")) peer = peer || i.text.rfind(other + " ", 0) == 0;
    EXPECT_TRUE(peer) << "the child is not in the talks-to list";
    // The peer table is as tall as its header and rows: no empty row below the last peer, none cut off.
    // With more peers than about a third of the view holds, it shows whole rows and scrolls.
    const auto box = p.withRole("peers-table");
    ASSERT_EQ(box.size(), 1u);
    const bool scrolls = box[0].text.find(" scrolls") != std::string::npos;
    const auto peerCount = static_cast<std::size_t>(std::stoul(box[0].text));
    std::size_t visible = 0;
    float lastBottom = 0;
    for (const auto& i : p.withRole("peer")) {
        if ((i.y0 + i.y1) / 2 >= box[0].y1) continue;  // the list clipper may lay out one row below a scrolling table
        ++visible;
        lastBottom = std::max(lastBottom, i.y1);
    }
    EXPECT_TRUE(scrolls ? visible < peerCount : visible == peerCount) << box[0].text << ": " << visible << " rows shown";
    EXPECT_LT(box[0].y1 - lastBottom, p.lineHeight / 2) << "an empty row below the peers";
    EXPECT_GE(box[0].y1 + 1, lastBottom) << "the last peer shown is cut off";

    ASSERT_TRUE(o.dumps.count("graph"));
    EXPECT_TRUE(o.dumps.at("graph").has("tab-selected", "Graph"));
    bool meNode = false, otherNode = false;
    for (const auto& i : o.dumps.at("graph").withRole("node")) {
        meNode = meNode || i.text.rfind(me + " ", 0) == 0;
        otherNode = otherNode || i.text.rfind(other + " ", 0) == 0;
    }
    EXPECT_TRUE(meNode && otherNode) << "both processes are nodes";

    ASSERT_TRUE(o.dumps.count("opened"));
    EXPECT_TRUE(o.dumps.at("opened").has("tab-selected", "Processes"));
    bool opened = false;
    for (const auto& i : o.dumps.at("opened").withRole("process-title")) opened = opened || i.text.rfind(other + " ", 0) == 0;
    EXPECT_TRUE(opened) << "the click on the child's node did not open it";
}

// The filter language typed into the table, and a term that does not parse.
TEST(GuiUserInput, FilterLanguageInTheTable) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    const std::string a = dir.file("lang-keep-" + std::to_string(::getpid()));
    const std::string b = dir.file("lang-drop-" + std::to_string(::getpid()));
    ASSERT_EQ(::mkfifo(a.c_str(), 0600), 0);
    ASSERT_EQ(::mkfifo(b.c_str(), 0600), 0);
    const int ka = ::open(a.c_str(), O_RDWR), kb = ::open(b.c_str(), O_RDWR);
    ASSERT_GE(ka, 0);
    ASSERT_GE(kb, 0);
    const std::string out = dir.file("out.txt");
    auto r = runScript(dir,
                       "wait-data\n"
                       "key ctrl+f\n"
                       "frames 3\n"
                       "type kind:fifo pid:" + std::to_string(::getpid()) + " -name:lang-drop\n"
                       "frames 3\n"
                       "dump filtered\n"
                       "type  pid:\n"
                       "frames 3\n"
                       "dump bad\n",
                       out, {"--tab", "pipes", "--interval", "600000"});
    ::close(ka);
    ::close(kb);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const Output o = readOutput(out);
    ASSERT_TRUE(o.dumps.count("filtered"));
    const Dump& f = o.dumps.at("filtered");
    EXPECT_TRUE(f.has("cell", a)) << "the FIFO the filter keeps is not shown";
    EXPECT_FALSE(f.has("cell", b)) << "-name: did not drop the other FIFO";
    ASSERT_TRUE(o.dumps.count("bad"));
    const auto errors = o.dumps.at("bad").withRole("filter-error");
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].text, "'pid:' needs a value after the ':'");
    EXPECT_TRUE(o.dumps.at("bad").has("cell", a)) << "the last filter that parsed stays applied";
}

// Changes: a FIFO opened after the first snapshot appears in the change list as
// "+ fifo PATH by PID COMMAND".
TEST(GuiUserInput, ChangeListShowsANewObject) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    const std::string fifo = dir.file("change-fifo-" + std::to_string(::getpid()));
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    const std::string out = dir.file("out.txt");
    // The child opens the FIFO once the window has dumped its first frame (after the first
    // snapshot), so the FIFO is new in a later one.
    const pid_t opener = ::fork();
    ASSERT_GE(opener, 0);
    if (opener == 0) {
        for (int i = 0; i < 1200; ++i) {
            std::ifstream in(out);
            std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
            if (text.find("== first") != std::string::npos) break;
            ::usleep(100 * 1000);
        }
        const int fd = ::open(fifo.c_str(), O_RDWR);
        (void)fd;
        ::pause();
        ::_exit(0);
    }
    // With other programs opening and closing pipes, the list is filtered to the test's FIFO.
    auto r = runScript(dir,
                       "wait-data\ndump first\nidle 3500\nclick changes-filter\ntype change-fifo-" + std::to_string(::getpid()) +
                           "\nframes 3\ndump changes\n",
                       out,
                       {"--tab", "changes", "--interval", "1000"});
    ::kill(opener, SIGKILL);
    ::waitpid(opener, nullptr, 0);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const Output o = readOutput(out);
    ASSERT_TRUE(o.dumps.count("changes"));
    EXPECT_TRUE(o.dumps.at("changes").has("tab-selected", "Changes"));
    bool seen = false;
    for (const auto& i : o.dumps.at("changes").withRole("change"))
        seen = seen || (i.text.rfind("+ fifo " + fifo, 0) == 0 && i.text.find(" by " + std::to_string(opener)) != std::string::npos);
    EXPECT_TRUE(seen) << "no '+ fifo " << fifo << " by " << opener << "' in the change list";
}

// Settings survive a restart: Ctrl+= twice makes the font larger, and the next run starts with it.
TEST(GuiUserInput, SettingsSurviveARestart) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    const std::string config = dir.path() + "/config";
    const std::string first = dir.file("first.txt"), second = dir.file("second.txt");
    dir.file("config/settings.ini");
    dir.file("config/imgui.ini");
    dir.file("config");
    const std::vector<std::string> env{"IPCSCOPE_CONFIG_DIR=" + config};
    auto run = [&](const std::string& script, const std::string& out) {
        const std::string path = dir.file("s.script");
        std::ofstream(path, std::ios::trunc) << script;
        return runCmd({"env", env[0], "xvfb-run", "-a", "-s", "-screen 0 1280x800x24", IPCSCOPE_BIN, "gui", "--size", "1280x800",
                       "--interval", "600000", "--test-script", path, "--test-output", out},
                      120);
    };
    auto r1 = run("wait-data\ndump before\nkey ctrl+=\nframes 2\nkey ctrl+=\nframes 3\ndump after\n", first);
    ASSERT_EQ(r1.exitCode, 0) << r1.err;
    auto r2 = run("wait-data\ndump restarted\n", second);
    ASSERT_EQ(r2.exitCode, 0) << r2.err;
    const Output o1 = readOutput(first), o2 = readOutput(second);
    ASSERT_TRUE(o1.dumps.count("before") && o1.dumps.count("after") && o2.dumps.count("restarted"));
    const float before = o1.dumps.at("before").lineHeight, after = o1.dumps.at("after").lineHeight;
    EXPECT_GT(after, before * 1.1f) << "Ctrl+= did not enlarge the font";
    EXPECT_NEAR(o2.dumps.at("restarted").lineHeight, after, 0.6f) << "the font scale was not kept across the restart";
    std::ifstream ini(config + "/settings.ini");
    std::string text((std::istreambuf_iterator<char>(ini)), std::istreambuf_iterator<char>());
    EXPECT_NE(text.find("font_scale=1.2"), std::string::npos) << text;
}

// Shortcuts: Ctrl+2 opens the second tab (Processes), the About box names the version.
TEST(GuiUserInput, ShortcutsAndAbout) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    const std::string out = dir.file("out.txt");
    auto r = runScript(dir, "wait-data\nkey ctrl+2\nframes 3\ndump tab\nclick about-button About\nframes 3\ndump about\n", out,
                       {"--interval", "600000"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const Output o = readOutput(out);
    ASSERT_TRUE(o.dumps.count("tab") && o.dumps.count("about"));
    EXPECT_TRUE(o.dumps.at("tab").has("tab-selected", "Processes"));
    const auto about = o.dumps.at("about").withRole("about");
    ASSERT_EQ(about.size(), 1u);
    EXPECT_EQ(about[0].text.rfind("ipcscope " + std::string(ipcscope::base::version()), 0), 0u) << about[0].text;
}

namespace {
std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Two FIFOs of the test, each held open by the test and by a child (two real processes).
struct TwoFifos {
    explicit TwoFifos(TempDir& dir, const std::string& tag) {
        a = dir.file(tag + "-" + std::to_string(::getpid()) + "-a");
        b = dir.file(tag + "-" + std::to_string(::getpid()) + "-b");
        ok = ::mkfifo(a.c_str(), 0600) == 0 && ::mkfifo(b.c_str(), 0600) == 0;
        ka = ::open(a.c_str(), O_RDWR | O_NONBLOCK);
        kb = ::open(b.c_str(), O_RDWR | O_NONBLOCK);
        ok = ok && ka >= 0 && kb >= 0;
    }
    ~TwoFifos() {
        ::close(ka);
        ::close(kb);
    }
    std::string a, b;
    int ka = -1, kb = -1;
    bool ok = false;
};
}  // namespace

// Export: the table filtered to the test's two FIFOs is written to a JSON and a CSV file, typed
// into the export form as a user does; both files parse and hold exactly those rows.
TEST(GuiUserInput, ExportWritesCsvAndJson) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    TwoFifos fifos(dir, "export");
    ASSERT_TRUE(fifos.ok);
    const std::string json = dir.file("rows.json"), csv = dir.file("rows.csv"), out = dir.file("out.txt");
    const std::string filter = "kind:fifo export-" + std::to_string(::getpid());
    auto exportTo = [](const std::string& path) {
        return "click button Export...\nframes 3\nclick export-path *\nframes 2\nkey ctrl+a\ntype " + path +
               "\nframes 3\ndump form\nclick button Save\nframes 3\n";
    };
    auto r = runScript(dir, "wait-data\nclick filter\ntype " + filter + "\nframes 3\ndump filtered\n" + exportTo(json) + exportTo(csv),
                       out, {"--tab", "pipes", "--interval", "600000"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const Output o = readOutput(out);
    ASSERT_TRUE(o.dumps.count("filtered"));
    ASSERT_EQ(o.dumps.at("filtered").withRole("row").size(), 2u);

    const auto rows = nlohmann::json::parse(readFile(json), nullptr, false);
    ASSERT_FALSE(rows.is_discarded()) << "not JSON: " << readFile(json);
    ASSERT_TRUE(rows.is_array());
    ASSERT_EQ(rows.size(), 2u) << rows.dump();
    std::set<std::string> names;
    for (const auto& row : rows) {
        EXPECT_EQ(row.value("kind", ""), "fifo");
        names.insert(row.value("name", ""));
    }
    EXPECT_EQ(names, (std::set<std::string>{fifos.a, fifos.b}));

    // CSV: a header, then one line per row, the cells as the table shows them.
    std::istringstream lines(readFile(csv));
    std::vector<std::string> csvLines;
    for (std::string l; std::getline(lines, l);) csvLines.push_back(l);
    ASSERT_EQ(csvLines.size(), 3u) << readFile(csv);
    EXPECT_EQ(csvLines[0].rfind("Kind,Name,", 0), 0u) << csvLines[0];
    std::set<std::string> csvNames;
    for (std::size_t i = 1; i < csvLines.size(); ++i) {
        EXPECT_EQ(csvLines[i].rfind("fifo,", 0), 0u) << csvLines[i];
        csvNames.insert(csvLines[i].substr(5, csvLines[i].find(',', 5) - 5));
    }
    EXPECT_EQ(csvNames, (std::set<std::string>{fifos.a, fifos.b}));
}

// Multi-select and the context menu: click one FIFO, Ctrl+click the other, copy both rows as CSV
// from the right-click menu; then "Open in process view" on a FIFO a child holds opens the child.
TEST(GuiUserInput, MultiSelectAndContextMenu) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    TwoFifos fifos(dir, "menu");
    ASSERT_TRUE(fifos.ok);
    Holder child(fifos.b);
    ASSERT_GT(child.pid(), 0);
    const std::string other = std::to_string(child.pid()), out = dir.file("out.txt");
    const std::string filter = "kind:fifo menu-" + std::to_string(::getpid());
    auto r = runScript(dir,
                       "wait-data\nclick filter\ntype " + filter + "\nframes 3\n"
                       "click cell " + fifos.a + "\nframes 3\n"
                       "ctrl-click cell " + fifos.b + "\nframes 5\n"
                       "rclick cell " + fifos.b + "\nframes 4\ndump menu\n"
                       "click menu Copy 2 rows as CSV\nframes 3\ndump-clipboard csv\n"
                       "click cell " + fifos.b + "\nframes 3\n"
                       "rclick cell " + fifos.b + "\nframes 4\n"
                       "click menu Open in process view\nframes 4\ndump submenu\n"
                       "click menu " + other + " *\nframes 5\ndump opened\n",
                       out, {"--tab", "pipes", "--interval", "600000"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const Output o = readOutput(out);
    ASSERT_TRUE(o.dumps.count("menu"));
    const Dump& menu = o.dumps.at("menu");
    for (const char* item : {"Copy name", "Copy 2 rows as JSON", "Copy 2 rows as CSV", "Show holders", "Open in process view",
                             "Send test message..."})
        EXPECT_TRUE(menu.has("menu", item)) << item;

    ASSERT_TRUE(o.dumps.count("csv"));
    const auto clip = o.dumps.at("csv").withRole("clipboard");
    ASSERT_EQ(clip.size(), 3u) << "a header and the two marked rows";
    EXPECT_EQ(clip[0].text.rfind("Kind,Name,", 0), 0u) << clip[0].text;
    EXPECT_EQ(clip[1].text.rfind("fifo," + fifos.a + ",", 0), 0u) << clip[1].text;
    EXPECT_EQ(clip[2].text.rfind("fifo," + fifos.b + ",", 0), 0u) << clip[2].text;

    ASSERT_TRUE(o.dumps.count("opened"));
    EXPECT_TRUE(o.dumps.at("opened").has("tab-selected", "Processes"));
    bool opened = false;
    for (const auto& i : o.dumps.at("opened").withRole("process-title")) opened = opened || i.text.rfind(other + " ", 0) == 0;
    EXPECT_TRUE(opened) << "'Open in process view' did not open the child " << other;
}

// A tab whose source failed says so, and why, inside the tab; one that found nothing says that.
TEST(GuiUserInput, FailedSourceIsExplainedInItsTab) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    const std::string nobus = dir.path() + "/no-bus-here", out = dir.file("out.txt");
    // The overview first (one snapshot only: the refresh interval is ten minutes), then the tab.
    auto r = runScript(dir, "wait-data\nframes 3\ndump overview\nclick tab services\nframes 3\ndump services\n", out,
                       {"--interval", "600000"},
                       {"DBUS_SYSTEM_BUS_ADDRESS=unix:path=" + nobus, "DBUS_SESSION_BUS_ADDRESS=unix:path=" + nobus});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const Output o = readOutput(out);

    // The services card: its error wraps inside the card and nothing of it is lost; every card
    // draws its sparkline from the first snapshot on.
    ASSERT_TRUE(o.dumps.count("overview"));
    const Dump& ov = o.dumps.at("overview");
    auto inside = [](const Item& i, const Item& card) { return i.x0 >= card.x0 && i.y0 >= card.y0 && i.x1 <= card.x1 + 0.5f && i.y0 < card.y1; };
    std::size_t cardsWithLine = 0;
    for (const auto& card : ov.withRole("card")) {
        bool line = false;
        for (const auto& s : ov.withRole("sparkline")) line = line || (inside(s, card) && s.text == "1 point");
        cardsWithLine += line;
        if (card.text != "services") continue;
        EXPECT_TRUE(line) << "the services card has no sparkline after the first snapshot";
        std::string error;
        std::size_t lines = 0;
        for (const auto& t : ov.withRole("card-text")) {
            if (t.x0 < card.x0 || t.x0 > card.x1 || t.y0 < card.y0 || t.y0 > card.y1) continue;  // another card
            // The first error's lines, up to "and N more errors" (the other bus) or the card's end.
            if (t.text.rfind("and ", 0) == 0 && t.text.find("more errors") != std::string::npos) break;
            if (t.text.rfind("failed: ", 0) == 0 || !error.empty()) {
                EXPECT_LE(t.x1, card.x1) << "'" << t.text << "' runs past the card's right edge";
                error += (error.empty() ? "" : " ") + t.text;
                ++lines;
            }
        }
        EXPECT_GT(lines, 1u) << "the long error was not wrapped: " << error;
        EXPECT_NE(error.find(nobus), std::string::npos) << "the card lost part of the error: " << error;
    }
    EXPECT_GE(cardsWithLine, 3u) << "cards without a sparkline after the first snapshot";

    ASSERT_TRUE(o.dumps.count("services"));
    const Dump& d = o.dumps.at("services");
    EXPECT_TRUE(d.has("tab-selected", "services"));
    bool failed = false;
    for (const auto& i : d.withRole("tab-state")) failed = failed || (i.text.rfind("failed: ", 0) == 0 && i.text.find(nobus) != std::string::npos);
    EXPECT_TRUE(failed) << "no 'failed: ... " << nobus << "' in the services tab";
}

// Run as a user who cannot read other users' processes, the overview and each family tab say
// how many processes were hidden and to run as root; what the user's own process holds is shown.
TEST(GuiUserInput, PermissionGapIsShownWhenNotRoot) {
    ASSERT_EQ(::geteuid(), 0u) << "this test drops to user nobody and needs root to do so";
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    ASSERT_EQ(::chmod(dir.path().c_str(), 0777), 0);  // nobody writes its output and settings here
    const std::string unique = "gap-fifo-" + std::to_string(::getpid());
    const std::string fifo = dir.file(unique);
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0666), 0);
    ASSERT_EQ(::chmod(fifo.c_str(), 0666), 0);
    // nobody's own process holding the FIFO (dumpable again after the credential change, as a
    // process exec'ed as nobody would be).
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    const pid_t own = ::fork();
    if (own == 0) {
        ::close(ready[0]);
        const bool ok = ::setgid(65534) == 0 && ::setuid(65534) == 0 && ::prctl(PR_SET_DUMPABLE, 1) == 0 &&
                        ::open(fifo.c_str(), O_RDWR | O_NONBLOCK) >= 0;
        const char c = ok ? '1' : '0';
        if (::write(ready[1], &c, 1) != 1 || !ok) ::_exit(1);
        ::pause();
        ::_exit(0);
    }
    ASSERT_GT(own, 0);
    ::close(ready[1]);
    char c = 0;
    const bool holding = ::read(ready[0], &c, 1) == 1 && c == '1';
    ::close(ready[0]);
    const std::string out = dir.file("out.txt");
    const std::string script = dir.file("script.txt");
    std::ofstream(script) << "wait-data\nframes 3\ndump overview\nclick tab pipes\nframes 2\nclick filter\nframes 2\ntype " << unique
                         << "\nframes 3\ndump pipes\n";
    ::chmod(script.c_str(), 0644);
    // -ac: the X server takes clients without the cookie, which nobody cannot read.
    auto r = runCmd({"xvfb-run", "-a", "-s", "-screen 0 1280x800x24 -ac", "setpriv", "--reuid=65534", "--regid=65534",
                     "--clear-groups", IPCSCOPE_BIN, "gui", "--size", "1280x800", "--interval", "600000", "--test-script", script,
                     "--test-output", out},
                    120, {"IPCSCOPE_CONFIG_DIR=" + dir.path() + "/config", "HOME=" + dir.path()});
    ::kill(own, SIGKILL);
    ::waitpid(own, nullptr, 0);
    ASSERT_TRUE(holding) << "the helper could not become nobody and open the FIFO";
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const Output o = readOutput(out);
    ASSERT_TRUE(o.dumps.count("overview") && o.dumps.count("pipes"));
    const auto gap = o.dumps.at("overview").withRole("permission-gap");
    ASSERT_EQ(gap.size(), 1u) << "the overview does not say that processes were hidden";
    EXPECT_GT(std::stoul(gap[0].text), 0u) << gap[0].text;
    EXPECT_NE(gap[0].text.find("Run as root"), std::string::npos) << gap[0].text;
    const Dump& pipes = o.dumps.at("pipes");
    EXPECT_TRUE(pipes.has("tab-selected", "pipes"));
    bool told = false;
    for (const auto& i : pipes.withRole("tab-state"))
        told = told || (i.text.find("processes could not be read") != std::string::npos && i.text.find("Run as root") != std::string::npos);
    EXPECT_TRUE(told) << "the pipes tab does not say that processes were hidden";
    EXPECT_TRUE(pipes.has("cell", fifo)) << "nobody's own FIFO is not in the pipes table";
}

// A cell cut by its column (a FIFO with a long path in the Name column) is clipped there and shows
// its full text when the pointer rests on it.
TEST(GuiUserInput, CutCellShowsItsFullTextOnHover) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    const std::string unique = "cut-cell-" + std::to_string(::getpid()) + "-" + std::string(180, 'x');
    const std::string fifo = dir.file(unique);
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    const int keep = ::open(fifo.c_str(), O_RDWR);
    ASSERT_GE(keep, 0);
    const std::string out = dir.file("out.txt");
    auto r = runScript(dir, "wait-data\nclick filter\nframes 2\ntype " + unique + "\nframes 3\nhover cell " + fifo + "\nframes 3\ndump hover\n",
                       out, {"--tab", "pipes", "--interval", "600000"});
    ::close(keep);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const Output o = readOutput(out);
    ASSERT_TRUE(o.dumps.count("hover"));
    const Dump& d = o.dumps.at("hover");
    ASSERT_TRUE(d.has("cell", fifo));
    EXPECT_TRUE(d.has("cell-tooltip", fifo)) << "no tooltip with the full text of the cut cell";
}

// The opt-in look at shared memory: nothing is read until the user asks; then the first bytes of
// the test's POSIX shm object show in the hex view, capped, and the object is left as it was.
TEST(GuiUserInput, PeekAtSharedMemory) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    const std::string name = "/ipcscope-peek-" + std::to_string(::getpid());
    const int fd = ::shm_open(name.c_str(), O_CREAT | O_EXCL | O_RDWR, 0600);
    ASSERT_GE(fd, 0);
    std::string content(8192, '\0');
    const std::string text = "ipcscope peek test bytes";
    content.replace(0, text.size(), text);
    content[8191] = 'Z';
    ASSERT_EQ(::write(fd, content.data(), content.size()), static_cast<ssize_t>(content.size()));
    struct stat before {};
    ASSERT_EQ(::fstat(fd, &before), 0);
    const std::string out = dir.file("out.txt");
    auto r = runScript(dir,
                       "wait-data\nclick filter\ntype kind:posix-shm " + name.substr(1) + "\nframes 3\n"
                       "click row posix-shm\nframes 3\ndump selected\n"
                       "click button Peek at the first bytes\nframes 5\ndump peek\n",
                       out, {"--tab", "mappings", "--interval", "600000"});
    struct stat after {};
    const bool statOk = ::fstat(fd, &after) == 0;
    std::string now(content.size(), '\0');
    const bool readOk = ::pread(fd, now.data(), now.size(), 0) == static_cast<ssize_t>(now.size());
    ::close(fd);
    ::shm_unlink(name.c_str());
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const Output o = readOutput(out);

    ASSERT_TRUE(o.dumps.count("selected"));
    EXPECT_TRUE(o.dumps.at("selected").has("detail-title", "posix-shm  " + name));
    EXPECT_TRUE(o.dumps.at("selected").withRole("hex").empty()) << "shared memory was read before the user asked";

    ASSERT_TRUE(o.dumps.count("peek"));
    const Dump& p = o.dumps.at("peek");
    EXPECT_TRUE(p.has("peek-info", "the first 4096 of 8192 bytes, read once (read-only)"));
    const auto hex = p.withRole("hex");
    ASSERT_FALSE(hex.empty());
    EXPECT_EQ(hex[0].text, "00000000  69 70 63 73 63 6f 70 65  20 70 65 65 6b 20 74 65  |ipcscope peek te|");
    for (const auto& h : hex) EXPECT_EQ(h.text.find('Z'), std::string::npos) << "read past the cap: " << h.text;

    ASSERT_TRUE(statOk && readOk);
    EXPECT_EQ(now, content) << "the object changed";
    EXPECT_EQ(after.st_size, before.st_size);
    EXPECT_EQ(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
    EXPECT_EQ(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
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

// The Throughput tab with a ping-pong sweep of shm (the real probe) and a pipe probe that writes
// a line on stderr and is killed at once (a shell script in its place): the chart shows the
// sweep on its log x axis, the shm row its latency percentiles, the pipe row the failure with
// its stderr line, and the window goes on drawing.
TEST(GuiUserInput, ThroughputSweepLatencyAndAKilledProbeWithItsStderr) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    const std::string bin = IPCSCOPE_BIN;
    const std::string probes = bin.substr(0, bin.rfind('/'));
    ASSERT_EQ(::symlink((probes + "/ipcscope-probe-shm").c_str(), dir.file("ipcscope-probe-shm").c_str()), 0);
    const std::string fake = dir.file("ipcscope-probe-pipe");
    std::ofstream(fake) << "#!/bin/sh\necho 'fake pipe probe: no FIFO for you' >&2\nkill -9 $$\n";
    ASSERT_EQ(::chmod(fake.c_str(), 0755), 0);
    const std::string out = dir.file("out.txt");
    auto r = runScript(dir, "wait-data\nwait-probes\ndump final\n", out,
                       {"--tab", "throughput", "--probe", "shm,pipe", "--probe-sweep", "--probe-mode", "pingpong", "--probe-mib", "1",
                        "--probe-dir", dir.path()});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const Output o = readOutput(out);
    ASSERT_EQ(o.dumps.count("final"), 1u) << r.err;
    std::string chart, shmRow, pipeRow, pipeStderr;
    for (const auto& it : o.dumps.at("final").items) {
        if (it.role == "chart") chart = it.text;
        if (it.role == "probe-row" && it.text.rfind("shm: ", 0) == 0) shmRow = it.text;
        if (it.role == "probe-row" && it.text.rfind("pipe: ", 0) == 0) pipeRow = it.text;
        if (it.role == "probe-stderr") pipeStderr = it.text;
    }
    EXPECT_EQ(chart, "MiB/s by message size, log x axis: shm pingpong 9 points, pipe pingpong 0 points");
    EXPECT_NE(shmRow.find("4 MiB: "), std::string::npos) << shmRow;
    EXPECT_NE(shmRow.find("verified; round trip p50 "), std::string::npos) << shmRow;
    EXPECT_NE(shmRow.find(" p99.9 "), std::string::npos) << shmRow;
    EXPECT_NE(pipeRow.find("pipe: failed at 64 B: "), std::string::npos) << pipeRow;
    EXPECT_NE(pipeRow.find("killed by signal 9"), std::string::npos) << pipeRow;
    EXPECT_EQ(pipeStderr, "fake pipe probe: no FIFO for you");
}
