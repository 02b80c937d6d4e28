#include "core/collect.h"
#include "core/model.h"

#include <gtest/gtest.h>

using namespace ipcscope::core;

TEST(Capabilities, KindsExistWhereTheyShould) {
    EXPECT_TRUE(kindSupported(Kind::NamedPipe, Platform::Windows));
    EXPECT_FALSE(kindSupported(Kind::NamedPipe, Platform::Linux));
    EXPECT_TRUE(kindSupported(Kind::Fifo, Platform::Linux));
    EXPECT_FALSE(kindSupported(Kind::Fifo, Platform::Windows));
    EXPECT_TRUE(kindSupported(Kind::Mailslot, Platform::Windows));
    EXPECT_FALSE(kindSupported(Kind::Mailslot, Platform::Linux));
    EXPECT_TRUE(kindSupported(Kind::ClipboardFormat, Platform::Linux));
    EXPECT_TRUE(kindSupported(Kind::ClipboardFormat, Platform::Windows));
    for (Kind k : kAllKinds) EXPECT_FALSE(kindSupported(k, Platform::Unsupported)) << kindName(k);
}

TEST(Capabilities, FamiliesFollowTheirKinds) {
    EXPECT_TRUE(familySupported(Family::Pipes, Platform::Linux));
    EXPECT_FALSE(familySupported(Family::Mailslots, Platform::Linux));
    EXPECT_FALSE(familySupported(Family::Windows, Platform::Linux));
    for (Family f : kAllFamilies) EXPECT_TRUE(familySupported(f, Platform::Windows)) << familyName(f);
    EXPECT_EQ(kindsOf(Family::Queues, Platform::Windows), std::vector<Kind>{Kind::AlpcPort});
    EXPECT_EQ(kindsOf(Family::Sync, Platform::Windows), (std::vector<Kind>{Kind::Event, Kind::Mutex, Kind::Semaphore}));
    EXPECT_EQ(kindsOf(Family::Sync, Platform::Linux), std::vector<Kind>{Kind::SysvSem});
    EXPECT_TRUE(familySupported(Family::Queues, Platform::Linux));
    EXPECT_TRUE(familySupported(Family::Sync, Platform::Linux));
    EXPECT_TRUE(familySupported(Family::Services, Platform::Linux));
    EXPECT_EQ(familyOf(Kind::PosixMq), Family::Queues);
    EXPECT_EQ(familyOf(Kind::SysvSem), Family::Sync);
    EXPECT_EQ(familyOf(Kind::DbusName), Family::Services);
    const auto pipes = kindsOf(Family::Pipes, Platform::Linux);
    ASSERT_EQ(pipes.size(), 3u);
    EXPECT_EQ(pipes[0], Kind::Fifo);
}

TEST(Names, RoundTripEveryKindAndFamily) {
    for (Kind k : kAllKinds) {
        auto parsed = parseKind(kindName(k));
        ASSERT_TRUE(parsed) << kindName(k);
        EXPECT_EQ(*parsed, k);
    }
    for (Family f : kAllFamilies) {
        auto parsed = parseFamily(familyName(f));
        ASSERT_TRUE(parsed);
        EXPECT_EQ(*parsed, f);
    }
    EXPECT_FALSE(parseKind("pipe"));
    EXPECT_FALSE(parseFamily(""));
    EXPECT_EQ(kindName(Kind::UnixSocket), "unix-socket");
    EXPECT_EQ(familyOf(Kind::SysvShm), Family::Mappings);
}

TEST(Selection, ParsesFamiliesAndKinds) {
    auto sel = parseSelection({"pipes", "udp"});
    ASSERT_TRUE(sel);
    EXPECT_TRUE(sel->wantsKind(Kind::Fifo));
    EXPECT_TRUE(sel->wantsKind(Kind::UdpSocket));
    EXPECT_FALSE(sel->wantsKind(Kind::TcpSocket));
    const auto fams = sel->effectiveFamilies();
    ASSERT_EQ(fams.size(), 2u);
    EXPECT_EQ(fams[0], Family::Pipes);
    EXPECT_EQ(fams[1], Family::Sockets);
}

TEST(Selection, EmptyMeansEverything) {
    auto sel = parseSelection({});
    ASSERT_TRUE(sel);
    EXPECT_EQ(sel->effectiveFamilies().size(), kAllFamilies.size());
    for (Kind k : kAllKinds) EXPECT_TRUE(sel->wantsKind(k));
}

TEST(Selection, UnknownWordIsAnInvalidArgument) {
    auto sel = parseSelection({"pipes", "bogus"});
    ASSERT_FALSE(sel);
    EXPECT_EQ(sel.error().code, Errc::InvalidArgument);
    EXPECT_NE(sel.error().message().find("'bogus'"), std::string::npos);
}

TEST(Object, HoldersKeepPidsSortedAndUnique) {
    IpcObject o;
    o.addHolder({30, "c", "fd 1"});
    o.addHolder({10, "a", "fd 2"});
    o.addHolder({30, "c", "fd 4"});
    o.addHolder({10, "a", "fd 2"});
    EXPECT_EQ(o.pids, (std::vector<std::int64_t>{10, 30}));
    EXPECT_EQ(o.holders.size(), 3u);
}

TEST(Time, IsoUtcHasMilliseconds) {
    using namespace std::chrono;
    const system_clock::time_point t{milliseconds(1764151200123LL)};
    EXPECT_EQ(isoUtc(t), "2025-11-26T10:00:00.123Z");
    EXPECT_EQ(isoUtc(system_clock::time_point{}), "1970-01-01T00:00:00.000Z");
}

TEST(Snapshot, DeepLookOnlyWhenAskedAndOnlyWhereTheNameMatches) {
    Snapshot s;
    EXPECT_FALSE(s.wantsDeepLook("anything"));
    s.deep = true;
    EXPECT_TRUE(s.wantsDeepLook("anything"));
    s.deepMatch = "Spool";
    EXPECT_TRUE(s.wantsDeepLook("spoolss"));
    EXPECT_TRUE(s.wantsDeepLook("my-SPOOL-pipe"));
    EXPECT_FALSE(s.wantsDeepLook("lsass"));
}
