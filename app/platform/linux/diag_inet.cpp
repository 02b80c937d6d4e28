// inet_diag: include/uapi/linux/inet_diag.h and net/ipv4/inet_diag.c in the kernel source;
// sock_diag(7) describes the request and the reply.

#include "linux/diag_inet.h"

#include <cerrno>
#include <cstring>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace ipcscope::lnx {
namespace {

std::uint16_t host16(const std::uint8_t* p) {
    std::uint16_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
std::uint32_t host32(const std::uint8_t* p) {
    std::uint32_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
std::int32_t hostI32(const std::uint8_t* p) {
    std::int32_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
std::uint16_t big16(const std::uint8_t* p) { return static_cast<std::uint16_t>((p[0] << 8) | p[1]); }

constexpr std::size_t kNlHeader = 16;
// struct inet_diag_msg: family, state, timer, retrans (4 bytes); inet_diag_sockid (48 bytes:
// sport, dport, src[16], dst[16], if, cookie[2]); expires, rqueue, wqueue, uid, inode.
constexpr std::size_t kDiagMsg = 72;
constexpr std::size_t align4(std::size_t n) { return (n + 3) & ~std::size_t{3}; }

}  // namespace

core::Result<std::size_t> parseInetDiagBuffer(std::span<const std::uint8_t> buf, std::vector<InetEntry>& out, bool& done) {
    std::size_t bad = 0;
    std::size_t off = 0;
    while (off + kNlHeader <= buf.size()) {
        const std::uint8_t* h = buf.data() + off;
        const std::size_t len = host32(h);
        const std::uint16_t type = host16(h + 4);
        if (len < kNlHeader || len > buf.size() - off) return bad + 1;
        const std::uint8_t* m = h + kNlHeader;
        const std::size_t plen = len - kNlHeader;
        if (type == NLMSG_DONE) {
            done = true;
            return bad;
        }
        if (type == NLMSG_ERROR) {
            const int err = plen >= 4 ? -hostI32(m) : EPROTO;
            if (err != 0) return core::Error::fromErrno(err, "inet_diag request refused");
        } else if (type == SOCK_DIAG_BY_FAMILY) {
            if (plen < kDiagMsg || (m[0] != AF_INET && m[0] != AF_INET6)) {
                ++bad;
            } else {
                InetEntry e;
                e.v6 = m[0] == AF_INET6;
                e.state = m[1];
                e.localPort = big16(m + 4);
                e.remotePort = big16(m + 6);
                std::memcpy(e.local, m + 8, 16);
                std::memcpy(e.remote, m + 24, 16);
                e.rxQueue = host32(m + 56);
                e.txQueue = host32(m + 60);
                e.uid = host32(m + 64);
                e.inode = host32(m + 68);
                out.push_back(e);
            }
        }
        off += align4(len);
    }
    if (off != buf.size()) ++bad;
    return bad;
}

core::Result<std::vector<InetEntry>> queryInetDiag(int family, int protocol) {
    const int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd < 0) return core::Error::fromErrno(errno, "cannot open a NETLINK_SOCK_DIAG socket");
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    timeval tv{2, 0};  // NOTE: a dump that stalls must not stall the snapshot
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);

    struct {
        nlmsghdr nl;
        inet_diag_req_v2 req;
    } msg{};
    msg.nl.nlmsg_len = sizeof msg;
    msg.nl.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    msg.nl.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    msg.nl.nlmsg_seq = 1;
    msg.req.sdiag_family = static_cast<std::uint8_t>(family);
    msg.req.sdiag_protocol = static_cast<std::uint8_t>(protocol);
    msg.req.idiag_states = ~0u;
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (::sendto(fd, &msg, sizeof msg, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0)
        return core::Error::fromErrno(errno, "cannot send the inet_diag request");

    std::vector<InetEntry> out;
    std::vector<std::uint8_t> buf(64 * 1024);
    for (int rounds = 0; rounds < 1'000'000; ++rounds) {
        const ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            return core::Error::fromErrno(errno, "inet_diag dump did not complete");
        }
        if (n == 0) break;
        bool done = false;
        auto parsed = parseInetDiagBuffer(std::span(buf.data(), static_cast<std::size_t>(n)), out, done);
        if (!parsed) {
            auto e = parsed.error();
            if (e.native == ENOENT || e.native == EOPNOTSUPP || e.native == EINVAL) e.code = core::Errc::NotSupported;
            return e;
        }
        if (*parsed > 0) return core::Error::make(core::Errc::Malformed, "malformed inet_diag reply");
        if (done) return out;
    }
    return core::Error::make(core::Errc::Malformed, "inet_diag dump ended without NLMSG_DONE");
}

}  // namespace ipcscope::lnx
