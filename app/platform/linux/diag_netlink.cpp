#include "platform/linux/diag_netlink.h"

#include <cerrno>
#include <linux/netlink.h>
#include <string>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <vector>

namespace ipcscope::lnx::nl {

core::Status dump(const void* request, std::size_t length, std::size_t receiveBuffer, const char* what,
                  const BufferHandler& onBuffer) {
    const int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd < 0) return core::Error::fromErrno(errno, "cannot open a NETLINK_SOCK_DIAG socket");
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    // NOTE: a dump that stalls must not stall the snapshot.
    timeval tv{2, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    int rcvbuf = 1 << 20;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);

    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (::sendto(fd, request, length, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0)
        return core::Error::fromErrno(errno, std::string("cannot send the ") + what + " request");

    std::vector<std::uint8_t> buf(receiveBuffer);
    for (int rounds = 0; rounds < 1'000'000; ++rounds) {
        const ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            return core::Error::fromErrno(errno, std::string(what) + " dump did not complete");
        }
        if (n == 0) break;
        auto done = onBuffer(std::span(buf.data(), static_cast<std::size_t>(n)));
        if (!done) {
            auto e = done.error();
            if (e.native == ENOENT || e.native == EOPNOTSUPP || e.native == EINVAL) e.code = core::Errc::NotSupported;
            return e;
        }
        if (*done) return core::okStatus();
    }
    return core::Error::make(core::Errc::Malformed, std::string(what) + " dump ended without NLMSG_DONE");
}

}  // namespace ipcscope::lnx::nl
