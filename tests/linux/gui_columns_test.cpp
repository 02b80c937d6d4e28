// The per-family columns and the detail fields of the monitor (pure functions of a row), and
// each family tab rendered under Xvfb with real objects present; the detail pane's copy action.

#include "gui/chart.h"
#include "gui/views.h"
#include "run_cmd.h"

#include <algorithm>
#include <cstdio>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <imgui.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <unistd.h>

using namespace ipcscope;

namespace {

std::vector<std::string> headers(core::Family f) {
    std::vector<std::string> out;
    for (const auto& c : gui::columnsFor(f)) out.emplace_back(c.header);
    return out;
}

std::string cell(core::Family f, const std::string& header, const core::IpcObject& o) {
    for (const auto& c : gui::columnsFor(f))
        if (header == c.header) return c.text(o);
    return "<no column " + header + ">";
}

}  // namespace

TEST(GuiColumns, EachFamilyHasItsOwnColumns) {
    EXPECT_EQ(headers(core::Family::Pipes),
              (std::vector<std::string>{"Kind", "Name", "State", "Remote clients", "Instances", "Flow / peer", "Queues", "PIDs", "Commands"}));
    EXPECT_EQ(headers(core::Family::Sockets),
              (std::vector<std::string>{"Protocol", "Local", "Remote", "State", "Queues", "Service", "PIDs", "Commands"}));
    EXPECT_EQ(headers(core::Family::Clipboard), (std::vector<std::string>{"Selection", "Target", "Size", "Type", "Owner", "Window"}));
    const auto m = headers(core::Family::Mappings);
    EXPECT_NE(std::find(m.begin(), m.end(), "Mapped by"), m.end());
    EXPECT_EQ(headers(core::Family::Mailslots), (std::vector<std::string>{"Kind", "Name", "PIDs", "Size", "Details"}));
}

TEST(GuiColumns, QueuesShowCountsLimitsAndLastUsers) {
    EXPECT_EQ(headers(core::Family::Queues), (std::vector<std::string>{"Kind", "Name", "Queued", "Messages", "Msg size", "Owner",
                                                                        "Mode", "Key / id", "Last users", "PIDs", "Commands"}));
    core::IpcObject sysv;
    sysv.kind = core::Kind::SysvMsg;
    sysv.name = "0x1234abcd";
    sysv.size = 16;
    sysv.details["key"] = "0x1234abcd";
    sysv.details["msqid"] = 3;
    sysv.details["perms"] = "0640";
    sysv.details["messages"] = 2;
    sysv.details["lspid"] = 10;
    sysv.details["lrpid"] = 0;
    EXPECT_EQ(cell(core::Family::Queues, "Messages", sysv), "2");
    EXPECT_EQ(cell(core::Family::Queues, "Key / id", sysv), "0x1234abcd id 3");
    EXPECT_EQ(cell(core::Family::Queues, "Mode", sysv), "0640");
    EXPECT_EQ(cell(core::Family::Queues, "Last users", sysv), "send 10, recv 0");
    core::IpcObject mq;
    mq.kind = core::Kind::PosixMq;
    mq.name = "/jobs";
    mq.details["inode"] = 77;
    mq.details["messages"] = 1;
    mq.details["max_messages"] = 10;
    mq.details["message_size"] = 8192;
    mq.details["notify_pid"] = 0;
    EXPECT_EQ(cell(core::Family::Queues, "Messages", mq), "1 / 10");
    EXPECT_EQ(cell(core::Family::Queues, "Msg size", mq), "8.0 KiB");
    EXPECT_EQ(cell(core::Family::Queues, "Key / id", mq), "77");
    EXPECT_EQ(cell(core::Family::Queues, "Last users", mq), "");
    mq.details["notify_pid"] = 55;
    EXPECT_EQ(cell(core::Family::Queues, "Last users", mq), "notify 55");
    // A Windows ALPC port: its name, directory and server; the System V and POSIX columns stay empty.
    core::IpcObject port;
    port.kind = core::Kind::AlpcPort;
    port.name = "\\RPC Control\\LRPC-0a1b";
    port.details["directory"] = "\\RPC Control";
    port.addHolder({812, "svchost.exe", "handle 0x1f4 server"});
    for (const char* empty : {"Queued", "Messages", "Msg size", "Owner", "Mode", "Key / id", "Last users"})
        EXPECT_EQ(cell(core::Family::Queues, empty, port), "") << empty;
    EXPECT_EQ(cell(core::Family::Queues, "PIDs", port), "812");
    EXPECT_EQ(cell(core::Family::Queues, "Commands", port), "svchost.exe");
}

TEST(GuiColumns, SyncShowsSemaphoreValuesOrObjectState) {
    core::IpcObject sem;
    sem.kind = core::Kind::SysvSem;
    sem.name = "0x0000162f";
    sem.details["key"] = "0x0000162f";
    sem.details["semid"] = 4;
    sem.details["nsems"] = 3;
    sem.details["values"] = {0, 7, 0};
    EXPECT_EQ(cell(core::Family::Sync, "State", sem), "3 semaphores = 0,7,0");
    EXPECT_EQ(cell(core::Family::Sync, "Key / id", sem), "0x0000162f id 4");
    core::IpcObject ev;
    ev.kind = core::Kind::Event;
    ev.name = "Local\\ready";
    ev.details["state"] = "signaled, manual-reset";
    EXPECT_EQ(cell(core::Family::Sync, "State", ev), "signaled, manual-reset");
    for (const char* empty : {"Owner", "Mode", "Key / id"}) EXPECT_EQ(cell(core::Family::Sync, empty, ev), "") << empty;
}

TEST(GuiColumns, ServicesShowBusAndOwner) {
    core::IpcObject n;
    n.kind = core::Kind::DbusName;
    n.name = "org.example.Demo";
    n.details["bus"] = "session";
    n.details["state"] = "running";
    n.details["owner"] = ":1.7";
    n.addHolder({42, "demo", "owns it on the session bus"});
    EXPECT_EQ(cell(core::Family::Services, "Bus / directory", n), "session");
    EXPECT_EQ(cell(core::Family::Services, "Owner", n), ":1.7");
    EXPECT_EQ(cell(core::Family::Services, "Commands", n), "demo");
    n.details.erase("owner");
    n.details["state"] = "activatable";
    EXPECT_EQ(cell(core::Family::Services, "Owner", n), "activatable");
}

TEST(GuiColumns, UnixSocketShowsStatePeerAndQueues) {
    core::IpcObject o;
    o.kind = core::Kind::UnixSocket;
    o.name = "socket:[10]";
    o.details["inode"] = 10;
    o.details["type"] = "stream";
    o.details["state"] = "connected";
    o.details["recv_queue"] = 100;
    o.details["send_queue"] = 0;
    o.details["peer"] = 11;
    o.details["peer_name"] = "/run/x.sock";
    o.details["peer_command"] = "server";
    o.details["peer_pids"] = {42};
    o.addHolder({7, "client", "fd 3"});
    EXPECT_EQ(cell(core::Family::Pipes, "State", o), "stream connected");
    EXPECT_EQ(cell(core::Family::Pipes, "Flow / peer", o), "/run/x.sock <-> server (42)");
    EXPECT_EQ(cell(core::Family::Pipes, "Queues", o), "100 / 0");
    EXPECT_EQ(cell(core::Family::Pipes, "Commands", o), "client");
}

TEST(GuiColumns, AnonPipeShowsItsChainAndSortsPidsAsNumbers) {
    core::IpcObject o;
    o.kind = core::Kind::AnonPipe;
    o.name = "pipe:[5]";
    o.details["flow"] = "1 a -> 2 b";
    EXPECT_EQ(cell(core::Family::Pipes, "Flow / peer", o), "1 a -> 2 b");
    o.details["chain"] = "1 a | 2 b | 3 c";
    EXPECT_EQ(cell(core::Family::Pipes, "Flow / peer", o), "1 a | 2 b | 3 c");
    o.addHolder({900, "a", "fd 1 w"});
    o.addHolder({1000, "b", "fd 0 r"});
    const auto& cols = gui::columnsFor(core::Family::Pipes);
    auto pids = std::find_if(cols.begin(), cols.end(), [](const gui::Column& c) { return std::string(c.header) == "PIDs"; });
    ASSERT_NE(pids, cols.end());
    ASSERT_NE(pids->number, nullptr);
    EXPECT_EQ(pids->number(o), 900);
}

TEST(GuiColumns, DetailFieldsListEveryFieldButHolders) {
    core::IpcObject o;
    o.kind = core::Kind::SysvShm;
    o.name = "0x0000162e";
    o.size = 65536;
    o.details["key"] = "0x0000162e";
    o.details["nattch"] = 2;
    o.details["peer_pids"] = {1, 2};
    o.addHolder({1, "x", "mmap rw-s"});
    o.error = "partly unreadable";
    const auto fields = gui::detailFields(o);
    auto has = [&](const std::string& k, const std::string& v) {
        return std::find(fields.begin(), fields.end(), std::pair<std::string, std::string>{k, v}) != fields.end();
    };
    EXPECT_TRUE(has("kind", "sysv-shm"));
    EXPECT_TRUE(has("size", "65536 (64.0 KiB)"));
    EXPECT_TRUE(has("pids", "1"));
    EXPECT_TRUE(has("key", "0x0000162e"));
    EXPECT_TRUE(has("nattch", "2"));
    EXPECT_TRUE(has("peer_pids", "1,2"));
    EXPECT_TRUE(has("error", "partly unreadable"));
    for (const auto& [k, v] : fields) EXPECT_NE(k, "holders");
}

// The charts' axes: no two ticks read the same, whatever the range (an empty chart's 0..1.5
// axis read "0, 0, 1, 2").
TEST(GuiChartAxes, TickLabelsCarryTheDecimalsTheirStepNeeds) {
    for (double top : {1.05, 0.3, 7.0, 36000.0, 0.012}) {
        const double step = gui::niceStep(top, 5);
        std::vector<std::string> labels;
        for (double v = 0; v <= top + step / 2; v += step) labels.push_back(gui::tickLabel(v, step));
        for (std::size_t i = 1; i < labels.size(); ++i) EXPECT_NE(labels[i], labels[i - 1]) << "top " << top << ", step " << step;
    }
    EXPECT_EQ(gui::tickLabel(1.5, 0.5), "1.5");
    EXPECT_EQ(gui::tickLabel(0.15, 0.05), "0.15");
    EXPECT_EQ(gui::tickLabel(40000, 10000), "40000");
    EXPECT_EQ(gui::tickLabel(3, 1), "3");
}

TEST(GuiTabs, EveryLinuxFamilyTabRenders) {
    char dir[] = "/tmp/ipcscope-guitab-XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    const std::string fifo = std::string(dir) + "/tab-fifo";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    int keep = ::open(fifo.c_str(), O_RDWR);
    ASSERT_GE(keep, 0);
    for (const char* tab : {"pipes", "mappings", "queues", "sync", "sockets", "clipboard", "services"}) {
        const std::string png = std::string(dir) + "/" + tab + ".png";
        auto r = test::runCmd({"xvfb-run", "-a", "-s", "-screen 0 1024x700x24", IPCSCOPE_BIN, "gui", "--screenshot", png,
                               "--frames", "4", "--tab", tab, "--size", "1024x700"},
                              120);
        EXPECT_EQ(r.exitCode, 0) << tab << ": " << r.err;
        struct stat st {};
        EXPECT_EQ(::stat(png.c_str(), &st), 0) << tab;
        EXPECT_GT(st.st_size, 10000) << tab;  // a rendered table, not an empty frame
        ::unlink(png.c_str());
    }
    ::close(keep);
    ::unlink(fifo.c_str());
    ::rmdir(dir);
}

// The detail pane and its "Copy as JSON" action with a name that is not UTF-8: the pane draws
// it escaped, and the clipboard receives valid JSON (a strict dump used to throw here).
TEST(GuiCopy, RowWithInvalidUtf8NameDrawsAndCopiesAsValidJson) {
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = ImVec2(1024, 700);
    io.DeltaTime = 1.0f / 60.0f;
    unsigned char* pixels = nullptr;
    int w = 0, h = 0;
    io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
    static std::string clipboard;
    io.SetClipboardTextFn = [](void*, const char* text) { clipboard = text; };

    core::Snapshot snap;
    snap.families = {core::Family::Pipes};
    core::IpcObject o;
    o.kind = core::Kind::Fifo;
    o.name = "/tmp/fifo-\x9a\xff";
    o.details["mode"] = "0644 \xc3(";
    o.addHolder({42, "cmd\xfe", "fd 3 rw"});
    snap.objects.push_back(o);

    gui::ObjectsView view;
    view.onSnapshot(snap);
    view.select(gui::rowKey(snap.objects.front()));
    for (int frame = 0; frame < 3; ++frame) {
        ImGui::NewFrame();
        ImGui::Begin("monitor");
        view.draw(snap, core::Family::Pipes);
        ImGui::End();
        ImGui::Render();
    }
    EXPECT_EQ(view.shownRows(), 1u);
    gui::ObjectsView::copyAsJson(snap.objects.front());
    ImGui::DestroyContext();

    const auto j = nlohmann::json::parse(clipboard, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << clipboard;
    EXPECT_EQ(j["name"], "/tmp/fifo-\\x9a\\xff");
    EXPECT_EQ(j["details"]["mode"], "0644 \\xc3(");
    EXPECT_EQ(j["details"]["holders"][0]["command"], "cmd\\xfe");
}
