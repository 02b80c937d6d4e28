// TCP and UDP endpoints (IPv4 and IPv6) of the caller's network namespace, from inet_diag on
// the live kernel or /proc/net text (fixture trees, kernels without the diag modules), with
// owning processes from the shared fd walk.

#include "platform/linux/collectors.h"
#include "platform/linux/diag_inet.h"

#include <cerrno>
#include <netinet/in.h>
#include <sys/socket.h>

namespace ipcscope::lnx {
namespace {

// NetBIOS over TCP/IP (RFC 1001/1002): name service on UDP 137, datagram service (where
// mailslot messages travel) on UDP 138.
std::string_view netbiosService(std::uint16_t port) {
    switch (port) {
    case 137: return "netbios-name";
    case 138: return "netbios-datagram";
    default: return {};
    }
}

struct Source {
    const char* file;  // under /proc/net
    int family;
    int protocol;
    bool tcp;
};
constexpr Source kSources[] = {
    {"tcp", AF_INET, IPPROTO_TCP, true},
    {"tcp6", AF_INET6, IPPROTO_TCP, true},
    {"udp", AF_INET, IPPROTO_UDP, false},
    {"udp6", AF_INET6, IPPROTO_UDP, false},
};

InetTable readTable(const std::string& root, bool live, const Source& src) {
    InetTable t;
    t.read = true;
    if (live) {
        auto diag = queryInetDiag(src.family, src.protocol);
        if (diag) {
            t.fromDiag = true;
            t.entries = std::move(*diag);
            return t;
        }
        // No diag module for this protocol (or not allowed): the text below has the same rows.
    }
    const std::string path = root + "/net/" + src.file;
    auto text = readSmallFile(path);
    if (!text) {
        // A kernel without IPv6 has no tcp6/udp6: nothing to show, not a failure.
        if (errno != ENOENT) t.error = core::Error::fromErrno(errno, "cannot read " + path);
        return t;
    }
    t.entries = parseProcNetInet(*text, &t.bad);
    return t;
}

void addRows(const ProcScan& scan, const InetTable& table, const Source& src, core::Snapshot& out) {
    const core::Kind kind = src.tcp ? core::Kind::TcpSocket : core::Kind::UdpSocket;
    if (table.error) out.errors.push_back({core::Family::Sockets, kind, *table.error});
    if (table.bad > 0)
        out.errors.push_back({core::Family::Sockets, kind,
                              core::Error::make(core::Errc::Malformed, std::to_string(table.bad) + " malformed lines in " +
                                                                           scan.root() + "/net/" + src.file + " were skipped")});
    for (const auto& e : table.entries) {
        core::IpcObject obj;
        obj.kind = kind;
        const std::string local = formatEndpoint(e.local, e.v6, e.localPort);
        const std::string remote = formatEndpoint(e.remote, e.v6, e.remotePort);
        const bool connected = e.remotePort != 0;
        obj.name = connected ? local + " -> " + remote : local;
        Details d(obj.details, 10);
        d.add("protocol", std::string(src.tcp ? "tcp" : "udp") + (e.v6 ? "6" : ""));
        d.add("local", local);
        d.add("remote", remote);
        // UDP reuses TCP_ESTABLISHED for connected sockets and TCP_CLOSE for unconnected ones.
        d.add("state", src.tcp ? tcpStateName(e.state) : (e.state == 1 ? "connected" : "unconnected"));
        if (src.tcp && e.state == 10) {
            // A listener's receive queue counts connections waiting for accept(); inet_diag
            // also gives the backlog limit in place of the send queue.
            d.add("backlog", e.rxQueue);
            if (table.fromDiag) d.add("max_backlog", e.txQueue);
        } else {
            d.add("send_queue", e.txQueue);
            d.add("recv_queue", e.rxQueue);
        }
        d.add("uid", e.uid);
        d.add("inode", e.inode);
        if (!src.tcp)
            if (auto svc = netbiosService(e.localPort); !svc.empty()) d.add("netbios", svc);
        // Sockets in TIME_WAIT and similar have no inode and no owner.
        if (e.inode != 0)
            if (auto it = scan.sockets().find(e.inode); it != scan.sockets().end())
                for (const auto& r : it->second) obj.addHolder(scan.holder(r));
        out.objects.push_back(std::move(obj));
    }
}

}  // namespace

InetTables readInetTables(const std::string& root, bool live) {
    return {readTable(root, live, kSources[0]), readTable(root, live, kSources[1]), readTable(root, live, kSources[2]),
            readTable(root, live, kSources[3])};
}

void collectSockets(const ProcScan& scan, const InetTables* tables, core::Snapshot& out) {
    const InetTables own = tables ? InetTables{} : readInetTables(scan.root(), scan.root() == "/proc");
    const InetTables& t = tables ? *tables : own;
    addRows(scan, t.tcp, kSources[0], out);
    addRows(scan, t.tcp6, kSources[1], out);
    addRows(scan, t.udp, kSources[2], out);
    addRows(scan, t.udp6, kSources[3], out);
}

}  // namespace ipcscope::lnx
