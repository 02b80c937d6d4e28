#include "platform/linux/proc_scan.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <system_error>
#include <thread>
#include <unistd.h>

namespace ipcscope::lnx {
namespace {

// IPCSCOPE_PROC_ROOT points a run at a fixture tree (tests); otherwise the live /proc.
std::string& rootStorage() {
    static std::string root = [] {
        const char* env = std::getenv("IPCSCOPE_PROC_ROOT");
        return std::string(env && *env ? env : "/proc");
    }();
    return root;
}

bool allDigits(const char* s) {
    if (!*s) return false;
    for (; *s; ++s)
        if (*s < '0' || *s > '9') return false;
    return true;
}

}  // namespace

const std::string& procRoot() { return rootStorage(); }
void setProcRoot(std::string root) { rootStorage() = std::move(root); }

std::optional<std::string> readSmallFile(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    std::string out;
    const std::size_t chunk = 64 * 1024;
    for (;;) {
        const std::size_t have = out.size();
        out.resize(have + chunk);
        ssize_t n = ::read(fd, out.data() + have, chunk);
        if (n < 0) {
            if (errno == EINTR) {
                out.resize(have);
                continue;
            }
            int err = errno;
            ::close(fd);
            errno = err;
            return std::nullopt;
        }
        out.resize(have + static_cast<std::size_t>(n));
        // NOTE: only a zero read is the end. /proc seq files (maps, net/unix) return about a
        // page per read however large the buffer.
        if (n == 0) break;
    }
    ::close(fd);
    return out;
}

namespace {

// What one worker found; merged into the ProcScan afterwards.
struct ScanPart {
    std::vector<std::pair<std::uint64_t, FdRef>> pipes, sockets;
    std::vector<std::pair<std::string, FdRef>> paths, memfds, rootNames;
    std::vector<std::pair<std::int64_t, std::vector<MapEntry>>> maps;
    std::vector<std::int64_t> pids;
    std::uint32_t denied = 0;
};

void scanProcess(const std::string& root, const std::string& name, bool withMaps, ScanPart& part) {
    const std::int64_t pid = std::strtoll(name.c_str(), nullptr, 10);
    const std::string base = root + '/' + name;
    DIR* fds = ::opendir((base + "/fd").c_str());
    if (!fds) {
        if (errno == EACCES || errno == EPERM) ++part.denied;
        return;  // vanished, or a kernel thread race: skip silently
    }
    part.pids.push_back(pid);
    const int dfd = ::dirfd(fds);
    char target[4096];
    while (dirent* fe = ::readdir(fds)) {
        if (fe->d_name[0] == '.') continue;
        ssize_t n = ::readlinkat(dfd, fe->d_name, target, sizeof target - 1);
        if (n <= 0) continue;  // closed meanwhile
        target[n] = '\0';
        const int fd = static_cast<int>(std::strtol(fe->d_name, nullptr, 10));
        // Cheap prefix checks first: most links are sockets, pipes or plain files.
        if (target[0] == 's' || target[0] == 'p') {
            FdTarget t = parseFdLink(std::string_view(target, static_cast<std::size_t>(n)));
            if (t.type == FdTarget::Type::Socket) part.sockets.push_back({t.inode, {pid, fd, '?'}});
            else if (t.type == FdTarget::Type::Pipe) part.pipes.push_back({t.inode, {pid, fd, '?'}});
        } else if (target[0] == '/') {
            FdTarget t = parseFdLink(std::string_view(target, static_cast<std::size_t>(n)));
            if (t.type == FdTarget::Type::Memfd) part.memfds.push_back({std::move(t.text), {pid, fd, '?'}});
            else if (t.type == FdTarget::Type::Path) {
                // POSIX message queues read "/name", unlinked ones "/name (deleted)".
                if (t.text.size() > 1 && t.text.find('/', 1) == std::string::npos) part.rootNames.push_back({t.text, {pid, fd, '?'}});
                if (!t.deleted) part.paths.push_back({std::move(t.text), {pid, fd, '?'}});
            }
        }
    }
    ::closedir(fds);
    if (withMaps) {
        // Only shared mappings matter; most lines are private and skipped cheaply.
        if (auto text = readSmallFile(base + "/maps")) {
            auto shared = parseMaps(*text, true);
            if (!shared.empty()) part.maps.push_back({pid, std::move(shared)});
        }
    }
}

}  // namespace

ProcScan ProcScan::run(const std::string& root, const ScanOptions& options) {
    ProcScan scan;
    scan.m_root = root;
    scan.m_mapsRead = options.maps;
    std::vector<std::string> names;
    if (DIR* proc = ::opendir(root.c_str())) {
        while (dirent* de = ::readdir(proc))
            if (allDigits(de->d_name)) names.emplace_back(de->d_name);
        ::closedir(proc);
    }
    // The walk is thousands of readlink calls, each served by the kernel independently: a few
    // threads share the processes. Small machines or few processes stay on one thread.
    unsigned threads = options.threads;
    if (const char* env = std::getenv("IPCSCOPE_SCAN_THREADS"); !threads && env && *env)
        threads = static_cast<unsigned>(std::clamp(std::atoi(env), 1, 16));
    if (!threads) threads = std::min(4u, std::max(1u, std::thread::hardware_concurrency()));
    if (names.size() < 64) threads = 1;
    std::vector<ScanPart> parts(threads);
    auto work = [&](unsigned index) {
        for (std::size_t i = index; i < names.size(); i += threads) scanProcess(root, names[i], options.maps, parts[index]);
    };
    {
        std::vector<std::thread> pool;
        for (unsigned t = 1; t < threads; ++t) {
            try {
                pool.emplace_back(work, t);
            } catch (const std::system_error&) {
                work(t);  // no thread to spare: this share is walked here
            }
        }
        work(0);
        for (auto& t : pool) t.join();
    }
    std::size_t nPipes = 0, nSockets = 0;
    for (const auto& p : parts) {
        nPipes += p.pipes.size();
        nSockets += p.sockets.size();
    }
    scan.m_pipes.reserve(nPipes);
    scan.m_sockets.reserve(nSockets);
    for (auto& p : parts) {
        scan.m_denied += p.denied;
        scan.m_processes += p.pids.size();
        scan.m_pids.insert(scan.m_pids.end(), p.pids.begin(), p.pids.end());
        for (auto& [ino, ref] : p.pipes) scan.m_pipes[ino].push_back(ref);
        for (auto& [ino, ref] : p.sockets) scan.m_sockets[ino].push_back(ref);
        for (auto& [path, ref] : p.paths) scan.m_paths[std::move(path)].push_back(ref);
        for (auto& [name, ref] : p.memfds) scan.m_memfds[std::move(name)].push_back(ref);
        for (auto& [name, ref] : p.rootNames) scan.m_rootNames[std::move(name)].push_back(ref);
        for (auto& m : p.maps) scan.m_maps.push_back(std::move(m));
    }
    std::sort(scan.m_pids.begin(), scan.m_pids.end());
    return scan;
}

const std::string& ProcScan::command(std::int64_t pid) const {
    auto it = m_commands.find(pid);
    if (it != m_commands.end()) return it->second;
    auto text = readSmallFile(m_root + '/' + std::to_string(pid) + "/comm");
    std::string name = text.value_or("");
    while (!name.empty() && (name.back() == '\n' || name.back() == '\r')) name.pop_back();
    return m_commands.emplace(pid, std::move(name)).first->second;
}

FdDirCache& FdDirCache::operator=(FdDirCache&& o) noexcept {
    if (this != &o) {
        for (auto& [pid, fd] : m_fds) ::close(fd);
        m_fds = std::move(o.m_fds);
        o.m_fds.clear();
    }
    return *this;
}

FdDirCache::~FdDirCache() {
    for (auto& [pid, fd] : m_fds) ::close(fd);
}

int FdDirCache::get(const std::string& root, std::int64_t pid) {
    if (auto it = m_fds.find(pid); it != m_fds.end()) return it->second;
    constexpr std::size_t kMaxOpen = 256;  // stay far below RLIMIT_NOFILE
    if (m_fds.size() >= kMaxOpen) return -1;
    const int fd = ::open((root + '/' + std::to_string(pid) + "/fd").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return -1;
    m_fds.emplace(pid, fd);
    return fd;
}

namespace {

// stat or lstat of /proc/PID/fd/N, through the cached directory when there is one.
bool statFdLink(FdDirCache& cache, const std::string& root, std::int64_t pid, int fd, bool follow, struct stat& st) {
    const int flags = follow ? 0 : AT_SYMLINK_NOFOLLOW;
    const std::string name = std::to_string(fd);
    if (const int dir = cache.get(root, pid); dir >= 0) return ::fstatat(dir, name.c_str(), &st, flags) == 0;
    return ::fstatat(AT_FDCWD, (root + '/' + std::to_string(pid) + "/fd/" + name).c_str(), &st, flags) == 0;
}

}  // namespace

char ProcScan::fdMode(std::int64_t pid, int fd) const {
    // The kernel gives each /proc/PID/fd/N link the owner bits r-x for FMODE_READ and -wx
    // for FMODE_WRITE and nothing for group or others (fs/proc/fd.c, tid_fd_update_inode).
    // A plain symlink (a fixture tree) has 0777: then fdinfo is the source.
    struct stat st {};
    if (statFdLink(m_fdDirs, m_root, pid, fd, false, st) && S_ISLNK(st.st_mode) && (st.st_mode & 077) == 0) {
        const bool r = (st.st_mode & S_IRUSR) != 0, w = (st.st_mode & S_IWUSR) != 0;
        if (r || w) return r && w ? 'u' : r ? 'r' : 'w';
    }
    auto text = readSmallFile(m_root + '/' + std::to_string(pid) + "/fdinfo/" + std::to_string(fd));
    if (!text) return '?';
    return parseFdinfoMode(*text).value_or('?');
}

std::optional<struct ::stat> ProcScan::fdStat(std::int64_t pid, int fd) const {
    struct stat st {};
    if (!statFdLink(m_fdDirs, m_root, pid, fd, true, st)) return std::nullopt;
    return st;
}

std::optional<std::string> ProcScan::readPidFile(std::int64_t pid, const char* file) const {
    return readSmallFile(m_root + '/' + std::to_string(pid) + '/' + file);
}

core::Holder ProcScan::holder(const FdRef& ref) const {
    std::string how = "fd " + std::to_string(ref.fd);
    if (ref.mode != '?') {
        how += ' ';
        how += ref.mode == 'u' ? std::string("rw") : std::string(1, ref.mode);
    }
    return core::Holder{ref.pid, command(ref.pid), std::move(how)};
}

}  // namespace ipcscope::lnx
