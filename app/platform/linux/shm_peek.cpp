// A read-only look at the first bytes of a POSIX shm object (a file in /dev/shm).

#include "core/platform.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ipcscope::platform {

core::Result<std::vector<std::uint8_t>> peekSharedMemory(const core::IpcObject& obj, std::size_t maxBytes) {
    if (obj.kind != core::Kind::PosixShm)
        return core::Error::make(core::Errc::NotSupported, "only POSIX shm objects can be read here");
    const auto path = obj.details.find("path");
    if (path == obj.details.end() || !path->is_string())
        return core::Error::make(core::Errc::InvalidArgument, obj.name + ": no path in /dev/shm");
    const std::string file = path->get<std::string>();
    // NOTE: O_NOATIME keeps the access time as it was (allowed for the owner and for root);
    // O_NOFOLLOW and O_NONBLOCK: a symlink or FIFO put there meanwhile is refused, never waited on.
    const int flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK;
    int fd = ::open(file.c_str(), flags | O_NOATIME);
    if (fd < 0 && errno == EPERM) fd = ::open(file.c_str(), flags);
    if (fd < 0) return core::Error::fromErrno(errno, "cannot open " + file + " to read");
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return core::Error::make(core::Errc::InvalidArgument, file + " is not a regular file");
    }
    std::vector<std::uint8_t> bytes(std::min<std::size_t>(maxBytes, static_cast<std::size_t>(st.st_size)));
    std::size_t got = 0;
    while (got < bytes.size()) {
        const ssize_t n = ::pread(fd, bytes.data() + got, bytes.size() - got, static_cast<off_t>(got));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const int err = errno;
            ::close(fd);
            return core::Error::fromErrno(err, "cannot read " + file);
        }
        if (n == 0) break;  // shrunk meanwhile
        got += static_cast<std::size_t>(n);
    }
    ::close(fd);
    bytes.resize(got);
    return bytes;
}

}  // namespace ipcscope::platform
