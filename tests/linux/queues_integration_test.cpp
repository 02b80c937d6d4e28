// Real System V message queues and semaphore sets with known keys, and POSIX message queues
// held open by child processes or by nobody: ipcscope must report each as `ipcs` does, and
// find POSIX queues whether or not an mqueue file system is mounted.

#include "test_util.h"

#include <cstring>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <map>
#include <mqueue.h>
#include <random>
#include <sstream>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>

using namespace ipcscope::test;

namespace {

key_t randomKey() {
    std::random_device rd;
    return static_cast<key_t>(0x20000000u | (rd() & 0x0fffffffu));
}

std::string keyText(key_t key) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08x", static_cast<unsigned>(key));
    return buf;
}

std::string uniqueQueue() {
    std::random_device rd;
    return "/ipcscope-test-mq-" + std::to_string(::getpid()) + "-" + std::to_string(rd() % 1000000);
}

// One row of `ipcs -q` or `ipcs -s`: key, id, then the numbers after owner and perms
// (used-bytes and messages, or nsems).
struct IpcsRow {
    std::string key;
    long long id = -1;
    std::vector<long long> counts;
    friend bool operator==(const IpcsRow&, const IpcsRow&) = default;
};

std::map<std::string, IpcsRow> ipcs(const char* which) {
    std::map<std::string, IpcsRow> rows;
    auto r = runCmd({"ipcs", which}, 30, {"LC_ALL=C"});
    std::istringstream in(r.out);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream f(line);
        IpcsRow row;
        std::string owner, perms;
        if (!(f >> row.key) || row.key.rfind("0x", 0) != 0) continue;
        if (!(f >> row.id >> owner >> perms)) continue;
        long long n;
        while (f >> n) row.counts.push_back(n);
        rows[row.key + "/" + std::to_string(row.id)] = row;
    }
    return rows;
}

// The same rows from ipcscope's JSON.
std::map<std::string, IpcsRow> fromJson(const nlohmann::json& snap, const std::string& kind) {
    std::map<std::string, IpcsRow> rows;
    for (const auto& o : snap["objects"]) {
        if (o["kind"] != kind) continue;
        const auto& d = o["details"];
        IpcsRow row;
        row.key = d["key"];
        if (kind == "sysv-msg") {
            row.id = d["msqid"];
            row.counts = {d["bytes"].get<long long>(), d["messages"].get<long long>()};
        } else {
            row.id = d["semid"];
            row.counts = {d["nsems"].get<long long>()};
        }
        rows[row.key + "/" + std::to_string(row.id)] = row;
    }
    return rows;
}

struct SysvMessage {
    long type = 1;
    char text[64] = {};
};

}  // namespace

TEST(SysvQueues, ParityWithIpcs) {
    const key_t msgKey = randomKey(), semKey = randomKey();
    const int msq = ::msgget(msgKey, IPC_CREAT | IPC_EXCL | 0640);
    ASSERT_GE(msq, 0) << std::strerror(errno);
    const int sem = ::semget(semKey, 3, IPC_CREAT | IPC_EXCL | 0600);
    if (sem < 0) ::msgctl(msq, IPC_RMID, nullptr);
    ASSERT_GE(sem, 0) << std::strerror(errno);
    SysvMessage m;
    std::strcpy(m.text, "hello");
    ASSERT_EQ(::msgsnd(msq, &m, 5, IPC_NOWAIT), 0);
    ASSERT_EQ(::msgsnd(msq, &m, 11, IPC_NOWAIT), 0);
    ASSERT_EQ(::semctl(sem, 1, SETVAL, 7), 0);
    // A private queue too: ipcs prints its key as 0x00000000.
    const int priv = ::msgget(IPC_PRIVATE, 0600);

    // Other tests on the machine may create or remove objects meanwhile: ipcs runs before and
    // after, and the rows that did not change in between must match exactly.
    const auto msgBefore = ipcs("-q"), semBefore = ipcs("-s");
    const auto snap = listJson({"queues", "sync"});
    const auto msgAfter = ipcs("-q"), semAfter = ipcs("-s");
    ::msgctl(msq, IPC_RMID, nullptr);
    ::semctl(sem, 0, IPC_RMID);
    if (priv >= 0) ::msgctl(priv, IPC_RMID, nullptr);
    ASSERT_TRUE(snap.is_object());

    const auto msgOurs = fromJson(snap, "sysv-msg"), semOurs = fromJson(snap, "sysv-sem");
    std::size_t compared = 0;
    for (const auto& [before, after, ours] :
         {std::tuple{&msgBefore, &msgAfter, &msgOurs}, std::tuple{&semBefore, &semAfter, &semOurs}}) {
        for (const auto& [id, row] : *before) {
            auto a = after->find(id);
            if (a == after->end() || !(a->second == row)) continue;  // changed by someone else meanwhile
            auto o = ours->find(id);
            ASSERT_NE(o, ours->end()) << id << " is listed by ipcs, not by ipcscope";
            EXPECT_EQ(o->second, row) << id;
            ++compared;
        }
    }
    EXPECT_GE(compared, 2u);

    const auto q = findObject(snap, "sysv-msg", keyText(msgKey));
    ASSERT_TRUE(q.is_object()) << keyText(msgKey) << " not reported";
    EXPECT_EQ(q["family"], "queues");
    EXPECT_EQ(q["size"], 16);
    EXPECT_EQ(q["details"]["messages"], 2);
    EXPECT_EQ(q["details"]["perms"], "0640");
    EXPECT_EQ(q["details"]["lspid"], ::getpid());
    EXPECT_TRUE(hasPid(q, ::getpid()));  // the last sender, alive
    if (priv >= 0) EXPECT_TRUE(findObject(snap, "sysv-msg", "private/" + std::to_string(priv)).is_object());

    const auto s = findObject(snap, "sysv-sem", keyText(semKey));
    ASSERT_TRUE(s.is_object()) << keyText(semKey) << " not reported";
    EXPECT_EQ(s["family"], "sync");
    EXPECT_EQ(s["details"]["nsems"], 3);
    EXPECT_EQ(s["details"]["values"], nlohmann::json::parse("[0, 7, 0]"));
}

TEST(PosixMq, HeldQueueWithSizeCountAndLimits) {
    const std::string name = uniqueQueue();
    mq_attr attr{};
    attr.mq_maxmsg = 7;
    attr.mq_msgsize = 128;
    Holder h([&] {
        const mqd_t q = ::mq_open(name.c_str(), O_CREAT | O_EXCL | O_RDWR, 0600, &attr);
        return q != static_cast<mqd_t>(-1) && ::mq_send(q, "12345", 5, 1) == 0 && ::mq_send(q, "abc", 3, 2) == 0 &&
               ::mq_unlink(name.c_str()) == 0;  // held only: no name left in any directory
    });
    ASSERT_TRUE(h.ready());
    const auto snap = listJson({"posix-mq"});
    const auto q = findObject(snap, "posix-mq", name);
    ASSERT_TRUE(q.is_object()) << name << " not reported: " << snap.dump();
    EXPECT_EQ(q["family"], "queues");
    EXPECT_EQ(q["size"], 8);
    EXPECT_EQ(q["details"]["qsize"], 8);
    EXPECT_EQ(q["details"]["messages"], 2);
    EXPECT_EQ(q["details"]["max_messages"], 7);
    EXPECT_EQ(q["details"]["message_size"], 128);
    EXPECT_EQ(q["details"]["mode"], "0600");
    EXPECT_EQ(q["pids"], nlohmann::json::array({h.pid()}));
    EXPECT_EQ(q["details"]["holders"][0]["how"].get<std::string>().substr(0, 3), "fd ");
}

TEST(PosixMq, QueueNobodyHoldsWithAndWithoutAMountedMqueueFs) {
    ASSERT_EQ(::geteuid(), 0u) << "listing queues nobody holds without a mounted mqueue fs needs root";
    const std::string name = uniqueQueue();
    mq_attr attr{};
    attr.mq_maxmsg = 3;
    attr.mq_msgsize = 16;
    const mqd_t q = ::mq_open(name.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0640, &attr);
    ASSERT_NE(q, static_cast<mqd_t>(-1)) << std::strerror(errno);
    ASSERT_EQ(::mq_send(q, "x", 1, 0), 0);
    ::mq_close(q);  // nobody holds it now

    auto check = [&](const nlohmann::json& snap, const char* how) {
        const auto o = findObject(snap, "posix-mq", name);
        ASSERT_TRUE(o.is_object()) << how << ": " << name << " not reported";
        EXPECT_EQ(o["size"], 1) << how;
        EXPECT_EQ(o["details"]["messages"], 1) << how;
        EXPECT_EQ(o["details"]["max_messages"], 3) << how;
        EXPECT_EQ(o["details"]["mode"], "0640") << how;
        EXPECT_TRUE(o["pids"].empty()) << how;
    };
    // However this machine is set up, once in a mount namespace without an mqueue mount (the
    // private mount path) and once with one mounted (the directory path).
    TempDir dir;
    const std::string bin = IPCSCOPE_BIN;
    auto bare = runCmd({"unshare", "-m", "sh", "-c",
                        "for m in $(awk '$3 == \"mqueue\" {print $2}' /proc/self/mounts); "
                        "do umount -l \"$m\" || exit 3; done; exec \"$0\" list posix-mq --json",
                        bin});
    auto mounted = runCmd({"unshare", "-m", "sh", "-c",
                           "mount -t mqueue none \"$1\" && exec \"$0\" list posix-mq --json", bin, dir.path()});
    ::mq_unlink(name.c_str());
    ASSERT_EQ(bare.exitCode, 0) << bare.err;
    ASSERT_EQ(mounted.exitCode, 0) << mounted.err;
    check(nlohmann::json::parse(bare.out, nullptr, false), "private mount");
    check(nlohmann::json::parse(mounted.out, nullptr, false), "mounted mqueue fs");
}

TEST(PosixMq, WithoutRootAndWithoutAMountQueuesNobodyHoldsAreAnErrorEntry) {
    ASSERT_EQ(::geteuid(), 0u) << "this test drops to user nobody and needs root to do so";
    auto r = runCmd({"unshare", "-m", "sh", "-c",
                     "for m in $(awk '$3 == \"mqueue\" {print $2}' /proc/self/mounts); do umount -l \"$m\" || exit 3; done; "
                     "exec setpriv --reuid=65534 --regid=65534 --clear-groups \"$0\" list posix-mq --json",
                     IPCSCOPE_BIN});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto snap = nlohmann::json::parse(r.out, nullptr, false);
    bool told = false;
    for (const auto& e : snap["errors"])
        told = told || (e["kind"] == "posix-mq" && e["code"] == "permission-denied" &&
                        e["message"].get<std::string>().find("no process holds open") != std::string::npos);
    EXPECT_TRUE(told) << snap["errors"].dump();
}
