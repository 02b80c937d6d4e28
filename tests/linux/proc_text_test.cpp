#include "platform/linux/proc_text.h"

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

TEST(Maps, KeepsSharedLinesWithPathsAndFlags) {
    const char* text =
        "55d0c000-55d0d000 r--p 00000000 fe:00 1234                       /usr/bin/cat\n"
        "7f0000000000-7f0000003000 rw-s 00000000 00:1a 5678                       /dev/shm/demo shm\n"
        "7f0000003000-7f0000004000 rw-s 00000000 00:01 98307                      /SYSV0000162e (deleted)\n"
        "7f0000004000-7f0000005000 r--s 00001000 00:01 4242                       /memfd:wayland (deleted)\n"
        "7f0000005000-7f0000006000 rw-s 00000000 00:00 0 \n"
        "7ffd0000-7ffd1000 rw-p 00000000 00:00 0                          [stack]\n";
    std::size_t bad = 9;
    auto v = parseMaps(text, true, &bad);
    EXPECT_EQ(bad, 0u);
    ASSERT_EQ(v.size(), 4u);
    EXPECT_EQ(v[0].path, "/dev/shm/demo shm");
    EXPECT_EQ(v[0].end - v[0].start, 0x3000u);
    EXPECT_EQ(v[0].devMinor, 0x1au);
    EXPECT_TRUE(v[0].shared());
    EXPECT_EQ(v[1].path, "/SYSV0000162e");
    EXPECT_TRUE(v[1].deleted);
    EXPECT_EQ(v[1].inode, 98307u);
    EXPECT_EQ(v[2].offset, 0x1000u);
    EXPECT_EQ(std::string(v[2].perms), "r--s");
    EXPECT_EQ(v[3].path, "");
    EXPECT_EQ(parseMaps(text, false).size(), 6u);
}

TEST(Maps, CountsMalformedLines) {
    const char* text =
        "zzzz-7f00 rw-s 00000000 00:1a 1 /a\n"
        "7f00-7e00 rw-s 00000000 00:1a 1 /end-before-start\n"
        "7f00-7f10 rw-s 00000000 001a 1 /nodevcolon\n"
        "7f00-7f10 rw-s\n"
        "7f00\n"
        "7f00-7f10 rw-s 00000000 00:1a 7 /ok\n";
    std::size_t bad = 0;
    auto v = parseMaps(text, true, &bad);
    EXPECT_EQ(bad, 5u);
    ASSERT_EQ(v.size(), 1u);
    EXPECT_EQ(v[0].path, "/ok");
}

TEST(SysvShm, KeyIsSignedDecimalInTheText) {
    const char* text =
        "       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime                   rss                  swap\n"
        "      5678          3   600                 65536  4242  4243      1     0     0     0     0 1764151200          0 1764151100                  4096                     0\n"
        " -1412567278         4  1600                  4096   100   101      0  1000  1000  1000  1000          0          0 1764151100                     0                     0\n"
        "         0          5   666                   100    10    11      2     0     0     0     0          0          0          0\n";
    std::size_t bad = 9;
    auto v = parseSysvShm(text, &bad);
    EXPECT_EQ(bad, 0u);
    ASSERT_EQ(v.size(), 3u);
    EXPECT_EQ(formatSysvKey(v[0].key), "0x0000162e");
    EXPECT_EQ(v[0].size, 65536u);
    EXPECT_EQ(v[0].cpid, 4242);
    EXPECT_EQ(v[0].lpid, 4243);
    EXPECT_EQ(v[0].nattch, 1u);
    EXPECT_EQ(v[0].perms, 0600u);
    EXPECT_EQ(v[0].rss, 4096u);
    EXPECT_EQ(formatSysvKey(v[1].key), "0xabcdef12");
    EXPECT_EQ(v[1].perms, 01600u);
    EXPECT_EQ(v[1].uid, 1000u);
    EXPECT_EQ(v[2].key, 0u);
    EXPECT_FALSE(v[2].rss);
}

TEST(SysvShm, CountsMalformedLines) {
    const char* text =
        "       key      shmid perms size cpid lpid nattch uid gid cuid cgid atime dtime ctime\n"
        "      1 2 600 10 1 1 0 0 0 0 0 0 0\n"                     // too short
        "      x 2 600 10 1 1 0 0 0 0 0 0 0 0\n"                   // key not a number
        "      99999999999 2 600 10 1 1 0 0 0 0 0 0 0 0\n"         // key out of range
        "      1 2 680 10 1 1 0 0 0 0 0 0 0 0\n"                   // perms not octal
        "      7 8 600 10 1 1 0 0 0 0 0 0 0 0\n";
    std::size_t bad = 0;
    auto v = parseSysvShm(text, &bad);
    EXPECT_EQ(bad, 4u);
    ASSERT_EQ(v.size(), 1u);
    EXPECT_EQ(v[0].shmid, 8u);
}

TEST(SysvMsg, QueuesWithKeysCountsAndLastPids) {
    const char* text =
        "       key      msqid perms      cbytes       qnum lspid lrpid   uid   gid  cuid  cgid      stime      rtime      ctime\n"
        " 305441741          0   640          16          2 29562     0     0     0     0     0 1796143482          0 1796143482\n"
        "         0          1  1600           0          0     0     0  1000   100  1000   100          0          0 1796143400\n";
    std::size_t bad = 9;
    auto v = parseSysvMsg(text, &bad);
    EXPECT_EQ(bad, 0u);
    ASSERT_EQ(v.size(), 2u);
    EXPECT_EQ(formatSysvKey(v[0].key), "0x1234abcd");
    EXPECT_EQ(v[0].msqid, 0u);
    EXPECT_EQ(v[0].perms, 0640u);
    EXPECT_EQ(v[0].cbytes, 16u);
    EXPECT_EQ(v[0].qnum, 2u);
    EXPECT_EQ(v[0].lspid, 29562);
    EXPECT_EQ(v[0].lrpid, 0);
    EXPECT_EQ(v[0].stime, 1796143482);
    EXPECT_EQ(v[1].key, 0u);
    EXPECT_EQ(v[1].perms, 01600u);
    EXPECT_EQ(v[1].uid, 1000u);
    EXPECT_EQ(v[1].gid, 100u);
}

TEST(SysvMsg, ColumnsAreFoundByTheirHeaderAndBadLinesCounted) {
    // A reordered header with an extra column still reads; short and garbled lines are counted.
    const char* text =
        "  msqid       key perms extra cbytes qnum lspid lrpid uid gid cuid cgid stime rtime ctime\n"
        "      3        -1   600     x     10    1     5     6   0   0    0    0     0     0     0\n"
        "      4        12   600     x     10\n"
        "      5        12   999     x     10    1     5     6   0   0    0    0     0     0     0\n";
    std::size_t bad = 0;
    auto v = parseSysvMsg(text, &bad);
    EXPECT_EQ(bad, 2u);
    ASSERT_EQ(v.size(), 1u);
    EXPECT_EQ(v[0].msqid, 3u);
    EXPECT_EQ(formatSysvKey(v[0].key), "0xffffffff");
    EXPECT_EQ(v[0].lrpid, 6);
}

TEST(SysvMsg, UnknownHeaderMakesEveryLineBad) {
    std::size_t bad = 0;
    auto v = parseSysvMsg("key id\n1 2\n3 4\n", &bad);
    EXPECT_TRUE(v.empty());
    EXPECT_EQ(bad, 2u);
    EXPECT_TRUE(parseSysvMsg("", &bad).empty());
    EXPECT_EQ(bad, 0u);
}

TEST(SysvSem, SetsWithKeysAndCounts) {
    const char* text =
        "       key      semid perms      nsems   uid   gid  cuid  cgid      otime      ctime\n"
        "        -5          0   600          3     0     0     0     0          0 1796143482\n"
        "      5679          2   666        250  1000  1000     0     0 1796143490 1796143482\n"
        "      5680          x   666        250  1000  1000     0     0 1796143490 1796143482\n";
    std::size_t bad = 0;
    auto v = parseSysvSem(text, &bad);
    EXPECT_EQ(bad, 1u);
    ASSERT_EQ(v.size(), 2u);
    EXPECT_EQ(formatSysvKey(v[0].key), "0xfffffffb");
    EXPECT_EQ(v[0].nsems, 3u);
    EXPECT_EQ(v[0].perms, 0600u);
    EXPECT_EQ(v[0].otime, 0);
    EXPECT_EQ(formatSysvKey(v[1].key), "0x0000162f");
    EXPECT_EQ(v[1].semid, 2u);
    EXPECT_EQ(v[1].nsems, 250u);
    EXPECT_EQ(v[1].uid, 1000u);
    EXPECT_EQ(v[1].otime, 1796143490);
}

TEST(MqueueStatus, StatusLineOfAQueueFile) {
    auto s = parseMqueueStatus("QSIZE:129        NOTIFY:2     SIGNO:10    NOTIFY_PID:4242  \n");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->qsize, 129u);
    EXPECT_EQ(s->notify, 2);
    EXPECT_EQ(s->signo, 10);
    EXPECT_EQ(s->notifyPid, 4242);
    EXPECT_FALSE(parseMqueueStatus(""));
    EXPECT_FALSE(parseMqueueStatus("NOTIFY:0 SIGNO:0"));  // no size
    EXPECT_FALSE(parseMqueueStatus("QSIZE:x NOTIFY:0"));
    EXPECT_FALSE(parseMqueueStatus("QSIZE 5"));
}

TEST(ProcNetInet, Ipv4AndIpv6Endpoints) {
    const char* tcp =
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
        "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0\n"
        "   1: 0100007F:C350 0100007F:1F90 01 0000000A:00000014 00:00000000 00000000  1000        0 4243 1\n";
    std::size_t bad = 9;
    auto v = parseProcNetInet(tcp, &bad);
    EXPECT_EQ(bad, 0u);
    ASSERT_EQ(v.size(), 2u);
    EXPECT_FALSE(v[0].v6);
    EXPECT_EQ(formatEndpoint(v[0].local, false, v[0].localPort), "127.0.0.1:8080");
    EXPECT_EQ(tcpStateName(v[0].state), "listen");
    EXPECT_EQ(v[0].inode, 4242u);
    EXPECT_EQ(formatEndpoint(v[1].remote, false, v[1].remotePort), "127.0.0.1:8080");
    EXPECT_EQ(v[1].localPort, 50000);
    EXPECT_EQ(v[1].txQueue, 10u);
    EXPECT_EQ(v[1].rxQueue, 20u);
    EXPECT_EQ(v[1].uid, 1000u);

    const char* udp6 =
        "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n"
        "   0: 00000000000000000000000001000000:008A 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 777 2 0000000000000000 0\n"
        "   1: 00000000000000000000000000000000:0089 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 778 2 0000000000000000 0\n";
    auto u = parseProcNetInet(udp6, &bad);
    EXPECT_EQ(bad, 0u);
    ASSERT_EQ(u.size(), 2u);
    EXPECT_TRUE(u[0].v6);
    EXPECT_EQ(formatEndpoint(u[0].local, true, u[0].localPort), "[::1]:138");
    EXPECT_EQ(formatEndpoint(u[1].local, true, u[1].localPort), "[::]:137");
}

TEST(ProcNetInet, CountsMalformedLines) {
    const char* text =
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
        "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0\n"   // no inode
        "   1: 0100007F1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1\n"  // no colon
        "   2: 0100007F:1FFFFF 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1\n"  // port too big
        "   3: 0100007F:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1\n"  // mixed widths
        "   4 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1\n"  // no sl colon
        "   5: 0100007F:1F90 00000000:0000 0A 0000000000000000 00:00000000 00000000     0        0 1\n"  // queues without colon
        "   6: 0100007F:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 9\n";
    std::size_t bad = 0;
    auto v = parseProcNetInet(text, &bad);
    EXPECT_EQ(bad, 6u);
    ASSERT_EQ(v.size(), 1u);
    EXPECT_EQ(v[0].localPort, 22);
}
