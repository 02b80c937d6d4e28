// Message queues and semaphores: System V message queues and semaphore sets from
// /proc/sysvipc, POSIX message queues from the mqueue file system and the shared fd walk.

#include "platform/linux/collectors.h"

#include <algorithm>
#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <map>
#include <mqueue.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/sem.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <system_error>
#include <thread>
#include <unistd.h>

namespace ipcscope::lnx {
namespace {

// The ipc_perm part that /proc/sysvipc prints for every System V object, in one order.
template <typename Entry>
void addIpcPerm(Details& d, const Entry& e) {
    d.add("owner", userName(e.uid));
    d.add("uid", e.uid);
    d.add("gid", e.gid);
    d.add("cuid", e.cuid);
    d.add("cgid", e.cgid);
    d.add("perms", octalMode(e.perms));
}

constexpr long kMqueueMagic = 0x19800202;  // include/uapi/linux/magic.h MQUEUE_MAGIC
constexpr std::size_t kMaxSemValues = 256;  // per set: semctl calls beyond this are not worth a snapshot

// System V objects have no holders: a process names them by key or id in each call. The last
// process to send, receive or operate is what the kernel remembers; it is shown as a holder
// while it lives.
void addLastUser(const ProcScan& scan, std::int64_t pid, const char* how, core::IpcObject& obj) {
    if (pid <= 0) return;
    const std::string& cmd = scan.command(pid);
    if (!cmd.empty()) obj.addHolder({pid, cmd, how});
}

std::string sysvName(std::uint32_t key, std::uint64_t id) {
    // IPC_PRIVATE objects all share key 0: the id tells them apart.
    return key == 0 ? "private/" + std::to_string(id) : formatSysvKey(key);
}

template <class Entry, class Parse>
std::optional<std::vector<Entry>> readSysv(const ProcScan& scan, const char* file, core::Family family, core::Kind kind,
                                           Parse parse, core::Snapshot& out) {
    const std::string path = scan.root() + "/sysvipc/" + file;
    auto text = readSmallFile(path);
    if (!text) {
        out.errors.push_back({family, kind, core::Error::fromErrno(errno, "cannot read " + path)});
        return std::nullopt;
    }
    std::size_t bad = 0;
    auto entries = parse(*text, &bad);
    if (bad > 0)
        out.errors.push_back({family, kind,
                              core::Error::make(core::Errc::Malformed, std::to_string(bad) + " malformed lines in sysvipc/" +
                                                                           file + " were skipped")});
    return entries;
}

void collectSysvMsg(const ProcScan& scan, core::Snapshot& out) {
    auto entries = readSysv<SysvMsgEntry>(scan, "msg", core::Family::Queues, core::Kind::SysvMsg,
                                          [](std::string_view t, std::size_t* bad) { return parseSysvMsg(t, bad); }, out);
    if (!entries) return;
    for (const auto& e : *entries) {
        core::IpcObject obj;
        obj.kind = core::Kind::SysvMsg;
        obj.name = sysvName(e.key, e.msqid);
        obj.size = e.cbytes;
        Details d(obj.details, 16);
        d.add("key", formatSysvKey(e.key));
        d.add("msqid", e.msqid);
        addIpcPerm(d, e);
        d.add("bytes", e.cbytes);
        d.add("messages", e.qnum);
        d.add("lspid", e.lspid);
        d.add("lrpid", e.lrpid);
        d.add("last_send", epochOrNull(e.stime));
        d.add("last_receive", epochOrNull(e.rtime));
        d.add("changed", epochOrNull(e.ctime));
        addLastUser(scan, e.lspid, "last msgsnd", obj);
        addLastUser(scan, e.lrpid, "last msgrcv", obj);
        out.objects.push_back(std::move(obj));
    }
}

// Semaphore values and the last process to operate on each, through semctl (what `ipcs -s -i`
// shows). Only on the live kernel: a fixture tree's ids mean nothing here.
void addSemaphoreValues(const ProcScan& scan, const SysvSemEntry& e, core::IpcObject& obj) {
    const int id = static_cast<int>(e.semid);
    const std::size_t n = std::min<std::uint64_t>(e.nsems, kMaxSemValues);
    auto values = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < n; ++i) {
        const int v = ::semctl(id, static_cast<int>(i), GETVAL);
        if (v < 0) {
            obj.error = core::Error::fromErrno(errno, "semctl GETVAL").message();
            return;
        }
        values.push_back(v);
        const int pid = ::semctl(id, static_cast<int>(i), GETPID);
        if (pid > 0) addLastUser(scan, pid, ("last semop #" + std::to_string(i)).c_str(), obj);
    }
    obj.details["values"] = std::move(values);
    if (n < e.nsems) obj.details["values_truncated"] = true;
}

}  // namespace

void collectSync(const ProcScan& scan, core::Snapshot& out) {
    auto entries = readSysv<SysvSemEntry>(scan, "sem", core::Family::Sync, core::Kind::SysvSem,
                                          [](std::string_view t, std::size_t* bad) { return parseSysvSem(t, bad); }, out);
    if (!entries) return;
    const bool live = scan.root() == "/proc";
    for (const auto& e : *entries) {
        core::IpcObject obj;
        obj.kind = core::Kind::SysvSem;
        obj.name = sysvName(e.key, e.semid);
        Details d(obj.details, 12);
        d.add("key", formatSysvKey(e.key));
        d.add("semid", e.semid);
        addIpcPerm(d, e);
        d.add("nsems", e.nsems);
        d.add("last_op", epochOrNull(e.otime));
        d.add("changed", epochOrNull(e.ctime));
        if (live) addSemaphoreValues(scan, e, obj);
        out.objects.push_back(std::move(obj));
    }
}

namespace {

// --- POSIX message queues --------------------------------------------------------------------
// mq_open("/name") creates "name" on the IPC namespace's internal mqueue mount; an fd to it
// reads as "/name" in /proc/PID/fd, and the file's text is its status line (ipc/mqueue.c).
// The queue's limits come from mq_getattr on a descriptor of our own: on Linux an mqd_t is an
// fd, and any fd opened on the queue's inode is one (do_mq_getsetattr checks the file ops).

struct MqQueue {
    std::string name;
    struct stat st {};
    std::vector<FdRef> refs;
    bool read = false;  ///< status and attributes were read (or their error stored)
    std::optional<MqueueStatus> status;
    std::optional<mq_attr> attr;
    std::optional<std::string> error;
};

using MqKey = std::pair<std::uint64_t, std::uint64_t>;  // (device, inode): one queue

bool isMqueue(const std::string& path) {
    struct statfs sf {};
    return ::statfs(path.c_str(), &sf) == 0 && static_cast<long>(sf.f_type) == kMqueueMagic;
}

// The status line and the attributes, through a descriptor of our own on the queue's inode.
void readQueue(const std::string& path, MqQueue& q) {
    q.read = true;
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        q.error = core::Error::fromErrno(errno, "cannot open the queue to read its status").message();
        return;
    }
    char buf[256];
    const ssize_t n = ::read(fd, buf, sizeof buf - 1);
    if (n > 0) q.status = parseMqueueStatus(std::string_view(buf, static_cast<std::size_t>(n)));
    mq_attr attr{};
    if (::mq_getattr(fd, &attr) == 0) q.attr = attr;
    else q.error = core::Error::fromErrno(errno, "mq_getattr").message();
    ::close(fd);
}

// Queues some process holds open, from the fd walk: paths of one component on an mqueue fs
// (an unlinked queue's link ends in " (deleted)", which the walk has stripped).
void heldQueues(const ProcScan& scan, std::map<MqKey, MqQueue>& queues) {
    for (const auto& [path, refs] : scan.rootNames()) {
        for (const auto& ref : refs) {
            const std::string link = scan.root() + '/' + std::to_string(ref.pid) + "/fd/" + std::to_string(ref.fd);
            if (!isMqueue(link)) continue;
            auto st = scan.fdStat(ref.pid, ref.fd);
            if (!st) continue;  // closed meanwhile
            auto& q = queues[{static_cast<std::uint64_t>(st->st_dev), static_cast<std::uint64_t>(st->st_ino)}];
            if (q.name.empty()) {
                q.name = path;
                q.st = *st;
                readQueue(link, q);
            }
            FdRef r = ref;
            r.mode = scan.fdMode(ref.pid, ref.fd);
            q.refs.push_back(r);
        }
    }
}

// Every queue of an mqueue directory (the mounted file system or our private mount).
void listedQueues(const std::string& dir, std::map<MqKey, MqQueue>& queues) {
    DIR* d = ::opendir(dir.c_str());
    if (!d) return;
    while (dirent* de = ::readdir(d)) {
        if (de->d_name[0] == '.' && (!de->d_name[1] || (de->d_name[1] == '.' && !de->d_name[2]))) continue;
        const std::string path = dir + '/' + de->d_name;
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;  // removed meanwhile
        auto& q = queues[{static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino)}];
        if (q.name.empty()) {
            q.name = std::string("/") + de->d_name;
            q.st = st;
        }
        if (!q.read) readQueue(path, q);
    }
    ::closedir(d);
}

// Where an mqueue file system is mounted in our mount namespace ("" if none).
std::string mountedMqueue() {
    auto mounts = readSmallFile("/proc/self/mounts");
    if (!mounts) return {};
    std::string_view text = *mounts;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        const auto f = splitFields(text.substr(0, nl), 3);
        // Mount points with spaces are escaped as \040: not worth decoding for this.
        if (f.size() == 3 && f[2] == "mqueue" && f[1].find('\\') == std::string_view::npos) return std::string(f[1]);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    }
    return {};
}

// Without a mounted mqueue fs, queues nobody holds are still files of the namespace's mqueue
// superblock: a thread in a mount namespace of its own mounts it over /tmp, lists and reads it,
// and ends; the namespace and its mount go away with the thread, and nothing outside the
// thread sees them. Needs CAP_SYS_ADMIN.
std::optional<core::Error> listPrivateMount(std::map<MqKey, MqQueue>& queues) {
    std::optional<core::Error> err;
    auto work = [&] {
        if (::unshare(CLONE_NEWNS) != 0) {
            err = core::Error::fromErrno(errno, "unshare(CLONE_NEWNS) for a private mqueue mount");
            return;
        }
        if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
            ::mount("mqueue", "/tmp", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) {
            err = core::Error::fromErrno(errno, "mounting a private mqueue file system");
            return;
        }
        listedQueues("/tmp", queues);
    };
    try {
        std::thread(work).join();
    } catch (const std::system_error& e) {
        return core::Error::make(core::Errc::Io, std::string("no thread for a private mqueue mount: ") + e.what());
    }
    return err;
}

core::IpcObject queueRow(const MqQueue& q, const ProcScan& scan) {
    core::IpcObject obj;
    obj.kind = core::Kind::PosixMq;
    obj.name = q.name;
    Details d(obj.details, 10);
    d.add("inode", static_cast<std::uint64_t>(q.st.st_ino));
    d.add("owner", userName(q.st.st_uid));
    d.add("uid", static_cast<std::uint64_t>(q.st.st_uid));
    d.add("mode", octalMode(static_cast<unsigned>(q.st.st_mode)));
    if (q.status) {
        obj.size = q.status->qsize;
        d.add("qsize", q.status->qsize);
        d.add("notify_pid", q.status->notifyPid);
    }
    if (q.attr) {
        d.add("messages", static_cast<std::int64_t>(q.attr->mq_curmsgs));
        d.add("max_messages", static_cast<std::int64_t>(q.attr->mq_maxmsg));
        d.add("message_size", static_cast<std::int64_t>(q.attr->mq_msgsize));
    }
    obj.error = q.error;
    for (const auto& r : q.refs) obj.addHolder(scan.holder(r));
    return obj;
}

}  // namespace

void collectQueues(const ProcScan& scan, core::Snapshot& out) {
    collectSysvMsg(scan, out);

    std::map<MqKey, MqQueue> queues;
    heldQueues(scan, queues);
    if (scan.root() == "/proc") {  // a fixture tree has no mqueue file system behind it
        std::optional<core::Error> unlisted;
        if (const std::string dir = mountedMqueue(); !dir.empty()) listedQueues(dir, queues);
        else if (::geteuid() == 0) unlisted = listPrivateMount(queues);
        else unlisted = core::Error::make(core::Errc::PermissionDenied, "no mqueue file system is mounted "
                                                                        "(mount -t mqueue none /dev/mqueue) and a private mount needs root");
        if (unlisted) {
            unlisted->context = "POSIX message queues that no process holds open are not listed: " + unlisted->context;
            out.errors.push_back({core::Family::Queues, core::Kind::PosixMq, std::move(*unlisted)});
        }
    }
    for (const auto& [key, q] : queues) out.objects.push_back(queueRow(q, scan));
}

}  // namespace ipcscope::lnx
