// TCP and UDP endpoints (IPv4 and IPv6) of the caller's network namespace from /proc/net,
// with owning processes from the shared fd walk.

#include "linux/collectors.h"

#include <cerrno>

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

void collectFile(const ProcScan& scan, const NetText& net, const char* file, bool tcp, core::Snapshot& out) {
    const std::string path = scan.root() + "/net/" + file;
    const auto& text = net.read ? net.text : readNetFile(scan.root(), file).text;
    if (!text) {
        errno = net.read ? net.err : errno;
        // A kernel without IPv6 has no tcp6/udp6: nothing to show, not a failure.
        if (errno != ENOENT)
            out.errors.push_back({core::Family::Sockets, tcp ? core::Kind::TcpSocket : core::Kind::UdpSocket,
                                  core::Error::fromErrno(errno, "cannot read " + path)});
        return;
    }
    std::size_t bad = 0;
    for (const auto& e : parseProcNetInet(*text, &bad)) {
        core::IpcObject obj;
        obj.kind = tcp ? core::Kind::TcpSocket : core::Kind::UdpSocket;
        const std::string local = formatEndpoint(e.local, e.v6, e.localPort);
        const std::string remote = formatEndpoint(e.remote, e.v6, e.remotePort);
        const bool connected = e.remotePort != 0;
        obj.name = connected ? local + " -> " + remote : local;
        auto& d = obj.details;
        d["protocol"] = std::string(tcp ? "tcp" : "udp") + (e.v6 ? "6" : "");
        d["local"] = local;
        d["remote"] = remote;
        // UDP reuses TCP_ESTABLISHED for connected sockets and TCP_CLOSE for unconnected ones.
        d["state"] = tcp ? tcpStateName(e.state) : (e.state == 1 ? "connected" : "unconnected");
        d["send_queue"] = e.txQueue;
        d["recv_queue"] = e.rxQueue;
        d["uid"] = e.uid;
        d["inode"] = e.inode;
        if (!tcp) {
            if (auto svc = netbiosService(e.localPort); !svc.empty()) d["netbios"] = svc;
        }
        // Sockets in TIME_WAIT and similar have no inode and no owner.
        if (e.inode != 0)
            if (auto it = scan.sockets().find(e.inode); it != scan.sockets().end())
                for (const auto& r : it->second) obj.addHolder(scan.holder(r));
        out.objects.push_back(std::move(obj));
    }
    if (bad > 0)
        out.errors.push_back({core::Family::Sockets, tcp ? core::Kind::TcpSocket : core::Kind::UdpSocket,
                              core::Error::make(core::Errc::Malformed, std::to_string(bad) + " malformed lines in " + path + " were skipped")});
}

}  // namespace

NetText readNetFile(const std::string& root, const char* file) {
    NetText t;
    t.read = true;
    t.text = readSmallFile(root + "/net/" + file);
    t.err = t.text ? 0 : errno;
    return t;
}

InetTexts readInetTexts(const std::string& root) {
    return {readNetFile(root, "tcp"), readNetFile(root, "tcp6"), readNetFile(root, "udp"), readNetFile(root, "udp6")};
}

void collectSockets(const ProcScan& scan, const InetTexts* texts, core::Snapshot& out) {
    const InetTexts none{};
    const InetTexts& t = texts ? *texts : none;
    collectFile(scan, t.tcp, "tcp", true, out);
    collectFile(scan, t.tcp6, "tcp6", true, out);
    collectFile(scan, t.udp, "udp", false, out);
    collectFile(scan, t.udp6, "udp6", false, out);
}

}  // namespace ipcscope::lnx
