// inet_diag: include/uapi/linux/inet_diag.h and net/ipv4/inet_diag.c in the kernel source;
// sock_diag(7) describes the request and the reply.

#include "platform/linux/diag_inet.h"
#include "platform/linux/diag_netlink.h"

#include <cerrno>
#include <cstring>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace ipcscope::lnx {
namespace {

using nl::align4;
using nl::host16;
using nl::host32;
using nl::hostI32;

std::uint16_t big16(const std::uint8_t* p) { return static_cast<std::uint16_t>((p[0] << 8) | p[1]); }

// struct inet_diag_msg: family, state, timer, retrans (4 bytes); inet_diag_sockid (48 bytes:
// sport, dport, src[16], dst[16], if, cookie[2]); expires, rqueue, wqueue, uid, inode.
constexpr std::size_t kDiagMsg = 72;

}  // namespace

core::Result<std::size_t> parseInetDiagBuffer(std::span<const std::uint8_t> buf, std::vector<InetEntry>& out, bool& done) {
    std::size_t bad = 0;
    std::size_t off = 0;
    while (off + nl::kHeader <= buf.size()) {
        const std::uint8_t* h = buf.data() + off;
        const std::size_t len = host32(h);
        const std::uint16_t type = host16(h + 4);
        if (len < nl::kHeader || len > buf.size() - off) return bad + 1;
        const std::uint8_t* m = h + nl::kHeader;
        const std::size_t plen = len - nl::kHeader;
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
    std::vector<InetEntry> out;
    auto status = nl::dump(&msg, sizeof msg, 64 * 1024, "inet_diag", [&](std::span<const std::uint8_t> buf) -> core::Result<bool> {
        bool done = false;
        auto parsed = parseInetDiagBuffer(buf, out, done);
        if (!parsed) return parsed.error();
        if (*parsed > 0) return core::Error::make(core::Errc::Malformed, "malformed inet_diag reply");
        return done;
    });
    if (!status) return status.error();
    return out;
}

}  // namespace ipcscope::lnx
