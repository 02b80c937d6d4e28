#include "linux/proc_scan.h"

#include <cerrno>
#include <cstdlib>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
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
    char buf[8192];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            int err = errno;
            ::close(fd);
            errno = err;
            return std::nullopt;
        }
        if (n == 0) break;
        out.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return out;
}

ProcScan ProcScan::run(const std::string& root) {
    ProcScan scan;
    scan.m_root = root;
    DIR* proc = ::opendir(root.c_str());
    if (!proc) return scan;
    std::string fdDir;
    std::string linkPath;
    char target[4096];
    while (dirent* de = ::readdir(proc)) {
        if (!allDigits(de->d_name)) continue;
        const std::int64_t pid = std::strtoll(de->d_name, nullptr, 10);
        fdDir = root + '/' + de->d_name + "/fd";
        DIR* fds = ::opendir(fdDir.c_str());
        if (!fds) {
            if (errno == EACCES || errno == EPERM) ++scan.m_denied;
            continue;  // vanished, or a kernel thread race: skip silently
        }
        ++scan.m_processes;
        scan.m_pids.push_back(pid);
        const int dfd = ::dirfd(fds);
        while (dirent* fe = ::readdir(fds)) {
            if (fe->d_name[0] == '.') continue;
            ssize_t n = ::readlinkat(dfd, fe->d_name, target, sizeof target - 1);
            if (n <= 0) continue;
            target[n] = '\0';
            const int fd = static_cast<int>(std::strtol(fe->d_name, nullptr, 10));
            // Cheap prefix checks first: most links are sockets, pipes or plain files.
            if (target[0] == 's' || target[0] == 'p') {
                FdTarget t = parseFdLink(std::string_view(target, static_cast<std::size_t>(n)));
                if (t.type == FdTarget::Type::Socket) scan.m_sockets[t.inode].push_back({pid, fd, '?'});
                else if (t.type == FdTarget::Type::Pipe) scan.m_pipes[t.inode].push_back({pid, fd, '?'});
            } else if (target[0] == '/') {
                FdTarget t = parseFdLink(std::string_view(target, static_cast<std::size_t>(n)));
                if (t.type == FdTarget::Type::Memfd) scan.m_memfds[t.text].push_back({pid, fd, '?'});
                else if (t.type == FdTarget::Type::Path && !t.deleted) scan.m_paths[t.text].push_back({pid, fd, '?'});
            }
        }
        ::closedir(fds);
    }
    ::closedir(proc);
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

char ProcScan::fdMode(std::int64_t pid, int fd) const {
    const std::string base = m_root + '/' + std::to_string(pid);
    // The kernel gives each /proc/PID/fd/N link the owner bits r-x for FMODE_READ and -wx
    // for FMODE_WRITE and nothing for group or others (fs/proc/fd.c, tid_fd_update_inode).
    // A plain symlink (a fixture tree) has 0777: then fdinfo is the source.
    struct stat st {};
    if (::fstatat(AT_FDCWD, (base + "/fd/" + std::to_string(fd)).c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
        S_ISLNK(st.st_mode) && (st.st_mode & 077) == 0) {
        const bool r = (st.st_mode & S_IRUSR) != 0, w = (st.st_mode & S_IWUSR) != 0;
        if (r || w) return r && w ? 'u' : r ? 'r' : 'w';
    }
    auto text = readSmallFile(base + "/fdinfo/" + std::to_string(fd));
    if (!text) return '?';
    return parseFdinfoMode(*text).value_or('?');
}

std::optional<struct ::stat> ProcScan::fdStat(std::int64_t pid, int fd) const {
    struct stat st {};
    if (::stat((m_root + '/' + std::to_string(pid) + "/fd/" + std::to_string(fd)).c_str(), &st) != 0) return std::nullopt;
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
