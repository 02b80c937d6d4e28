// unix_diag: include/uapi/linux/unix_diag.h and net/unix/diag.c in the kernel source; the
// netlink framing is described in netlink(7) and sock_diag(7).

#include "platform/linux/diag_unix.h"
#include "platform/linux/diag_netlink.h"

#include <cerrno>
#include <cstring>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <sys/socket.h>

namespace ipcscope::lnx {
namespace {

using nl::align4;
using nl::host16;
using nl::host32;
using nl::hostI32;

constexpr std::size_t kDiagMsg = 16;      // struct unix_diag_msg
constexpr std::size_t kAttrHeader = 4;    // struct rtattr / nlattr

// Attribute types (enum in unix_diag.h), spelled here so the parser does not depend on the
// installed headers being recent.
enum : std::uint16_t { kAttrName = 0, kAttrVfs = 1, kAttrPeer = 2, kAttrIcons = 3, kAttrRqlen = 4, kAttrShutdown = 6, kAttrUid = 7 };

void parseAttrs(const std::uint8_t* p, std::size_t len, UnixDiagEntry& e, std::size_t& bad) {
    std::size_t off = 0;
    while (off + kAttrHeader <= len) {
        const std::size_t alen = host16(p + off);
        const std::uint16_t type = host16(p + off + 2) & 0x3fff;  // strip NLA_F_NESTED / NET_BYTEORDER
        if (alen < kAttrHeader || alen > len - off) {
            ++bad;
            return;
        }
        const std::uint8_t* d = p + off + kAttrHeader;
        const std::size_t dlen = alen - kAttrHeader;
        switch (type) {
        case kAttrName:
            if (dlen > 0 && d[0] == '\0') {
                // Abstract: the name is every byte after the leading NUL, NULs included.
                e.name.assign(dlen, '@');
                std::memcpy(e.name.data() + 1, d + 1, dlen - 1);
            } else {
                std::size_t n = 0;
                while (n < dlen && d[n] != '\0') ++n;
                e.name.assign(reinterpret_cast<const char*>(d), n);
            }
            break;
        case kAttrVfs:
            if (dlen >= 8) e.vfsInode = host32(d);
            else ++bad;
            break;
        case kAttrPeer:
            if (dlen >= 4) e.peer = host32(d);
            else ++bad;
            break;
        case kAttrIcons:
            for (std::size_t i = 0; i + 4 <= dlen; i += 4) e.pending.push_back(host32(d + i));
            break;
        case kAttrRqlen:
            if (dlen >= 8) {
                e.rqueue = host32(d);
                e.wqueue = host32(d + 4);
            } else {
                ++bad;
            }
            break;
        case kAttrShutdown:
            if (dlen >= 1) e.shutdown = d[0];
            break;
        case kAttrUid:
            if (dlen >= 4) e.uid = host32(d);
            break;
        default: break;  // MEMINFO and newer attributes are not shown
        }
        off += align4(alen);
    }
}

}  // namespace

std::string_view unixDiagStateName(std::uint8_t state) noexcept {
    switch (state) {
    case 1: return "connected";
    case 2: return "connecting";
    case 7: return "unconnected";
    case 8: return "disconnecting";  // TCP_CLOSE_WAIT: the peer shut down
    case 10: return "listen";
    default: return "unknown";
    }
}

core::Result<UnixDiagParse> parseUnixDiagBuffer(std::span<const std::uint8_t> buf, std::vector<UnixDiagEntry>& out) {
    UnixDiagParse res;
    std::size_t off = 0;
    while (off + nl::kHeader <= buf.size()) {
        const std::uint8_t* h = buf.data() + off;
        const std::size_t len = host32(h);
        const std::uint16_t type = host16(h + 4);
        if (len < nl::kHeader || len > buf.size() - off) {
            ++res.bad;  // a length that lies: nothing after it can be trusted
            return res;
        }
        const std::uint8_t* payload = h + nl::kHeader;
        const std::size_t plen = len - nl::kHeader;
        if (type == NLMSG_DONE) {
            res.done = true;
            return res;
        }
        if (type == NLMSG_ERROR) {
            const int err = plen >= 4 ? -hostI32(payload) : EPROTO;
            if (err == 0) {  // an acknowledgement
                off += align4(len);
                continue;
            }
            return core::Error::fromErrno(err, "unix_diag request refused");
        }
        if (type == SOCK_DIAG_BY_FAMILY) {
            if (plen < kDiagMsg) {
                ++res.bad;
            } else {
                UnixDiagEntry e;
                e.type = payload[1];
                e.state = payload[2];
                e.inode = host32(payload + 4);
                parseAttrs(payload + kDiagMsg, plen - kDiagMsg, e, res.bad);
                out.push_back(std::move(e));
            }
        }
        off += align4(len);
    }
    if (off != buf.size()) ++res.bad;  // trailing bytes shorter than a header
    return res;
}

core::Result<std::vector<UnixDiagEntry>> queryUnixDiag() {
    struct {
        nlmsghdr nl;
        unix_diag_req req;
    } msg{};
    msg.nl.nlmsg_len = sizeof msg;
    msg.nl.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    msg.nl.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    msg.nl.nlmsg_seq = 1;
    msg.req.sdiag_family = AF_UNIX;
    msg.req.udiag_states = ~0u;
    // The shutdown attribute is always sent; UID needs Linux 5.3 and older kernels ignore the bit.
    msg.req.udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_VFS | UDIAG_SHOW_PEER | UDIAG_SHOW_ICONS | UDIAG_SHOW_RQLEN |
                         UDIAG_SHOW_UID;
    std::vector<UnixDiagEntry> out;
    auto status = nl::dump(&msg, sizeof msg, 256 * 1024, "unix_diag", [&](std::span<const std::uint8_t> buf) -> core::Result<bool> {
        auto parsed = parseUnixDiagBuffer(buf, out);
        if (!parsed) return parsed.error();
        return parsed->done;
    });
    if (!status) return status.error();
    return out;
}

}  // namespace ipcscope::lnx
