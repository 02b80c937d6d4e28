#pragma once
// Parsers for /proc text. They take text, not paths, so tests feed them fixture text and
// the collectors can run against any proc root.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ipcscope::lnx {

/// What a /proc/PID/fd/N link points at.
struct FdTarget {
    enum class Type : std::uint8_t { Path, Pipe, Socket, AnonInode, Memfd, Other };
    Type type = Type::Other;
    std::uint64_t inode = 0;  ///< for Pipe and Socket
    std::string text;         ///< path, memfd name or anon_inode name
    bool deleted = false;     ///< the link ends in " (deleted)"
};
[[nodiscard]] FdTarget parseFdLink(std::string_view link);

/// One line of /proc/net/unix.
struct UnixEntry {
    std::uint64_t inode = 0;
    std::uint32_t refCount = 0;
    std::uint32_t flags = 0;  ///< 0x10000 = __SO_ACCEPTCON: listening
    std::uint32_t type = 0;   ///< 1 stream, 2 dgram, 5 seqpacket
    std::uint32_t state = 0;  ///< 1 unconnected, 2 connecting, 3 connected, 4 disconnecting
    std::string path;         ///< empty when unnamed; abstract names start with '@'
};
/// Parses the whole file; malformed lines are skipped and counted in *bad when given.
[[nodiscard]] std::vector<UnixEntry> parseProcNetUnix(std::string_view text, std::size_t* bad = nullptr);

[[nodiscard]] std::string_view unixTypeName(std::uint32_t type) noexcept;
[[nodiscard]] std::string_view unixStateName(std::uint32_t state, bool listening) noexcept;

/// The access mode from /proc/PID/fdinfo/N text ("flags:\t0100001" -> 'w'); 'r', 'w', 'u' (rw).
[[nodiscard]] std::optional<char> parseFdinfoMode(std::string_view text);

/// One line of /proc/PID/maps.
struct MapEntry {
    std::uint64_t start = 0;
    std::uint64_t end = 0;
    char perms[5] = {'-', '-', '-', '-', '\0'};  ///< "rw-s"; [3] is 's' for MAP_SHARED
    std::uint64_t offset = 0;
    std::uint32_t devMajor = 0;
    std::uint32_t devMinor = 0;
    std::uint64_t inode = 0;
    std::string path;      ///< may be empty, "[heap]", "/memfd:x", "/SYSV0000162e"
    bool deleted = false;  ///< the path ended in " (deleted)" (removed from the text)

    [[nodiscard]] bool shared() const noexcept { return perms[3] == 's'; }
};
/// Parses maps text. With sharedOnly, private mappings are skipped without being parsed past
/// their permission field (most lines of a process are private). Malformed lines are counted.
[[nodiscard]] std::vector<MapEntry> parseMaps(std::string_view text, bool sharedOnly, std::size_t* bad = nullptr);

/// One segment of /proc/sysvipc/shm.
struct SysvShmEntry {
    std::uint32_t key = 0;  ///< printed as signed decimal by the kernel; 0 is IPC_PRIVATE
    std::uint64_t shmid = 0;
    std::uint32_t perms = 0;  ///< octal in the text
    std::uint64_t size = 0;
    std::int64_t cpid = 0;
    std::int64_t lpid = 0;
    std::uint64_t nattch = 0;
    std::uint32_t uid = 0, gid = 0, cuid = 0, cgid = 0;
    std::int64_t atime = 0, dtime = 0, ctime = 0;  ///< seconds since the epoch, 0 = never
    std::optional<std::uint64_t> rss;               ///< bytes, when the kernel prints it
};
[[nodiscard]] std::vector<SysvShmEntry> parseSysvShm(std::string_view text, std::size_t* bad = nullptr);
/// "0x0000162e" for a key.
[[nodiscard]] std::string formatSysvKey(std::uint32_t key);

/// One System V message queue from /proc/sysvipc/msg.
struct SysvMsgEntry {
    std::uint32_t key = 0;  ///< signed decimal in the text, like shm keys; 0 is IPC_PRIVATE
    std::uint64_t msqid = 0;
    std::uint32_t perms = 0;
    std::uint64_t cbytes = 0;  ///< bytes queued
    std::uint64_t qnum = 0;    ///< messages queued
    std::int64_t lspid = 0;    ///< last msgsnd
    std::int64_t lrpid = 0;    ///< last msgrcv
    std::uint32_t uid = 0, gid = 0, cuid = 0, cgid = 0;
    std::int64_t stime = 0, rtime = 0, ctime = 0;
};
[[nodiscard]] std::vector<SysvMsgEntry> parseSysvMsg(std::string_view text, std::size_t* bad = nullptr);

/// One System V semaphore set from /proc/sysvipc/sem.
struct SysvSemEntry {
    std::uint32_t key = 0;
    std::uint64_t semid = 0;
    std::uint32_t perms = 0;
    std::uint64_t nsems = 0;
    std::uint32_t uid = 0, gid = 0, cuid = 0, cgid = 0;
    std::int64_t otime = 0, ctime = 0;  ///< last semop, last change
};
[[nodiscard]] std::vector<SysvSemEntry> parseSysvSem(std::string_view text, std::size_t* bad = nullptr);

/// The status line of a file on an mqueue file system
/// ("QSIZE:12         NOTIFY:0     SIGNO:0     NOTIFY_PID:0").
struct MqueueStatus {
    std::uint64_t qsize = 0;  ///< bytes of message data queued
    std::int64_t notify = 0;  ///< sigev_notify of a registered notification
    std::int64_t signo = 0;
    std::int64_t notifyPid = 0;  ///< 0: no process asked to be notified
};
[[nodiscard]] std::optional<MqueueStatus> parseMqueueStatus(std::string_view text);

/// One line of /proc/net/tcp, tcp6, udp or udp6.
struct InetEntry {
    bool v6 = false;
    std::uint8_t local[16] = {};   ///< address bytes in network order (4 used for IPv4)
    std::uint8_t remote[16] = {};
    std::uint16_t localPort = 0;
    std::uint16_t remotePort = 0;
    std::uint8_t state = 0;  ///< TCP_* numbering (1 established, 10 listen, 7 close)
    std::uint64_t txQueue = 0;
    std::uint64_t rxQueue = 0;
    std::uint32_t uid = 0;
    std::uint64_t inode = 0;
};
/// Parses the text of /proc/net/{tcp,udp}[6]; v6 is taken from the address width.
[[nodiscard]] std::vector<InetEntry> parseProcNetInet(std::string_view text, std::size_t* bad = nullptr);
/// "127.0.0.1:138", "[::1]:80".
[[nodiscard]] std::string formatEndpoint(const std::uint8_t* addr, bool v6, std::uint16_t port);
/// Kernel TCP state names ("established", "listen", ...).
[[nodiscard]] std::string_view tcpStateName(std::uint8_t state) noexcept;

/// Splits a line into whitespace-separated fields.
[[nodiscard]] std::vector<std::string_view> splitFields(std::string_view line, std::size_t maxFields = 64);

/// Parses an unsigned number in the given base; nullopt on any stray character or overflow.
[[nodiscard]] std::optional<std::uint64_t> parseUnsigned(std::string_view s, int base = 10);

}  // namespace ipcscope::lnx
