// The collectors against a fixture proc tree (tests/linux/data/proc): the proc root is
// configurable, both in-process and through IPCSCOPE_PROC_ROOT for the command line.

#include "core/platform.h"
#include "platform/linux/proc_scan.h"
#include "run_cmd.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace ipcscope;

namespace {

const std::string kRoot = std::string(IPCSCOPE_TEST_DATA) + "/proc";

const core::IpcObject* find(const core::Snapshot& s, core::Kind k, const std::string& name) {
    for (const auto& o : s.objects)
        if (o.kind == k && o.name == name) return &o;
    return nullptr;
}

}  // namespace

// The fixture has external linkage: the classes TEST_F derives from it do, and the unity build
// makes this file a header to the compiler (-Wsubobject-linkage).
class FixtureTree : public ::testing::Test {
protected:
    void SetUp() override {
        m_saved = lnx::procRoot();
        lnx::setProcRoot(kRoot);
        const core::Family fams[] = {core::Family::Pipes, core::Family::Mappings, core::Family::Sockets, core::Family::Queues,
                                     core::Family::Sync};
        platform::collect(fams, m_snap);
    }
    void TearDown() override { lnx::setProcRoot(m_saved); }
    core::Snapshot m_snap;
    std::string m_saved;
};

TEST_F(FixtureTree, WalksFdsOfEveryProcess) {
    auto scan = lnx::ProcScan::run(kRoot);
    EXPECT_EQ(scan.processCount(), 2u);  // 300 has no fd directory: skipped, not denied
    EXPECT_EQ(scan.deniedProcesses(), 0u);
    EXPECT_EQ(scan.pipes().size(), 1u);
    EXPECT_EQ(scan.sockets().size(), 4u);
    EXPECT_EQ(scan.command(100), "writer");
    EXPECT_EQ(scan.fdMode(100, 1), 'w');  // from fdinfo: a fixture link has no mode bits to read
    EXPECT_EQ(scan.fdMode(200, 0), 'r');
    EXPECT_EQ(m_snap.deniedProcesses, 0u);
}

TEST_F(FixtureTree, AnonPipeFlowsFromWriterToReader) {
    const auto* p = find(m_snap, core::Kind::AnonPipe, "pipe:[5000]");
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->pids, (std::vector<std::int64_t>{100, 200}));
    EXPECT_EQ(p->details["flow"], "100 writer -> 200 reader");
    EXPECT_EQ(p->details["writers"], nlohmann::ordered_json::parse("[100]"));
}

TEST_F(FixtureTree, UnixSocketsFromProcTextWithMalformedLineCounted) {
    const auto* l = find(m_snap, core::Kind::UnixSocket, "/run/fixture.sock");
    ASSERT_NE(l, nullptr);
    EXPECT_EQ(l->details["state"], "listen");
    EXPECT_EQ(l->pids, std::vector<std::int64_t>{200});
    const auto* c = find(m_snap, core::Kind::UnixSocket, "socket:[7001]");
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->pids, std::vector<std::int64_t>{100});
    bool counted = false;
    for (const auto& e : m_snap.errors)
        counted = counted || (e.kind == core::Kind::UnixSocket && e.error.code == core::Errc::Malformed);
    EXPECT_TRUE(counted);
}

TEST_F(FixtureTree, SysvSegmentWithHexKeyAndMapper) {
    const auto* s = find(m_snap, core::Kind::SysvShm, "0xabcdef12");
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->size, 4096u);
    EXPECT_EQ(s->details["shmid"], 32769);
    EXPECT_EQ(s->pids, std::vector<std::int64_t>{100});
}

TEST_F(FixtureTree, SysvQueueWithCountsAndLastSenderAndReceiver) {
    const auto* q = find(m_snap, core::Kind::SysvMsg, "0x1234abcd");
    ASSERT_NE(q, nullptr);
    EXPECT_EQ(q->family(), core::Family::Queues);
    EXPECT_EQ(q->size, 16u);
    EXPECT_EQ(q->details["msqid"], 7);
    EXPECT_EQ(q->details["messages"], 2);
    EXPECT_EQ(q->details["perms"], "0640");
    EXPECT_EQ(q->details["last_receive"], "2025-11-26T10:00:10.000Z");
    // The last sender and receiver are live processes of the tree: shown as holders.
    EXPECT_EQ(q->pids, (std::vector<std::int64_t>{100, 200}));
    ASSERT_EQ(q->holders.size(), 2u);
    EXPECT_EQ(q->holders[0].how, "last msgsnd");
    EXPECT_EQ(q->holders[0].command, "writer");
}

TEST_F(FixtureTree, SysvSemaphoreSetWithoutLiveValues) {
    const auto* s = find(m_snap, core::Kind::SysvSem, "0xfffffffb");
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->family(), core::Family::Sync);
    EXPECT_EQ(s->details["semid"], 9);
    EXPECT_EQ(s->details["nsems"], 3);
    EXPECT_EQ(s->details["uid"], 1000);
    EXPECT_TRUE(s->details["last_op"].is_null());
    EXPECT_FALSE(s->details.contains("values"));  // semctl only on the live kernel
}

TEST_F(FixtureTree, MemfdKnownOnlyFromMaps) {
    const auto* m = find(m_snap, core::Kind::Memfd, "memfd:fixture-buffer");
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(m->pids, std::vector<std::int64_t>{100});
    EXPECT_EQ(m->details["mapped_bytes"], 0x2000);
}

TEST_F(FixtureTree, TcpListenerAndNetbiosNameService) {
    const auto* t = find(m_snap, core::Kind::TcpSocket, "127.0.0.1:8080");
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->pids, std::vector<std::int64_t>{100});
    const auto* u = find(m_snap, core::Kind::UdpSocket, "0.0.0.0:137");
    ASSERT_NE(u, nullptr);
    EXPECT_EQ(u->details["netbios"], "netbios-name");
    EXPECT_EQ(u->pids, std::vector<std::int64_t>{200});
}

TEST(FixtureTreeCli, ProcRootFromTheEnvironment) {
    auto r = test::runCmd({IPCSCOPE_BIN, "list", "anon-pipe", "--json"}, 60, {"IPCSCOPE_PROC_ROOT=" + kRoot});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    ASSERT_EQ(j["objects"].size(), 1u) << r.out;
    EXPECT_EQ(j["objects"][0]["details"]["flow"], "100 writer -> 200 reader");
}
