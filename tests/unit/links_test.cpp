#include "core/links.h"
#include "test_objects.h"

#include <gtest/gtest.h>

using namespace ipcscope::core;
using ipcscope::test::object;

namespace {

Snapshot snapshot() {
    Snapshot s;
    // A FIFO between a writer and a reader.
    s.objects.push_back(object(Kind::Fifo, "/tmp/q", {{10, "writer", "fd 3 w"}, {20, "reader", "fd 4 r"}}));
    // A Unix socket pair: each end is its own object, the peer's holders in peer_pids.
    auto a = object(Kind::UnixSocket, "/run/s", {{10, "writer", "fd 5"}});
    a.details["peer_pids"] = nlohmann::ordered_json::array({30});
    s.objects.push_back(a);
    auto b = object(Kind::UnixSocket, "", {{30, "server", "fd 6"}});
    b.details["peer_pids"] = nlohmann::ordered_json::array({10});
    s.objects.push_back(b);
    // A loopback TCP connection, both ends.
    auto c = object(Kind::TcpSocket, "127.0.0.1:40000 -> 127.0.0.1:5432", {{10, "writer", "fd 7"}});
    c.details["local"] = "127.0.0.1:40000";
    c.details["remote"] = "127.0.0.1:5432";
    s.objects.push_back(c);
    auto d = object(Kind::TcpSocket, "127.0.0.1:5432 -> 127.0.0.1:40000", {{40, "postgres", "fd 8"}});
    d.details["local"] = "127.0.0.1:5432";
    d.details["remote"] = "127.0.0.1:40000";
    s.objects.push_back(d);
    // A connection to another host is not a local link.
    auto e = object(Kind::TcpSocket, "10.0.0.1:1 -> 10.0.0.2:2", {{10, "writer", "fd 9"}});
    e.details["local"] = "10.0.0.1:1";
    e.details["remote"] = "10.0.0.2:2";
    s.objects.push_back(e);
    return s;
}

}  // namespace

TEST(Links, ProcessesWithCommandsAndCounts) {
    const Snapshot s = snapshot();
    LinkIndex idx(s);
    ASSERT_EQ(idx.processes().size(), 4u);
    const ProcessInfo* w = idx.process(10);
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->command, "writer");
    EXPECT_EQ(w->objects, 4u);
    EXPECT_EQ(idx.process(99), nullptr);
}

TEST(Links, OtherEndsOfEachChannel) {
    const Snapshot s = snapshot();
    LinkIndex idx(s);
    const auto links = idx.linksOf(10);
    ASSERT_EQ(links.size(), 4u);
    EXPECT_EQ(links[0].object->name, "/tmp/q");
    EXPECT_EQ(links[0].how, "fd 3 w");
    EXPECT_EQ(links[0].others, (std::vector<std::int64_t>{20}));
    EXPECT_EQ(links[1].others, (std::vector<std::int64_t>{30}));  // the Unix socket's peer
    EXPECT_EQ(links[2].others, (std::vector<std::int64_t>{40}));  // loopback TCP
    EXPECT_TRUE(links[3].others.empty()) << "a remote host is not a process here";
    // And from the other side.
    const auto server = idx.linksOf(40);
    ASSERT_EQ(server.size(), 1u);
    EXPECT_EQ(server[0].others, (std::vector<std::int64_t>{10}));
    EXPECT_TRUE(idx.linksOf(12345).empty());
}

// A file every process maps read-only (a system cache) links nobody; one mapping that somebody
// writes links its holders.
TEST(Links, ReadOnlySharedFileMappingIsNoChannel) {
    Snapshot s;
    s.objects.push_back(object(Kind::SharedFileMapping, "/usr/lib/gconv/gconv-modules.cache",
                               {{10, "a", "mmap r--s 28.0 KiB"}, {20, "b", "mmap r--s 28.0 KiB"}}));
    s.objects.push_back(object(Kind::SharedFileMapping, "/dev/shm/ring", {{10, "a", "mmap rw-s 4.0 KiB"}, {30, "c", "mmap r--s 4.0 KiB"}}));
    const LinkIndex index(s);
    const auto links = index.linksOf(10);
    ASSERT_EQ(links.size(), 2u);
    for (const auto& l : links) {
        if (l.object->name == "/dev/shm/ring") EXPECT_EQ(l.others, std::vector<std::int64_t>{30});
        else EXPECT_TRUE(l.others.empty()) << l.object->name;
    }
}
