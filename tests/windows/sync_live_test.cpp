// Live checks under Wine (or Windows): a helper process creates a named event, mutex and
// semaphore and a local RPC endpoint; ipcscope must list each object in the sync family with
// its state and the helper as a holder, in the JSON and in the table. ALPC ports: on Windows
// the endpoint is an ALPC port in \RPC Control with the helper as its server; Wine 8.0 has no
// ALPC (it serves ncalrpc over a named pipe), which must be one clear not-supported error.

#include "families_process.h"

#include <windows.h>

#include <gtest/gtest.h>

using namespace ipcscope::test;

namespace {

bool underWine() {
    HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
    return ntdll && GetProcAddress(ntdll, "wine_get_version") != nullptr;
}

bool heldAs(const nlohmann::json& obj, long long pid, const std::string& howSuffix) {
    if (!obj.is_object()) return false;
    for (const auto& h : obj["details"]["holders"]) {
        const auto how = h["how"].get<std::string>();
        if (h["pid"] == pid && how.size() >= howSuffix.size() && how.compare(how.size() - howSuffix.size(), howSuffix.size(), howSuffix) == 0)
            return true;
    }
    return false;
}

}  // namespace

// The fixture has external linkage: the classes TEST_F derives from it do, and the unity build
// makes this file a header to the compiler (-Wsubobject-linkage).
class SyncLive : public ::testing::Test {
protected:
    void SetUp() override {
        m_helper = std::make_unique<HelperProcess>(wineVisiblePath(IPCSCOPE_SYNC_HELPER), std::vector<std::wstring>{});
        ASSERT_TRUE(m_helper->ready()) << "helper did not start:\n" << m_helper->transcript();
    }
    HelperProcess& helper() { return *m_helper; }
    void stopHelper() { m_helper.reset(); }

    static nlohmann::json list(const std::vector<std::wstring>& what) {
        RunResult raw;
        auto j = listJson(what, &raw);
        EXPECT_TRUE(j.is_object()) << "exit " << raw.exitCode << "\nstdout:\n" << raw.out << "\nstderr:\n" << raw.err;
        return j;
    }

private:
    std::unique_ptr<HelperProcess> m_helper;
};

TEST_F(SyncLive, NamedEventMutexAndSemaphoreWithStateAndHolderInJsonAndTable) {
    const auto snap = list({L"sync"});
    ASSERT_TRUE(snap.is_object());
    for (const auto& e : snap["errors"])
        if (e["family"] == "sync") ADD_FAILURE() << "unexpected error: " << e.dump();

    const auto event = findObject(snap, "event", helper().value("event"));
    ASSERT_TRUE(event.is_object()) << helper().value("event") << " not in " << snap.dump();
    EXPECT_EQ(event["family"], "sync");
    EXPECT_EQ(event["details"]["scope"], "Local");
    EXPECT_EQ(event["details"]["event_type"], "manual-reset");
    EXPECT_EQ(event["details"]["signaled"], true);
    EXPECT_TRUE(hasPid(event, helper().pid())) << event.dump();
    EXPECT_TRUE(heldAs(event, helper().pid(), "")) << event.dump();

    const auto global = findObject(snap, "event", helper().value("global_event"));
    ASSERT_TRUE(global.is_object()) << snap.dump();
    EXPECT_EQ(global["details"]["scope"], "Global");
    EXPECT_EQ(global["details"]["nt_path"], "\\BaseNamedObjects\\" + helper().value("global_event").substr(7));
    EXPECT_EQ(global["details"]["event_type"], "auto-reset");
    EXPECT_EQ(global["details"]["signaled"], false);
    EXPECT_TRUE(hasPid(global, helper().pid())) << global.dump();

    const auto mutex = findObject(snap, "mutex", helper().value("mutex"));
    ASSERT_TRUE(mutex.is_object()) << snap.dump();
    EXPECT_EQ(mutex["details"]["state"], "owned (2 times)");
    EXPECT_EQ(mutex["details"]["owned"], true);
    EXPECT_EQ(mutex["details"]["abandoned"], false);
    // NtQueryMutant class 1 names the owning thread on Windows 10 on; Wine 8.0 does not have it.
    if (underWine()) {
        EXPECT_FALSE(mutex["details"].contains("owner_pid")) << mutex.dump();
    } else {
        EXPECT_EQ(mutex["details"]["owner_pid"], helper().pid()) << mutex.dump();
    }
    EXPECT_TRUE(hasPid(mutex, helper().pid())) << mutex.dump();

    const auto sem = findObject(snap, "semaphore", helper().value("semaphore"));
    ASSERT_TRUE(sem.is_object()) << snap.dump();
    EXPECT_EQ(sem["family"], "sync");
    EXPECT_EQ(sem["details"]["count"], 2);
    EXPECT_EQ(sem["details"]["maximum"], 5);
    EXPECT_TRUE(hasPid(sem, helper().pid())) << sem.dump();

    // The table: one row per object with its state, the helper's PID and its name.
    RunResult r = runProgram(wineVisiblePath(IPCSCOPE_BIN), {L"list", L"mutex", L"semaphore"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const std::string pid = std::to_string(helper().pid());
    bool mutexRow = false, semRow = false;
    std::size_t start = 0;
    while (start < r.out.size()) {
        std::size_t end = r.out.find('\n', start);
        if (end == std::string::npos) end = r.out.size();
        const std::string line = r.out.substr(start, end - start);
        const bool holder = line.find(pid) != std::string::npos && line.find("ipcscope_sync_helper") != std::string::npos;
        mutexRow = mutexRow || (line.find(helper().value("mutex")) != std::string::npos && line.find("owned") != std::string::npos && holder);
        semRow = semRow || (line.find(helper().value("semaphore")) != std::string::npos && line.find("count 2 of 5") != std::string::npos && holder);
        start = end + 1;
    }
    EXPECT_TRUE(mutexRow) << r.out;
    EXPECT_TRUE(semRow) << r.out;
}

TEST_F(SyncLive, ObjectsGoWithTheirLastHandle) {
    const std::string name = helper().value("semaphore");
    ASSERT_TRUE(findObject(list({L"semaphore"}), "semaphore", name).is_object());
    stopHelper();
    const auto after = list({L"semaphore"});
    ASSERT_TRUE(after.is_object());
    EXPECT_FALSE(findObject(after, "semaphore", name).is_object());
}

TEST_F(SyncLive, LocalRpcEndpointIsAnAlpcPortOrAClearError) {
    const std::string endpoint = helper().value("rpc_endpoint");
    ASSERT_EQ(endpoint.rfind("ipcscope-test-", 0), 0u) << helper().transcript();
    const auto snap = list({L"alpc-port", L"named-pipe"});
    ASSERT_TRUE(snap.is_object());
    bool noAlpc = false;
    for (const auto& e : snap["errors"]) {
        if (e["kind"] != "alpc-port") continue;
        if (e["code"] == "not-supported" && e["message"].get<std::string>().find("no ALPC") != std::string::npos)
            noAlpc = true;
        else
            ADD_FAILURE() << "unexpected error: " << e.dump();
    }
    EXPECT_EQ(noAlpc, underWine()) << snap.dump();
    for (const auto& o : snap["objects"]) {
        if (o["kind"] == "alpc-port") {
            EXPECT_EQ(o["family"], "queues");
        }
    }
    const auto port = findObject(snap, "alpc-port", "\\RPC Control\\" + endpoint);
    if (!noAlpc) {
        // Windows: the endpoint is a named ALPC connection port; its server is the helper.
        ASSERT_TRUE(port.is_object()) << snap.dump();
        EXPECT_EQ(port["details"]["directory"], "\\RPC Control");
        EXPECT_TRUE(heldAs(port, helper().pid(), " server")) << port.dump();
    } else {
        // Wine 8.0: no ALPC, so no port row; its ncalrpc endpoint is the named pipe lrpc\NAME.
        EXPECT_FALSE(port.is_object());
        const auto pipe = findObject(snap, "named-pipe", "lrpc\\" + endpoint);
        ASSERT_TRUE(pipe.is_object()) << snap.dump();
        EXPECT_TRUE(hasPid(pipe, helper().pid())) << pipe.dump();
    }
}
