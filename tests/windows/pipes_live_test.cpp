// Live: a helper process holds a named pipe (max 4 instances, 2 open, one connected) and a
// mailslot with a message waiting; `ipcscope list ... --json` must report them with the
// helper's PID through the system handle table.

#include "core/platform.h"
#include "win_process.h"
#include "platform/windows/collectors.h"
#include "base/text.h"
#include "platform/windows/handle_table.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>

using namespace ipcscope;
using namespace ipcscope::test;
using nlohmann::json;

namespace {

json listJson(const std::vector<std::string>& what, std::string* err = nullptr) {
    std::vector<std::string> argv{IPCSCOPE_BIN, "list"};
    argv.insert(argv.end(), what.begin(), what.end());
    argv.push_back("--json");
    auto r = runWin(argv);
    if (err) *err = r.err;
    if (r.exitCode != 0) return nullptr;
    return json::parse(r.out, nullptr, false);
}

json findObject(const json& snap, const std::string& kind, const std::string& name) {
    if (!snap.is_object() || !snap.contains("objects")) return nullptr;
    for (const auto& o : snap["objects"])
        if (o["kind"] == kind && o["name"] == name) return o;
    return nullptr;
}

bool contains(const json& arr, long long v) {
    if (!arr.is_array()) return false;
    return std::any_of(arr.begin(), arr.end(), [&](const json& x) { return x.is_number() && x.get<long long>() == v; });
}

std::size_t lines(const std::string& s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')); }

// The directory listing is either supported (source includes "directory") or reported once
// as not supported; never silently missing.
void expectDirectoryStateReported(const json& snap, const json& obj, const std::string& kind) {
    std::size_t notSupported = 0;
    for (const auto& e : snap["errors"])
        if (e["kind"] == kind && e["code"] == "not-supported") ++notSupported;
    const std::string source = obj["details"]["source"];
    if (notSupported == 0) EXPECT_EQ(source, "directory+handles");
    else EXPECT_EQ(source, "handles");
    EXPECT_LE(notSupported, 1u);
}

}  // namespace

TEST(WinPipesLive, HelperPipeIsReportedWithPidAndInstances) {
    const std::string name = uniqueName();
    HelperProcess helper({"pipes", name});
    ASSERT_TRUE(helper.ready()) << helper.output();

    std::string err;
    const json snap = listJson({"pipes"}, &err);
    ASSERT_TRUE(snap.is_object()) << err;
    EXPECT_EQ(snap["platform"], "windows");
    EXPECT_TRUE(snap["elevated"].is_boolean());
    EXPECT_TRUE(snap["denied_processes"].is_number());
    const json pipe = findObject(snap, "named-pipe", name);
    ASSERT_TRUE(pipe.is_object()) << snap.dump(1);
    EXPECT_EQ(pipe["family"], "pipes");
    EXPECT_TRUE(contains(pipe["pids"], helper.pid())) << pipe.dump(1);
    const json& d = pipe["details"];
    EXPECT_EQ(d["instances"], 2) << pipe.dump(1);
    EXPECT_EQ(d["max_instances"], 4) << pipe.dump(1);
    EXPECT_TRUE(contains(d["ends"]["server"], helper.pid())) << pipe.dump(1);
    EXPECT_TRUE(contains(d["ends"]["client"], helper.pid())) << pipe.dump(1);
    EXPECT_EQ(d["type"], "byte");
    EXPECT_EQ(d["direction"], "duplex");
    // Two server handles and one client handle, all in the helper.
    ASSERT_TRUE(d["holders"].is_array());
    EXPECT_EQ(d["holders"].size(), 3u) << pipe.dump(1);
    for (const auto& h : d["holders"]) {
        EXPECT_EQ(h["pid"], helper.pid());
        EXPECT_EQ(h["command"], "ipcscope_win_helper.exe");
        EXPECT_EQ(h["how"].get<std::string>().rfind("handle 0x", 0), 0u) << h.dump();
    }
    expectDirectoryStateReported(snap, pipe, "named-pipe");
    // Only pipes: the mailslot of the same name is not in this snapshot.
    EXPECT_TRUE(findObject(snap, "mailslot", name).is_null());
}

TEST(WinPipesLive, HelperMailslotIsReportedWithPidAndMessageInfo) {
    const std::string name = uniqueName();
    HelperProcess helper({"pipes", name});
    ASSERT_TRUE(helper.ready()) << helper.output();

    std::string err;
    const json snap = listJson({"mailslots"}, &err);
    ASSERT_TRUE(snap.is_object()) << err;
    const json slot = findObject(snap, "mailslot", name);
    ASSERT_TRUE(slot.is_object()) << snap.dump(1);
    EXPECT_EQ(slot["family"], "mailslots");
    EXPECT_TRUE(contains(slot["pids"], helper.pid())) << slot.dump(1);
    const json& d = slot["details"];
    EXPECT_EQ(d["max_message_size"], 512) << slot.dump(1);
    EXPECT_EQ(d["pending"], 1);
    EXPECT_EQ(d["next_size"], 14);
    EXPECT_TRUE(d["read_timeout_ms"].is_null());  // MAILSLOT_WAIT_FOREVER
    EXPECT_TRUE(contains(d["ends"]["server"], helper.pid())) << slot.dump(1);
    // The helper's writing end is not asserted: Wine 8.0 gives mailslot client handles no
    // name, so they cannot be matched (docs/windows-verification.md).
    expectDirectoryStateReported(snap, slot, "mailslot");
    EXPECT_TRUE(findObject(snap, "named-pipe", name).is_null());
}

TEST(WinPipesLive, DeepLookReadsTheServerEndAndLeavesTheListeningInstanceFree) {
    const std::string name = uniqueName();
    HelperProcess helper({"pipes", name});  // one instance connected, one listening
    ASSERT_TRUE(helper.ready()) << helper.output();
    std::string err;
    const json plain = listJson({"pipes"}, &err);
    const json p0 = findObject(plain, "named-pipe", name);
    ASSERT_TRUE(p0.is_object()) << err;
    EXPECT_FALSE(p0["details"].contains("deep"));  // never looks unless asked

    const json snap = listJson({"named-pipe", "--deep", "--filter", name}, &err);
    const json pipe = findObject(snap, "named-pipe", name);
    ASSERT_TRUE(pipe.is_object()) << err;
    EXPECT_EQ(snap["objects"].size(), 1u);
    const json& deep = pipe["details"]["deep"];
    ASSERT_TRUE(deep.is_object()) << pipe.dump(1);
    EXPECT_FALSE(deep.contains("error")) << deep.dump();
    EXPECT_EQ(deep["via"], "server-handle") << deep.dump();
    EXPECT_EQ(deep["server_pid"], helper.pid());
    EXPECT_EQ(deep["mode"], "byte");
    EXPECT_EQ(deep["in_buffer"], 4096);
    EXPECT_EQ(deep["out_buffer"], 4096);
    EXPECT_EQ(deep["remote_clients"], "accept");
    // Wine keeps no descriptor on pipes: null, and the reason is given.
    ASSERT_TRUE(deep.contains("sddl")) << deep.dump();
    if (deep["sddl"].is_null()) {
        EXPECT_FALSE(deep.value("sddl_error", "").empty()) << deep.dump();
    }

    // Nothing connected: the helper's listening instance still takes a client.
    const std::wstring path = L"\\\\.\\pipe\\" + std::wstring(name.begin(), name.end());
    win::UniqueHandle client(CreateFileW(path.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING, 0, nullptr));
    EXPECT_TRUE(client) << "the listening instance was taken: error " << GetLastError();
}

namespace {

// This process holds the server ends (2 instances, message mode, rejecting remote clients) of
// \\.\pipe\<name><U+D800>; the helper holds a client end. An in-process snapshot skips this
// process's own handles, so the row has no visible server end.
struct OwnServerPipe {
    std::string name = uniqueName();
    std::wstring wide = std::wstring(name.begin(), name.end()) + std::wstring(1, static_cast<wchar_t>(0xD800));
    win::UniqueHandle first, second;

    OwnServerPipe() {
        const std::wstring path = L"\\\\.\\pipe\\" + wide;
        for (auto* h : {&first, &second})
            h->reset(CreateNamedPipeW(path.c_str(), PIPE_ACCESS_DUPLEX,
                                      PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_REJECT_REMOTE_CLIENTS, 2, 2048,
                                      2048, 0, nullptr));
    }
};

core::Snapshot deepSnapshot(const std::string& match, bool connect) {
    core::Snapshot snap;
    snap.deep = true;
    snap.deepMatch = match;
    snap.deepConnect = connect;
    const core::Family pipes[] = {core::Family::Pipes};
    platform::collect(pipes, snap);
    return snap;
}

const core::IpcObject* findRow(const core::Snapshot& snap, const std::string& prefix) {
    for (const auto& o : snap.objects)
        if (o.kind == core::Kind::NamedPipe && o.name.rfind(prefix, 0) == 0) return &o;
    return nullptr;
}

}  // namespace

TEST(WinPipesLive, WithoutAVisibleServerEndTheDeepLookConnectsOnlyOnRequestByTheExactName) {
    OwnServerPipe pipe;
    ASSERT_TRUE(pipe.first && pipe.second) << GetLastError();
    HelperProcess helper({"client", pipe.name, "surrogate"});
    ASSERT_TRUE(helper.ready()) << helper.output();

    const core::Snapshot noConnect = deepSnapshot(pipe.name, false);
    const core::IpcObject* row = findRow(noConnect, pipe.name);
    ASSERT_NE(row, nullptr);
    EXPECT_EQ(row->name, pipe.name + "\xEF\xBF\xBD");  // U+FFFD stands for the surrogate in the row
    const auto& d0 = row->details["deep"];
    EXPECT_FALSE(d0.contains("via")) << d0.dump();
    EXPECT_NE(d0.value("error", "").find("--deep-connect"), std::string::npos) << d0.dump();

    const core::Snapshot connect = deepSnapshot(pipe.name, true);
    row = findRow(connect, pipe.name);
    ASSERT_NE(row, nullptr);
    const auto& d = row->details["deep"];
    // Opened by the name as the OS spells it: through UTF-8 the surrogate would be U+FFFD and
    // the open would find no such pipe.
    EXPECT_FALSE(d.contains("error")) << d.dump();
    EXPECT_EQ(d["via"], "client-connect");
    EXPECT_EQ(d["server_pid"], GetCurrentProcessId());
    EXPECT_EQ(d["mode"], "message");
    EXPECT_EQ(d["in_buffer"], 2048);
    EXPECT_TRUE(d.contains("sddl")) << d.dump();
    if (d["sddl"].is_null()) {
        EXPECT_FALSE(d.value("sddl_error", "").empty()) << d.dump();
    }
}

namespace {

// On Windows a security query on a pipe end waits for the file object's lock while its holder
// has a synchronous read pending. Wine never blocks there, so this query first does what such
// a holder does: a synchronous read on the same end, which nobody ever writes to.
NTSTATUS securityBehindAPendingRead(HANDLE h, void* buffer, ULONG size, ULONG* used) {
    char b = 0;
    DWORD n = 0;
    ReadFile(h, &b, 1, &n, nullptr);
    return win::defaultDeepCalls().security(h, buffer, size, used);
}

}  // namespace

TEST(WinPipesLive, AServerThatNeverAnswersDoesNotHangTheDeepLook) {
    const std::string name = uniqueName();
    HelperProcess helper({"pipes", name});
    ASSERT_TRUE(helper.ready()) << helper.output();
    win::Context ctx;
    // The helper's connected server end: its client never writes.
    std::vector<win::Sighting> seen;
    for (const auto& nh : ctx.namedFileHandles()) {
        const auto dev = win::splitDeviceName(nh.name);
        if (nh.entry.pid != helper.pid() || dev.device != win::NtDevice::NamedPipe || win::toUtf8(dev.rest) != name)
            continue;
        win::UniqueHandle dup = ctx.duplicate(nh.entry);
        ASSERT_TRUE(dup);
        auto info = win::queryPipeLocal(ctx.worker(), dup.get());
        ASSERT_TRUE(info) << info.error().message();
        if (info->end == win::nt::kPipeServerEnd && info->state == 3)
            seen.push_back({std::u16string(dev.rest), nh.entry, "helper", *info, std::nullopt, true});
    }
    ASSERT_EQ(seen.size(), 1u);
    const auto rows = win::mergePipeRows({}, seen);
    ASSERT_EQ(rows.size(), 1u);

    win::QueryWorker worker(std::chrono::milliseconds(300));
    const win::DeepCalls blocking{&securityBehindAPendingRead, win::defaultDeepCalls().connect};
    const auto start = std::chrono::steady_clock::now();
    const auto d = win::deepLook(ctx, worker, rows[0], false, blocking);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
    EXPECT_EQ(d["via"], "server-handle");
    EXPECT_EQ(d["server_pid"], helper.pid());  // what the handle gave is kept
    EXPECT_EQ(d["mode"], "byte");
    EXPECT_TRUE(d["sddl"].is_null());
    EXPECT_NE(d.value("sddl_error", "").find("did not answer within 300 ms"), std::string::npos) << d.dump();
    EXPECT_EQ(worker.timeouts(), 1u);

    // The worker was replaced: the next look answers.
    const auto again = win::deepLook(ctx, worker, rows[0], false);
    EXPECT_EQ(again.value("sddl_error", "").find("did not answer"), std::string::npos) << again.dump();
}

TEST(WinPipesLive, ObjectsVanishWithTheirHolder) {
    const std::string name = uniqueName();
    {
        HelperProcess helper({"pipes", name});
        ASSERT_TRUE(helper.ready()) << helper.output();
        const json snap = listJson({"pipes", "mailslots"});
        ASSERT_TRUE(findObject(snap, "named-pipe", name).is_object());
        ASSERT_TRUE(findObject(snap, "mailslot", name).is_object());
    }
    const json after = listJson({"pipes", "mailslots"});
    ASSERT_TRUE(after.is_object());
    EXPECT_TRUE(findObject(after, "named-pipe", name).is_null());
    EXPECT_TRUE(findObject(after, "mailslot", name).is_null());
}

TEST(WinPipesLive, ContextLearnsTheFileTypeAndSeesTheHelperHandles) {
    const std::string name = uniqueName();
    HelperProcess helper({"pipes", name});
    ASSERT_TRUE(helper.ready()) << helper.output();
    win::Context ctx;
    ASSERT_TRUE(ctx.handleTable()) << ctx.handleTable().error().message();
    ASSERT_TRUE(ctx.typeIndex("File").has_value());
    EXPECT_TRUE(ctx.typeIndex("Event").has_value());
    std::size_t pipes = 0, slots = 0;
    for (const auto& nh : ctx.namedFileHandles()) {
        if (nh.entry.pid != helper.pid()) continue;
        EXPECT_EQ(nh.entry.typeIndex, *ctx.typeIndex("File"));
        const auto dev = win::splitDeviceName(nh.name);
        if (base::utf16ToUtf8(dev.rest) != name) continue;
        pipes += dev.device == win::NtDevice::NamedPipe;
        slots += dev.device == win::NtDevice::Mailslot;
    }
    EXPECT_EQ(pipes, 3u);  // two server ends and a client end
    EXPECT_GE(slots, 1u);  // the reading end (Wine leaves the writing end unnamed)
    EXPECT_EQ(ctx.processName(helper.pid()), "ipcscope_win_helper.exe");
    EXPECT_EQ(ctx.deniedProcesses(), 0u);
}

TEST(WinPipesLive, AHolderThatExitsAfterTheTableIsSkippedNotDenied) {
    const std::string name = uniqueName();
    win::Context ctx;
    std::uint32_t pid = 0;
    {
        HelperProcess helper({"pipes", name});
        ASSERT_TRUE(helper.ready()) << helper.output();
        pid = helper.pid();
        ASSERT_TRUE(ctx.handleTable());
        const auto& table = *ctx.handleTable();
        ASSERT_TRUE(std::any_of(table.begin(), table.end(), [&](const auto& e) { return e.pid == pid; }));
    }  // the helper is terminated here, after the table was taken
    for (const auto& nh : ctx.namedFileHandles()) EXPECT_NE(nh.entry.pid, pid);
    EXPECT_EQ(ctx.deniedProcesses(), 0u);
    core::Snapshot snap;
    ctx.finish(snap);
    EXPECT_EQ(snap.deniedProcesses, 0u);
    EXPECT_TRUE(snap.errors.empty());
}

TEST(WinCli, UnknownFamilyIsAUsageErrorOnOneLine) {
    auto r = runWin({IPCSCOPE_BIN, "list", "bogus"});
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_EQ(lines(r.err), 1u) << r.err;
    EXPECT_NE(r.err.find("unknown family or kind 'bogus'"), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST(WinCli, TableListsTheHelperPipe) {
    const std::string name = uniqueName();
    HelperProcess helper({"pipes", name});
    ASSERT_TRUE(helper.ready()) << helper.output();
    auto r = runWin({IPCSCOPE_BIN, "list", "pipes"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(r.out.rfind("KIND", 0), 0u) << r.out;
    const auto row = r.out.find("named-pipe  " + name);
    ASSERT_NE(row, std::string::npos) << r.out;
    const std::string line = r.out.substr(row, r.out.find('\n', row) - row);
    EXPECT_NE(line.find(std::to_string(helper.pid())), std::string::npos) << line;
    // The pipes columns: instances as current/max, and the ends with their processes.
    EXPECT_NE(r.out.substr(0, r.out.find('\n')).find("INSTANCES"), std::string::npos) << r.out;
    EXPECT_NE(line.find(" 2/4 "), std::string::npos) << line;
    EXPECT_NE(line.find("server " + std::to_string(helper.pid())), std::string::npos) << line;
}
