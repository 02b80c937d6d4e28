#include "linux/proc_text.h"

#include <gtest/gtest.h>

using namespace ipcscope::lnx;

TEST(FdLink, ClassifiesEveryTarget) {
    auto p = parseFdLink("pipe:[12345]");
    EXPECT_EQ(p.type, FdTarget::Type::Pipe);
    EXPECT_EQ(p.inode, 12345u);
    auto s = parseFdLink("socket:[99]");
    EXPECT_EQ(s.type, FdTarget::Type::Socket);
    EXPECT_EQ(s.inode, 99u);
    auto m = parseFdLink("/memfd:ipcscope-test (deleted)");
    EXPECT_EQ(m.type, FdTarget::Type::Memfd);
    EXPECT_EQ(m.text, "ipcscope-test");
    EXPECT_TRUE(m.deleted);
    auto a = parseFdLink("anon_inode:[eventfd]");
    EXPECT_EQ(a.type, FdTarget::Type::AnonInode);
    auto f = parseFdLink("/tmp/a fifo");
    EXPECT_EQ(f.type, FdTarget::Type::Path);
    EXPECT_EQ(f.text, "/tmp/a fifo");
    EXPECT_FALSE(f.deleted);
}

TEST(FdLink, MalformedLinksAreNotPipes) {
    EXPECT_EQ(parseFdLink("pipe:[]").type, FdTarget::Type::Other);
    EXPECT_EQ(parseFdLink("pipe:[12x]").type, FdTarget::Type::Other);
    EXPECT_EQ(parseFdLink("pipe:12").type, FdTarget::Type::Other);
    EXPECT_EQ(parseFdLink("socket:[99999999999999999999999]").type, FdTarget::Type::Other);
    EXPECT_EQ(parseFdLink("").type, FdTarget::Type::Other);
}

TEST(ProcNetUnix, ParsesPathsAbstractAndUnnamed) {
    const char* text =
        "Num       RefCount Protocol Flags    Type St Inode Path\n"
        "0000000000000000: 00000002 00000000 00010000 0001 01 20245 /run/systemd/private\n"
        "0000000000000000: 00000003 00000000 00000000 0001 03 20246 @/tmp/.X11-unix/X0\n"
        "0000000000000000: 00000002 00000000 00000000 0002 01 20247\n"
        "0000000000000000: 00000002 00000000 00000000 0005 03 20248 /tmp/with space/sock\n";
    std::size_t bad = 99;
    auto v = parseProcNetUnix(text, &bad);
    EXPECT_EQ(bad, 0u);
    ASSERT_EQ(v.size(), 4u);
    EXPECT_EQ(v[0].path, "/run/systemd/private");
    EXPECT_EQ(v[0].flags, 0x10000u);
    EXPECT_EQ(unixStateName(v[0].state, true), "listen");
    EXPECT_EQ(v[1].path, "@/tmp/.X11-unix/X0");
    EXPECT_EQ(unixStateName(v[1].state, false), "connected");
    EXPECT_EQ(v[2].path, "");
    EXPECT_EQ(unixTypeName(v[2].type), "dgram");
    EXPECT_EQ(v[3].path, "/tmp/with space/sock");
    EXPECT_EQ(unixTypeName(v[3].type), "seqpacket");
    EXPECT_EQ(v[3].inode, 20248u);
}

TEST(ProcNetUnix, SkipsAndCountsMalformedLines) {
    const char* text =
        "Num       RefCount Protocol Flags    Type St Inode Path\n"
        "garbage\n"
        "0000000000000000: 0000000Z 00000000 00000000 0001 01 1 /x\n"
        "0000000000000000: 00000002 00000000 00000000 0001 01\n"
        "0000000000000000 00000002 00000000 00000000 0001 01 7 /nocolon\n"
        "0000000000000000: 00000002 00000000 00000000 0001 01 8 /good\n";
    std::size_t bad = 0;
    auto v = parseProcNetUnix(text, &bad);
    EXPECT_EQ(bad, 4u);
    ASSERT_EQ(v.size(), 1u);
    EXPECT_EQ(v[0].path, "/good");
    EXPECT_TRUE(parseProcNetUnix("").empty());
}

TEST(Fdinfo, ReadsTheAccessMode) {
    EXPECT_EQ(parseFdinfoMode("pos:\t0\nflags:\t02000000\nmnt_id:\t15\n"), 'r');
    EXPECT_EQ(parseFdinfoMode("pos:\t0\nflags:\t0100001\n"), 'w');
    EXPECT_EQ(parseFdinfoMode("flags:\t02\n"), 'u');
    EXPECT_FALSE(parseFdinfoMode("pos:\t0\n"));
    EXPECT_FALSE(parseFdinfoMode("flags:\t09\n"));
}
