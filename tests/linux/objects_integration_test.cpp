// Real pipes, socket pairs, shared memory and TCP/UDP endpoints created by the test and held by
// child processes; ipcscope must report each with the right kind, name, size and PIDs.

#include "test_util.h"

#include <arpa/inet.h>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <random>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

using namespace ipcscope::test;

namespace {

std::uint64_t inodeOf(int fd) {
    struct stat st {};
    return ::fstat(fd, &st) == 0 ? st.st_ino : 0;
}

nlohmann::json byInode(const nlohmann::json& snap, const std::string& kind, std::uint64_t inode) {
    if (!snap.is_object()) return nullptr;
    for (const auto& o : snap["objects"])
        if (o["kind"] == kind && o["details"].contains("inode") && o["details"]["inode"] == inode) return o;
    return nullptr;
}

std::vector<long long> ints(const nlohmann::json& a) {
    std::vector<long long> v;
    if (a.is_array())
        for (const auto& x : a) v.push_back(x.get<long long>());
    return v;
}

// A loopback socket of the given type bound to an ephemeral port; returns fd and port.
int loopbackSocket(int type, std::uint16_t& port) {
    int s = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (s < 0 || ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) != 0)
        return -1;
    port = ntohs(a.sin_port);
    return s;
}

}  // namespace

TEST(AnonPipes, WriterAndReaderInDifferentProcesses) {
    int p[2];
    ASSERT_EQ(::pipe(p), 0);
    const auto inode = inodeOf(p[0]);
    Holder writer([&] { return ::close(p[0]) == 0; });
    Holder reader([&] { return ::close(p[1]) == 0; });
    ::close(p[0]);
    ::close(p[1]);
    ASSERT_TRUE(writer.ready() && reader.ready());

    const auto obj = byInode(listJson({"anon-pipe"}), "anon-pipe", inode);
    ASSERT_TRUE(obj.is_object()) << "pipe " << inode << " not reported";
    EXPECT_EQ(obj["name"], "pipe:[" + std::to_string(inode) + "]");
    EXPECT_EQ(ints(obj["pids"]), (std::vector<long long>{std::min(writer.pid(), reader.pid()), std::max(writer.pid(), reader.pid())}));
    EXPECT_EQ(ints(obj["details"]["writers"]), std::vector<long long>{writer.pid()});
    EXPECT_EQ(ints(obj["details"]["readers"]), std::vector<long long>{reader.pid()});
    EXPECT_EQ(obj["details"]["flow"].get<std::string>().find(std::to_string(writer.pid())), 0u) << obj["details"]["flow"];
}

TEST(AnonPipes, ThreeProcessesFormAChain) {
    int a[2], b[2];
    ASSERT_EQ(::pipe(a), 0);
    ASSERT_EQ(::pipe(b), 0);
    const auto ia = inodeOf(a[0]), ib = inodeOf(b[0]);
    Holder first([&] { return ::close(a[0]) == 0 && ::close(b[0]) == 0 && ::close(b[1]) == 0; });
    Holder middle([&] { return ::close(a[1]) == 0 && ::close(b[0]) == 0; });
    Holder last([&] { return ::close(a[0]) == 0 && ::close(a[1]) == 0 && ::close(b[1]) == 0; });
    for (int fd : {a[0], a[1], b[0], b[1]}) ::close(fd);
    ASSERT_TRUE(first.ready() && middle.ready() && last.ready());

    const auto snap = listJson({"anon-pipe"});
    const std::vector<long long> chain{first.pid(), middle.pid(), last.pid()};
    for (auto ino : {ia, ib}) {
        const auto obj = byInode(snap, "anon-pipe", ino);
        ASSERT_TRUE(obj.is_object()) << ino;
        EXPECT_EQ(ints(obj["details"]["chain_pids"]), chain) << obj.dump();
    }
}

TEST(AnonPipes, ShellPipelineShowsUpAsAChain) {
    // sh runs `sleep | cat | cat`; the three commands are connected by two pipes.
    const pid_t sh = ::fork();
    if (sh == 0) {
        ::setpgid(0, 0);
        int devnull = ::open("/dev/null", O_RDWR);
        ::dup2(devnull, 0);
        ::dup2(devnull, 1);
        ::execlp("sh", "sh", "-c", "sleep 20 | cat | cat", static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ASSERT_GT(sh, 0);
    // The shell forks its children asynchronously: poll until the chain is complete (bounded).
    nlohmann::json found;
    for (int i = 0; i < 50 && !found.is_object(); ++i) {
        ::usleep(100 * 1000);
        const auto snap = listJson({"anon-pipe"});
        if (!snap.is_object()) continue;
        for (const auto& o : snap["objects"]) {
            if (!o["details"].contains("chain")) continue;
            const auto text = o["details"]["chain"].get<std::string>();
            if (text.find("sleep | ") != std::string::npos && text.find(" cat | ") != std::string::npos &&
                ints(o["details"]["chain_pids"]).size() == 3) {
                found = o;
                break;
            }
        }
    }
    ::kill(-sh, SIGKILL);
    ::waitpid(sh, nullptr, 0);
    ASSERT_TRUE(found.is_object()) << "no sleep | cat | cat chain reported";
    EXPECT_EQ(found["family"], "pipes");
}

TEST(UnixSockets, SocketPairAcrossProcessesShowsPeerAndQueue) {
    int sv[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    const auto i0 = inodeOf(sv[0]), i1 = inodeOf(sv[1]);
    ASSERT_EQ(::write(sv[0], std::string(100, 'x').data(), 100), 100);  // unread by the other end
    Holder a([&] { return ::close(sv[1]) == 0; });
    Holder b([&] { return ::close(sv[0]) == 0; });
    ::close(sv[0]);
    ::close(sv[1]);
    ASSERT_TRUE(a.ready() && b.ready());

    const auto snap = listJson({"unix-socket"});
    const auto o0 = byInode(snap, "unix-socket", i0), o1 = byInode(snap, "unix-socket", i1);
    ASSERT_TRUE(o0.is_object() && o1.is_object());
    EXPECT_EQ(o0["name"], "socket:[" + std::to_string(i0) + "]");
    EXPECT_EQ(o0["details"]["type"], "stream");
    EXPECT_EQ(o0["details"]["state"], "connected");
    EXPECT_EQ(ints(o0["pids"]), std::vector<long long>{a.pid()});
    EXPECT_EQ(o0["details"]["peer"], i1);
    EXPECT_EQ(ints(o0["details"]["peer_pids"]), std::vector<long long>{b.pid()});
    EXPECT_EQ(o1["details"]["peer"], i0);
    EXPECT_EQ(o1["details"]["recv_queue"], 100);
    EXPECT_GT(o0["details"]["send_queue"].get<long long>(), 0);
}

TEST(UnixSockets, ListenerAndConnectedClientAcrossProcesses) {
    TempDir dir;
    const std::string path = dir.path() + "/server.sock";
    int ls = ::socket(AF_UNIX, SOCK_SEQPACKET, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
    ASSERT_EQ(::bind(ls, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(::listen(ls, 8), 0);
    int cs = ::socket(AF_UNIX, SOCK_SEQPACKET, 0);
    ASSERT_EQ(::connect(cs, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);  // left pending: not accepted
    const auto lino = inodeOf(ls), cino = inodeOf(cs);
    Holder server([&] { return ::close(cs) == 0; });
    Holder client([&] { return ::close(ls) == 0; });
    ::close(ls);
    ::close(cs);
    ASSERT_TRUE(server.ready() && client.ready());

    const auto snap = listJson({"pipes"});
    const auto l = byInode(snap, "unix-socket", lino), c = byInode(snap, "unix-socket", cino);
    ASSERT_TRUE(l.is_object() && c.is_object());
    EXPECT_EQ(l["name"], path);
    EXPECT_EQ(l["details"]["state"], "listen");
    EXPECT_EQ(l["details"]["type"], "seqpacket");
    EXPECT_EQ(l["details"]["backlog"], 1);
    EXPECT_EQ(l["details"]["pending"].size(), 1u);
    EXPECT_EQ(ints(l["pids"]), std::vector<long long>{server.pid()});
    EXPECT_EQ(c["details"]["state"], "connected");
    EXPECT_EQ(ints(c["pids"]), std::vector<long long>{client.pid()});
    // Not accepted yet: the listener lists the client, and the client names the listener.
    EXPECT_EQ(l["details"]["pending"][0], cino);
    EXPECT_EQ(c["details"]["accept_pending"], true);
    EXPECT_EQ(c["details"]["peer_name"], path);
    EXPECT_EQ(ints(c["details"]["peer_pids"]), std::vector<long long>{server.pid()});
}

TEST(Mappings, PosixShmWithKnownSize) {
    const std::string name = "/" + uniqueName("ipcscope-test-shm-");
    Holder h([&] {
        int fd = ::shm_open(name.c_str(), O_CREAT | O_RDWR, 0640);
        if (fd < 0 || ::ftruncate(fd, 12345) != 0) return false;
        void* p = ::mmap(nullptr, 12345, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        ::close(fd);  // only the mapping keeps it in use
        return p != MAP_FAILED;
    });
    ASSERT_TRUE(h.ready());
    const auto obj = findObject(listJson({"posix-shm"}), "posix-shm", name);
    ::shm_unlink(name.c_str());
    ASSERT_TRUE(obj.is_object()) << name << " not reported";
    EXPECT_EQ(obj["family"], "mappings");
    EXPECT_EQ(obj["size"], 12345);
    EXPECT_EQ(ints(obj["pids"]), std::vector<long long>{h.pid()});
    EXPECT_EQ(obj["details"]["mode"], "0640");
    EXPECT_EQ(obj["details"]["owner"], "root");
}

TEST(Mappings, SysvShmWithKnownKey) {
    std::random_device rd;
    const key_t key = static_cast<key_t>(0x10000000u | (rd() & 0x0fffffffu));
    const int id = ::shmget(key, 65536, IPC_CREAT | IPC_EXCL | 0600);
    ASSERT_GE(id, 0) << std::strerror(errno);
    Holder h([&] { return ::shmat(id, nullptr, 0) != reinterpret_cast<void*>(-1); });
    ASSERT_TRUE(h.ready());
    char keyText[16];
    std::snprintf(keyText, sizeof keyText, "0x%08x", static_cast<unsigned>(key));
    const auto obj = findObject(listJson({"sysv-shm"}), "sysv-shm", keyText);
    ::shmctl(id, IPC_RMID, nullptr);
    ASSERT_TRUE(obj.is_object()) << keyText << " not reported";
    EXPECT_EQ(obj["size"], 65536);
    EXPECT_EQ(obj["details"]["shmid"], id);
    EXPECT_EQ(obj["details"]["nattch"], 1);
    EXPECT_EQ(obj["details"]["cpid"], ::getpid());
    EXPECT_EQ(obj["details"]["lpid"], h.pid());
    EXPECT_EQ(ints(obj["pids"]), std::vector<long long>{h.pid()});
}

TEST(Mappings, MemfdHeldByFdAndByMappingOnly) {
    const std::string name = uniqueName("ipcscope-test-memfd-");
    Holder byFd([&] {
        int fd = ::memfd_create(name.c_str(), 0);
        return fd >= 0 && ::ftruncate(fd, 3 * 4096) == 0;
    });
    const std::string mappedName = name + "-mapped";
    Holder byMap([&] {
        int fd = ::memfd_create(mappedName.c_str(), 0);
        if (fd < 0 || ::ftruncate(fd, 4096) != 0) return false;
        void* p = ::mmap(nullptr, 4096, PROT_READ, MAP_SHARED, fd, 0);
        ::close(fd);
        return p != MAP_FAILED;
    });
    ASSERT_TRUE(byFd.ready() && byMap.ready());
    const auto snap = listJson({"memfd"});
    const auto a = findObject(snap, "memfd", "memfd:" + name);
    ASSERT_TRUE(a.is_object());
    EXPECT_EQ(a["size"], 3 * 4096);
    EXPECT_EQ(ints(a["pids"]), std::vector<long long>{byFd.pid()});
    const auto b = findObject(snap, "memfd", "memfd:" + mappedName);
    ASSERT_TRUE(b.is_object());
    EXPECT_EQ(ints(b["pids"]), std::vector<long long>{byMap.pid()});
    EXPECT_EQ(b["details"]["holders"][0]["how"].get<std::string>().rfind("mmap r--s", 0), 0u) << b.dump();
}

TEST(Mappings, SharedFileMapping) {
    TempDir dir;
    const std::string path = dir.path() + "/mapped.bin";
    Holder h([&] {
        int fd = ::open(path.c_str(), O_CREAT | O_RDWR, 0600);
        if (fd < 0 || ::ftruncate(fd, 8192) != 0) return false;
        void* p = ::mmap(nullptr, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        ::close(fd);
        return p != MAP_FAILED;
    });
    ASSERT_TRUE(h.ready());
    const auto obj = findObject(listJson({"shared-file-mapping"}), "shared-file-mapping", path);
    ASSERT_TRUE(obj.is_object()) << path;
    EXPECT_EQ(obj["size"], 8192);
    EXPECT_EQ(ints(obj["pids"]), std::vector<long long>{h.pid()});
    EXPECT_EQ(obj["details"]["mapped_bytes"], 8192);
}

TEST(Sockets, TcpListenerAndConnection) {
    std::uint16_t port = 0;
    int ls = loopbackSocket(SOCK_STREAM, port);
    ASSERT_GE(ls, 0);
    ASSERT_EQ(::listen(ls, 4), 0);
    std::uint16_t cport = 0;
    int cs = loopbackSocket(SOCK_STREAM, cport);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    to.sin_port = htons(port);
    ASSERT_EQ(::connect(cs, reinterpret_cast<sockaddr*>(&to), sizeof to), 0);
    Holder server([&] { return ::close(cs) == 0; });
    Holder client([&] { return ::close(ls) == 0; });
    ::close(ls);
    ::close(cs);
    ASSERT_TRUE(server.ready() && client.ready());

    const auto snap = listJson({"tcp"});
    const std::string local = "127.0.0.1:" + std::to_string(port);
    const auto l = findObject(snap, "tcp", local);
    ASSERT_TRUE(l.is_object()) << local;
    EXPECT_EQ(l["family"], "sockets");
    EXPECT_EQ(l["details"]["state"], "listen");
    EXPECT_EQ(l["details"]["backlog"], 1);  // the connection waits for accept()
    EXPECT_EQ(l["details"]["max_backlog"], 4);
    EXPECT_EQ(ints(l["pids"]), std::vector<long long>{server.pid()});
    const auto c = findObject(snap, "tcp", "127.0.0.1:" + std::to_string(cport) + " -> " + local);
    ASSERT_TRUE(c.is_object());
    EXPECT_EQ(c["details"]["state"], "established");
    EXPECT_EQ(ints(c["pids"]), std::vector<long long>{client.pid()});
}

TEST(Sockets, UdpIpv6AndNetbiosDatagramListener) {
    // Port 138 is taken in a network namespace of the child's own, so nothing on the host
    // is disturbed; ipcscope then reads that namespace's /proc/net through nsenter.
    Holder h([&] {
        if (::unshare(CLONE_NEWNET) != 0) return false;
        int s4 = ::socket(AF_INET, SOCK_DGRAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_ANY);
        a.sin_port = htons(138);
        int s6 = ::socket(AF_INET6, SOCK_DGRAM, 0);
        sockaddr_in6 a6{};
        a6.sin6_family = AF_INET6;
        a6.sin6_addr = in6addr_any;  // a fresh namespace's loopback is down: ::1 is not assigned
        a6.sin6_port = htons(5353);
        return s4 >= 0 && ::bind(s4, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && s6 >= 0 &&
               ::bind(s6, reinterpret_cast<sockaddr*>(&a6), sizeof a6) == 0;
    });
    ASSERT_TRUE(h.ready());
    auto r = runCmd({"nsenter", "--net=/proc/" + std::to_string(h.pid()) + "/ns/net", IPCSCOPE_BIN, "list", "udp", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto snap = nlohmann::json::parse(r.out);
    const auto nb = findObject(snap, "udp", "0.0.0.0:138");
    ASSERT_TRUE(nb.is_object()) << r.out;
    EXPECT_EQ(nb["details"]["netbios"], "netbios-datagram");
    EXPECT_EQ(nb["details"]["state"], "unconnected");
    EXPECT_EQ(ints(nb["pids"]), std::vector<long long>{h.pid()});
    const auto v6 = findObject(snap, "udp", "[::]:5353");
    ASSERT_TRUE(v6.is_object());
    EXPECT_EQ(v6["details"]["protocol"], "udp6");
    EXPECT_FALSE(v6["details"].contains("netbios"));
}

TEST(NonRoot, RunAsNobodyWorksAndCountsWhatItCannotSee) {
    ASSERT_EQ(::geteuid(), 0u) << "this test drops to user nobody and needs root to do so";
    TempDir dir;
    ASSERT_EQ(::chmod(dir.path().c_str(), 0755), 0);
    const std::string fifo = dir.path() + "/nobody-fifo";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0666), 0);
    ASSERT_EQ(::chmod(fifo.c_str(), 0666), 0);  // whatever the umask
    // A process of nobody's own, holding a FIFO: a non-root run must still see it.
    // Changing credentials clears the dumpable flag, which would hide /proc/PID/fd from its own
    // user; a process exec'ed as nobody has it set, so set it back.
    Holder own([&] {
        return ::setgid(65534) == 0 && ::setuid(65534) == 0 && ::prctl(PR_SET_DUMPABLE, 1) == 0 &&
               ::open(fifo.c_str(), O_RDWR | O_NONBLOCK) >= 0;
    });
    ASSERT_TRUE(own.ready());
    auto r = runCmd({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", IPCSCOPE_BIN, "list", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto snap = nlohmann::json::parse(r.out);
    EXPECT_EQ(snap["elevated"], false);
    EXPECT_GT(snap["denied_processes"].get<long long>(), 0);
    bool told = false;
    for (const auto& e : snap["errors"])
        if (e["code"] == "permission-denied" && e["message"].get<std::string>().find("run as root") != std::string::npos)
            told = true;
    EXPECT_TRUE(told) << snap["errors"].dump();
    const auto obj = findObject(snap, "fifo", fifo);
    ASSERT_TRUE(obj.is_object());
    EXPECT_EQ(ints(obj["pids"]), std::vector<long long>{own.pid()});
    // The table says it too.
    auto t = runCmd({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", IPCSCOPE_BIN, "list", "pipes"});
    ASSERT_EQ(t.exitCode, 0);
    EXPECT_NE(t.out.find("could not be read (run as root to see them)"), std::string::npos) << t.out;
}

TEST(Churn, ProcessesVanishingMidWalkAreSkippedNotFatal) {
    // A child keeps forking short-lived grandchildren that each hold a pipe for a moment,
    // while snapshots are taken: every snapshot must succeed. Bounded in count and time.
    const pid_t churner = ::fork();
    if (churner == 0) {
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        for (int i = 0; i < 5000 && std::chrono::steady_clock::now() < until; ++i) {
            int p[2];
            if (::pipe(p) != 0) ::_exit(1);
            const pid_t g = ::fork();
            if (g == 0) {
                ::usleep(2000);
                ::_exit(0);
            }
            ::close(p[0]);
            ::close(p[1]);
            if (g > 0) ::waitpid(g, nullptr, 0);
        }
        ::_exit(0);
    }
    ASSERT_GT(churner, 0);
    int ok = 0;
    for (int i = 0; i < 8; ++i) {
        auto r = runCmd({IPCSCOPE_BIN, "list", "pipes", "mappings", "--json"});
        if (r.exitCode == 0 && nlohmann::json::parse(r.out, nullptr, false).is_object()) ++ok;
        else ADD_FAILURE() << "snapshot " << i << " failed: " << r.err;
    }
    ::kill(churner, SIGKILL);
    ::waitpid(churner, nullptr, 0);
    EXPECT_EQ(ok, 8);
}
