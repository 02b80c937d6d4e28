// Live checks under Wine (or Windows): a helper process creates real sections, a DLL with a
// shared section, clipboard formats, windows, a DDE server, a ROT entry and sockets; ipcscope
// must report each with the right kind, name, size and PID.

#include "families_process.h"
#include "platform/windows/families.h"
#include "core/platform.h"

#include <windows.h>

#include <gtest/gtest.h>

#include <cstring>

using namespace ipcscope::test;

namespace {

constexpr std::uint64_t kThreeMiB = 3u * 1024 * 1024;

}  // namespace

// The fixture has external linkage: the classes TEST_F derives from it do, and the unity build
// makes this file a header to the compiler (-Wsubobject-linkage).
class FamiliesLive : public ::testing::Test {
protected:
    void SetUp() override {
        // Only the clipboard test fills the clipboard, so tests may run in parallel.
        const bool clipboard = std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()).starts_with("Clipboard");
        m_helper = std::make_unique<HelperProcess>(wineVisiblePath(IPCSCOPE_FAMILIES_HELPER),
                                                   clipboard ? std::vector<std::wstring>{L"--clipboard"} : std::vector<std::wstring>{});
        ASSERT_TRUE(m_helper->ready()) << "helper did not start:\n" << m_helper->transcript();
    }
    void TearDown() override { m_helper.reset(); }

    HelperProcess& helper() { return *m_helper; }
    std::string tag() { return std::to_string(m_helper->pid()); }

    static nlohmann::json list(std::initializer_list<const wchar_t*> what) {
        std::vector<std::wstring> args(what.begin(), what.end());
        RunResult raw;
        auto j = listJson(args, &raw);
        EXPECT_TRUE(j.is_object()) << "exit " << raw.exitCode << "\nstdout:\n" << raw.out << "\nstderr:\n" << raw.err;
        return j;
    }

private:
    std::unique_ptr<HelperProcess> m_helper;
};

TEST_F(FamiliesLive, SectionsInLocalAndGlobalWithSize) {
    ASSERT_EQ(helper().value("local_section"), "Local\\ipcscope-test-local-" + tag());
    ASSERT_EQ(helper().value("global_section"), "Global\\ipcscope-test-global-" + tag());
    const auto snap = list({L"section"});
    ASSERT_TRUE(snap.is_object());
    for (const auto& o : snap["objects"]) EXPECT_EQ(o["kind"], "section");

    const auto local = findObject(snap, "section", "Local\\ipcscope-test-local-" + tag());
    ASSERT_TRUE(local.is_object()) << snap.dump(1);
    EXPECT_EQ(local["family"], "mappings");
    EXPECT_EQ(local["size"], kThreeMiB);
    EXPECT_EQ(local["details"]["scope"], "Local");
    EXPECT_TRUE(local["details"]["nt_path"].get<std::string>().starts_with("\\Sessions\\"));
    EXPECT_EQ(local["pids"], nlohmann::json::array({helper().pid()})) << local.dump(1);

    const auto global = findObject(snap, "section", "Global\\ipcscope-test-global-" + tag());
    ASSERT_TRUE(global.is_object()) << snap.dump(1);
    EXPECT_EQ(global["size"], kThreeMiB);
    EXPECT_EQ(global["details"]["scope"], "Global");
    EXPECT_EQ(global["details"]["nt_path"], "\\BaseNamedObjects\\ipcscope-test-global-" + tag());
    EXPECT_EQ(global["pids"], nlohmann::json::array({helper().pid()})) << global.dump(1);
}

TEST_F(FamiliesLive, SharedDllWithItsSharedSection) {
    ASSERT_EQ(helper().value("shared_dll"), "loaded");
    const auto snap = list({L"shared-dll"});
    ASSERT_TRUE(snap.is_object());
    nlohmann::json row;
    for (const auto& o : snap["objects"])
        if (o["kind"] == "shared-dll" && o["name"].get<std::string>().ends_with("ipcscope_test_shared.dll")) row = o;
    ASSERT_TRUE(row.is_object()) << snap.dump(1);
    EXPECT_TRUE(hasPid(row, helper().pid()));
    ASSERT_EQ(row["details"]["sections"].size(), 1u);
    const auto& section = row["details"]["sections"][0];
    EXPECT_EQ(section["name"], ".ipcshr");
    EXPECT_GE(section["size"].get<std::uint64_t>(), 8192u + 4u);
    EXPECT_EQ(section["writable"], true);
    EXPECT_EQ(row["size"], section["size"]);
    // ipcscope itself loads no such image.
    for (const auto& o : snap["objects"]) EXPECT_FALSE(o["name"].get<std::string>().ends_with("ipcscope.exe"));
}

TEST_F(FamiliesLive, ClipboardFormatsWithSizesOwnerAndSequence) {
    const std::string format = "ipcscope.test.format." + tag();
    ASSERT_EQ(helper().value("clipboard_format"), format);
    const auto snap = list({L"clipboard"});
    ASSERT_TRUE(snap.is_object());

    const auto text = findObject(snap, "clipboard-format", "CF_UNICODETEXT");
    ASSERT_TRUE(text.is_object()) << snap.dump(1);
    EXPECT_EQ(text["size"], 48u);  // "ipcscope clipboard test" + NUL in UTF-16
    EXPECT_EQ(text["details"]["id"], 13);
    EXPECT_EQ(text["details"]["registered"], false);
    EXPECT_TRUE(hasPid(text, helper().pid()));
    EXPECT_EQ(text["details"]["owner_class"], "IpcscopeTestCopyData");
    EXPECT_GT(text["details"]["sequence"].get<std::uint64_t>(), 0u);

    const auto custom = findObject(snap, "clipboard-format", format);
    ASSERT_TRUE(custom.is_object()) << snap.dump(1);
    EXPECT_EQ(custom["size"], 1000u);
    EXPECT_EQ(custom["details"]["registered"], true);
    EXPECT_GE(custom["details"]["id"].get<unsigned>(), 0xC000u);
    EXPECT_TRUE(hasPid(custom, helper().pid()));
    EXPECT_EQ(custom["details"]["sequence"], text["details"]["sequence"]);
}

TEST_F(FamiliesLive, MessageOnlyWindowThatAcceptsCopyData) {
    const std::string title = "ipcscope-copydata-" + tag();
    ASSERT_EQ(helper().value("copydata_window"), title);
    const auto snap = list({L"windows"});
    ASSERT_TRUE(snap.is_object());
    nlohmann::json row;
    for (const auto& o : snap["objects"])
        if (o["kind"] == "window" && o["details"]["title"] == title) row = o;
    ASSERT_TRUE(row.is_object()) << snap.dump(1);
    EXPECT_EQ(row["name"], "IpcscopeTestCopyData");
    EXPECT_EQ(row["family"], "windows");
    EXPECT_EQ(row["details"]["message_only"], true);
    EXPECT_EQ(row["pids"], nlohmann::json::array({helper().pid()}));

    // The reported handle is the window that takes WM_COPYDATA.
    const auto hwnd = reinterpret_cast<HWND>(std::stoull(row["details"]["hwnd"].get<std::string>(), nullptr, 16));
    char payload[] = "hello";
    COPYDATASTRUCT cds{1, sizeof payload, payload};
    DWORD_PTR result = 0;
    ASSERT_NE(SendMessageTimeoutW(hwnd, WM_COPYDATA, 0, reinterpret_cast<LPARAM>(&cds), SMTO_ABORTIFHUNG, 5000, &result), 0);
    EXPECT_EQ(result, static_cast<DWORD_PTR>(TRUE));

    // The DDE server's window is a top-level one.
    nlohmann::json top;
    for (const auto& o : snap["objects"])
        if (o["kind"] == "window" && o["details"]["title"] == "ipcscope-dde-" + tag()) top = o;
    ASSERT_TRUE(top.is_object());
    EXPECT_EQ(top["details"]["message_only"], false);
    EXPECT_TRUE(hasPid(top, helper().pid()));
}

TEST_F(FamiliesLive, DdeServerAnswersTheInitiateBroadcast) {
    const std::string service = "IpcscopeTest" + tag();
    ASSERT_EQ(helper().value("dde_service"), service);
    const auto snap = list({L"dde"});
    ASSERT_TRUE(snap.is_object());
    const auto row = findObject(snap, "dde", service + "|System");
    ASSERT_TRUE(row.is_object()) << snap.dump(1);
    EXPECT_EQ(row["family"], "services");
    EXPECT_EQ(row["details"]["service"], service);
    EXPECT_EQ(row["details"]["topic"], "System");
    EXPECT_EQ(row["pids"], nlohmann::json::array({helper().pid()}));
}

TEST_F(FamiliesLive, RunningObjectTableEntry) {
    const std::string name = "!ipcscope-test-rot-" + tag();
    ASSERT_EQ(helper().value("rot"), name);
    const auto snap = list({L"rot"});
    ASSERT_TRUE(snap.is_object());
    const auto row = findObject(snap, "rot", name);
    ASSERT_TRUE(row.is_object()) << snap.dump(1);
    EXPECT_EQ(row["details"]["moniker"], "item");
    // The table does not say who registered an entry: no PID is claimed.
    EXPECT_TRUE(row["pids"].empty());
    EXPECT_EQ(row["details"]["pid"], "unknown");
}

TEST_F(FamiliesLive, RpcEndpointsOrAClearNotSupportedState) {
    RunResult raw;
    const auto snap = listJson({L"rpc"}, &raw);
    ASSERT_TRUE(snap.is_object()) << raw.err;
    bool anyRow = false;
    for (const auto& o : snap["objects"]) {
        EXPECT_EQ(o["kind"], "rpc");
        EXPECT_FALSE(o["details"]["interface"].get<std::string>().empty());
        anyRow = true;
    }
    bool notSupported = false;
    for (const auto& e : snap["errors"])
        if (e["kind"] == "rpc" && e["code"] == "not-supported") notSupported = true;
    // Windows lists its endpoint mapper (never empty: the mapper registers itself); Wine 8.0
    // does not implement the inquiry, which must then be said as such.
    EXPECT_NE(anyRow, notSupported) << snap.dump(1);
}

TEST_F(FamiliesLive, TcpListenerAndUdpSocketOnLoopback) {
    const std::string tcpPort = helper().value("tcp_port");
    const std::string udpPort = helper().value("udp_port");
    ASSERT_FALSE(tcpPort.empty());
    ASSERT_EQ(tcpPort.find("error"), std::string::npos) << tcpPort;
    const auto snap = list({L"sockets"});
    ASSERT_TRUE(snap.is_object());
    const auto tcp = findObject(snap, "tcp", "127.0.0.1:" + tcpPort);
    ASSERT_TRUE(tcp.is_object()) << snap.dump(1);
    EXPECT_EQ(tcp["family"], "sockets");
    EXPECT_EQ(tcp["details"]["state"], "listen");
    EXPECT_EQ(tcp["pids"], nlohmann::json::array({helper().pid()})) << tcp.dump(1);
    EXPECT_NE(tcp["details"]["pid_source"], "unknown");

    const auto udp = findObject(snap, "udp", "127.0.0.1:" + udpPort);
    ASSERT_TRUE(udp.is_object()) << snap.dump(1);
    EXPECT_EQ(udp["pids"], nlohmann::json::array({helper().pid()})) << udp.dump(1);
}

TEST_F(FamiliesLive, EstablishedTcpPairOnLoopback) {
    const std::string server = "127.0.0.1:" + helper().value("tcp_port");
    const std::string client = "127.0.0.1:" + helper().value("tcp_client_port");
    ASSERT_EQ(client.find("error"), std::string::npos) << client;
    const auto snap = list({L"tcp"});
    ASSERT_TRUE(snap.is_object());
    for (const auto& o : snap["objects"]) EXPECT_EQ(o["kind"], "tcp");
    const auto outgoing = findObject(snap, "tcp", client + " -> " + server);
    const auto incoming = findObject(snap, "tcp", server + " -> " + client);
    ASSERT_TRUE(outgoing.is_object()) << snap.dump(1);
    ASSERT_TRUE(incoming.is_object()) << snap.dump(1);
    EXPECT_EQ(outgoing["details"]["state"], "established");
    EXPECT_EQ(incoming["details"]["remote"], client);
    EXPECT_EQ(outgoing["pids"], nlohmann::json::array({helper().pid()})) << outgoing.dump(1);
    EXPECT_EQ(incoming["pids"], nlohmann::json::array({helper().pid()})) << incoming.dump(1);
}

TEST_F(FamiliesLive, ObjectsOfAnExitedProcessAreGone) {
    const std::string local = "Local\\ipcscope-test-local-" + tag();
    const std::string title = "ipcscope-copydata-" + tag();
    ASSERT_TRUE(findObject(list({L"section"}), "section", local).is_object());
    const long long pid = helper().pid();
    TearDown();  // closes the helper's stdin: it exits and its objects go with it
    const auto snap = list({L"mappings", L"windows"});
    ASSERT_TRUE(snap.is_object());
    EXPECT_FALSE(findObject(snap, "section", local).is_object());
    for (const auto& o : snap["objects"]) EXPECT_FALSE(hasPid(o, pid)) << o.dump(1);
}

// A section named with an unpaired surrogate: the row's name shows U+FFFD, but the size query
// opens the section by the name as the directory holds it (through UTF-8 it would open none).
TEST(SectionsInProcess, ANameWithAnUnpairedSurrogateIsOpenedByItsExactName) {
    const std::string base = "ipcscope-sur-" + std::to_string(GetCurrentProcessId());
    const std::wstring name = L"Local\\" + std::wstring(base.begin(), base.end()) + std::wstring(1, static_cast<wchar_t>(0xD800));
    HANDLE section = CreateFileMappingW(INVALID_HANDLE_VALUE, nullptr, PAGE_READWRITE, 0, 65536, name.c_str());
    ASSERT_NE(section, nullptr) << GetLastError();
    ipcscope::core::Snapshot snap;
    ipcscope::win::Context ctx;
    ipcscope::win::collectSections(ctx, snap);
    CloseHandle(section);
    const ipcscope::core::IpcObject* row = nullptr;
    for (const auto& o : snap.objects)
        if (o.name == "Local\\" + base + "\xEF\xBF\xBD") row = &o;
    ASSERT_NE(row, nullptr);
    EXPECT_FALSE(row->error.has_value()) << *row->error;
    EXPECT_EQ(row->size, std::optional<std::uint64_t>(65536));
}

// The GUI's opt-in peek: the first bytes of a named section found by a snapshot, read-only and
// capped; the section's bytes are the same afterwards.
TEST(SectionsInProcess, PeekReadsTheFirstBytesReadOnly) {
    const std::string base = "ipcscope-peek-" + std::to_string(GetCurrentProcessId());
    const std::wstring name = L"Local\\" + std::wstring(base.begin(), base.end());
    HANDLE section = CreateFileMappingW(INVALID_HANDLE_VALUE, nullptr, PAGE_READWRITE, 0, 8192, name.c_str());
    ASSERT_NE(section, nullptr) << GetLastError();
    auto* view = static_cast<char*>(MapViewOfFile(section, FILE_MAP_WRITE, 0, 0, 8192));
    ASSERT_NE(view, nullptr) << GetLastError();
    const std::string text = "ipcscope peek test bytes";
    std::memcpy(view, text.data(), text.size());
    view[8191] = 'Z';
    ipcscope::core::Snapshot snap;
    ipcscope::win::Context ctx;
    ipcscope::win::collectSections(ctx, snap);
    const ipcscope::core::IpcObject* row = nullptr;
    for (const auto& o : snap.objects)
        if (o.name == "Local\\" + base) row = &o;
    ASSERT_NE(row, nullptr);
    const auto bytes = ipcscope::platform::peekSharedMemory(*row, 4096);
    ASSERT_TRUE(bytes.ok()) << bytes.error().message();
    ASSERT_EQ(bytes->size(), 4096u);
    EXPECT_EQ(std::string(bytes->begin(), bytes->begin() + static_cast<std::ptrdiff_t>(text.size())), text);
    EXPECT_EQ(std::string(view, text.size()), text);
    EXPECT_EQ(view[8191], 'Z');

    ipcscope::core::IpcObject pipe;
    pipe.kind = ipcscope::core::Kind::NamedPipe;
    pipe.name = "x";
    const auto refused = ipcscope::platform::peekSharedMemory(pipe, 16);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, ipcscope::core::Errc::NotSupported);
    UnmapViewOfFile(view);
    CloseHandle(section);
}
