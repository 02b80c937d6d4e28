#pragma once
// One walk over /proc/*/fd per snapshot: which process holds which pipe, socket, FIFO or
// memfd, by inode or path. Collectors of every family share it.

#include "core/model.h"
#include "platform/linux/proc_text.h"

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <sys/stat.h>

namespace ipcscope::lnx {

/// The proc root ("/proc" unless a test points it at a fixture tree).
[[nodiscard]] const std::string& procRoot();
void setProcRoot(std::string root);

struct FdRef {
    std::int64_t pid = 0;
    int fd = -1;
    char mode = '?';  ///< 'r', 'w', 'u' (read-write) or '?' where fdinfo was not read
};

struct ScanOptions {
    bool maps = false;     ///< also read each process's shared mappings (for the mappings family)
    unsigned threads = 0;  ///< 0: up to 4, by the number of CPUs
};

/// Open /proc/PID/fd directories, so that per-fd stat calls look up one name instead of a
/// four-component path. Closed on destruction; movable, not copyable.
class FdDirCache {
public:
    FdDirCache() = default;
    FdDirCache(FdDirCache&& o) noexcept : m_fds(std::move(o.m_fds)) { o.m_fds.clear(); }
    FdDirCache& operator=(FdDirCache&& o) noexcept;
    FdDirCache(const FdDirCache&) = delete;
    FdDirCache& operator=(const FdDirCache&) = delete;
    ~FdDirCache();
    /// The directory fd for the process, or -1 (vanished, or the cache is full).
    int get(const std::string& root, std::int64_t pid);

private:
    std::unordered_map<std::int64_t, int> m_fds;
};

class ProcScan {
public:
    /// Walks every process under the proc root. Vanished processes are skipped silently;
    /// processes whose fds cannot be read are counted in deniedProcesses().
    static ProcScan run(const std::string& root, const ScanOptions& options = {});

    [[nodiscard]] const std::unordered_map<std::uint64_t, std::vector<FdRef>>& pipes() const { return m_pipes; }
    [[nodiscard]] const std::unordered_map<std::uint64_t, std::vector<FdRef>>& sockets() const { return m_sockets; }
    /// Regular paths open in some process (FIFOs among them), by path.
    [[nodiscard]] const std::unordered_map<std::string, std::vector<FdRef>>& paths() const { return m_paths; }
    [[nodiscard]] const std::unordered_map<std::string, std::vector<FdRef>>& memfds() const { return m_memfds; }
    /// Open paths of one component ("/name"), unlinked ones too: where POSIX message queues are
    /// (their fd links read "/name" from the queue's internal mount).
    [[nodiscard]] const std::unordered_map<std::string, std::vector<FdRef>>& rootNames() const { return m_rootNames; }
    [[nodiscard]] std::uint32_t deniedProcesses() const { return m_denied; }
    [[nodiscard]] std::size_t processCount() const { return m_processes; }
    /// The processes whose fds were read, in directory order.
    [[nodiscard]] const std::vector<std::int64_t>& pids() const { return m_pids; }
    [[nodiscard]] const std::string& root() const { return m_root; }
    /// Shared mappings per process, when the walk was asked to read them.
    [[nodiscard]] bool mapsRead() const { return m_mapsRead; }
    [[nodiscard]] const std::vector<std::pair<std::int64_t, std::vector<MapEntry>>>& sharedMaps() const { return m_maps; }

    /// The short command name of a process ("" if it vanished); cached.
    [[nodiscard]] const std::string& command(std::int64_t pid) const;
    /// The access mode of one fd ('?' when unreadable). On the live /proc the permission bits
    /// of the fd link itself carry it (one lstat); elsewhere fdinfo is read.
    [[nodiscard]] char fdMode(std::int64_t pid, int fd) const;
    /// stat() of the object an fd refers to, through /proc/PID/fd/N (works across mount
    /// namespaces, unlike the path text). Empty when the fd or process vanished.
    [[nodiscard]] std::optional<struct ::stat> fdStat(std::int64_t pid, int fd) const;
    /// The text of /proc/PID/FILE, empty optional when unreadable.
    [[nodiscard]] std::optional<std::string> readPidFile(std::int64_t pid, const char* file) const;
    /// A holder row for the model.
    [[nodiscard]] core::Holder holder(const FdRef& ref) const;

private:
    std::string m_root;
    std::unordered_map<std::uint64_t, std::vector<FdRef>> m_pipes;
    std::unordered_map<std::uint64_t, std::vector<FdRef>> m_sockets;
    std::unordered_map<std::string, std::vector<FdRef>> m_paths;
    std::unordered_map<std::string, std::vector<FdRef>> m_memfds;
    std::unordered_map<std::string, std::vector<FdRef>> m_rootNames;
    std::vector<std::int64_t> m_pids;
    std::vector<std::pair<std::int64_t, std::vector<MapEntry>>> m_maps;
    bool m_mapsRead = false;
    mutable std::unordered_map<std::int64_t, std::string> m_commands;
    mutable FdDirCache m_fdDirs;
    std::uint32_t m_denied = 0;
    std::size_t m_processes = 0;
};

/// Reads a whole small file (a /proc file) into a string; empty optional on failure with errno set.
[[nodiscard]] std::optional<std::string> readSmallFile(const std::string& path);

}  // namespace ipcscope::lnx
