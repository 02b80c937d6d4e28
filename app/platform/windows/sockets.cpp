// sockets / tcp, udp: the IP helper tables with owning PIDs (GetExtendedTcpTable with
// TCP_TABLE_OWNER_PID_ALL, GetExtendedUdpTable with UDP_TABLE_OWNER_PID), IPv4 and IPv6.
// NOTE: Wine learns socket owners from the host's /proc and often reports PID 0; the owner is
// then looked up through the handle table, and a row whose owner stays unknown says so
// (pid_source "unknown") rather than naming the System Idle Process. Under Wine the tables
// also list the host's own Linux sockets, which have no Windows owner.

#include "base/text.h"
#include "platform/windows/families.h"
#include "platform/windows/row_format.h"

#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <iphlpapi.h>

#include <algorithm>
#include <cstring>
#include <set>
#include <optional>
#include <vector>

namespace ipcscope::win {
namespace {

template <class Fn>
core::Result<std::vector<std::uint8_t>> fetchTable(Fn&& call, const char* what) {
    std::vector<std::uint8_t> buf(16 * 1024);
    // The table can grow between the size query and the copy: retry a few times.
    for (int attempt = 0; attempt < 5; ++attempt) {
        DWORD size = static_cast<DWORD>(buf.size());
        const DWORD rc = call(buf.data(), &size);
        if (rc == NO_ERROR) {
            buf.resize(size);
            return buf;
        }
        if (rc != ERROR_INSUFFICIENT_BUFFER) return core::Error::fromWin32(rc, what);
        buf.resize(static_cast<std::size_t>(size) + 4096);
    }
    return core::Error::make(core::Errc::Io, std::string(what) + ": the table kept growing");
}

std::array<std::uint8_t, 4> v4(DWORD addr) {
    std::array<std::uint8_t, 4> b{};
    std::memcpy(b.data(), &addr, 4);  // stored in network order
    return b;
}

std::array<std::uint8_t, 16> v6(const UCHAR* addr) {
    std::array<std::uint8_t, 16> b{};
    std::memcpy(b.data(), addr, 16);
    return b;
}

struct Row {
    core::Kind kind;
    std::string local;
    std::string remote;  // empty for listeners and UDP
    std::string state;
    DWORD pid;
};
using Rows = std::vector<Row>;

void addRow(Rows& rows, core::Kind kind, std::string local, std::string remote, std::string_view state, DWORD pid) {
    rows.push_back({kind, std::move(local), std::move(remote), std::string(state), pid});
}


// "127.0.0.1:80" / "[::1]:80" from a socket address, as the table rows spell it.
std::optional<std::string> endpointText(const sockaddr_storage& ss) {
    if (ss.ss_family == AF_INET) {
        const auto& a = reinterpret_cast<const sockaddr_in&>(ss);
        std::array<std::uint8_t, 4> b{};
        std::memcpy(b.data(), &a.sin_addr, 4);
        return formatEndpoint(formatIpv4(b), ntohs(a.sin_port), false);
    }
    if (ss.ss_family == AF_INET6) {
        const auto& a = reinterpret_cast<const sockaddr_in6&>(ss);
        std::array<std::uint8_t, 16> b{};
        std::memcpy(b.data(), &a.sin6_addr, 16);
        return formatEndpoint(formatIpv6(b, a.sin6_scope_id), ntohs(a.sin6_port), true);
    }
    return std::nullopt;
}

// A socket handle of another process and the addresses it answered with.
struct SocketHandle {
    std::string local;
    std::optional<std::string> remote;  // none when getpeername did not answer
    core::Holder holder;
};

// Wine fills the owner PID of the IP helper tables from the host's /proc and mostly finds
// none. Socket handles are File handles in the handle table: duplicated into this process,
// getsockname tells which local address each one has.
// NOTE: under Wine 8.0 only getsockname answers on a duplicated socket handle; getpeername and
// getsockopt (SO_TYPE, SO_PROTOCOL_INFO) fail with WSAENOTSOCK. So rows are matched by their
// local address, and only where every handle with that address belongs to one process.
std::vector<SocketHandle> socketHandles(Context& ctx) {
    std::vector<SocketHandle> found;
    const auto& table = ctx.handleTable();
    if (!table) return found;
    WSADATA wsa;
    if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0) return found;
    const auto fileIndex = ctx.typeIndex("File");
    const auto self = GetCurrentProcessId();
    // Named handles that are not sockets (files, pipes, devices: names come from the query
    // worker, which survives handles that block) are skipped, so Winsock is only asked about
    // sockets (\Device\Afd on Windows) and unnamed File handles (sockets under Wine).
    std::set<std::pair<std::uint32_t, std::uint64_t>> notSockets;
    const std::u16string_view afd = u"\\Device\\Afd";
    for (const auto& n : ctx.namedFileHandles())
        if (base::toLowerAscii(std::u16string_view(n.name).substr(0, afd.size())) != base::toLowerAscii(afd))
            notSockets.emplace(n.entry.pid, n.entry.handle);
    for (const auto& e : *table) {
        if (e.pid == self || e.pid == 0 || (fileIndex && e.typeIndex != *fileIndex)) continue;
        if (notSockets.count({e.pid, e.handle})) continue;
        UniqueHandle dup = ctx.duplicate(e);
        if (!dup) continue;
        const auto s = reinterpret_cast<SOCKET>(dup.get());
        sockaddr_storage local{}, peer{};
        int localLen = sizeof local, peerLen = sizeof peer;
        if (getsockname(s, reinterpret_cast<sockaddr*>(&local), &localLen) != 0) continue;
        auto localText = endpointText(local);
        if (!localText) continue;
        std::optional<std::string> remote;
        if (getpeername(s, reinterpret_cast<sockaddr*>(&peer), &peerLen) == 0) remote = endpointText(peer);
        found.push_back({std::move(*localText), std::move(remote), ctx.holder(e, "socket")});
    }
    WSACleanup();
    return found;
}

// The holders of an unowned row: the handles with the same local and remote address if the
// peer is known, else the handles with the same local address when they all belong to one
// process (a listener and the connections it accepted share their local address).
std::vector<core::Holder> ownersOf(const Row& r, const std::vector<SocketHandle>& handles) {
    std::vector<core::Holder> exact, byLocal;
    std::set<std::int64_t> pids;
    for (const auto& h : handles) {
        if (h.local != r.local) continue;
        if (h.remote) {
            if (*h.remote == r.remote) exact.push_back(h.holder);
            continue;
        }
        byLocal.push_back(h.holder);
        pids.insert(h.holder.pid);
    }
    if (!exact.empty()) return exact;
    if (pids.size() == 1) return byLocal;
    return {};
}

void tcp(core::Snapshot& out, Rows& rows) {
    auto t4 = fetchTable([](void* b, DWORD* n) { return GetExtendedTcpTable(b, n, TRUE, AF_INET, TCP_TABLE_OWNER_PID_ALL, 0); },
                         "GetExtendedTcpTable (IPv4) failed");
    if (!t4) {
        out.errors.push_back({core::Family::Sockets, core::Kind::TcpSocket, t4.error()});
    } else if (t4->size() >= sizeof(DWORD)) {
        const auto* table = reinterpret_cast<const MIB_TCPTABLE_OWNER_PID*>(t4->data());
        const std::size_t max = (t4->size() - offsetof(MIB_TCPTABLE_OWNER_PID, table)) / sizeof(MIB_TCPROW_OWNER_PID);
        for (std::size_t i = 0; i < std::min<std::size_t>(table->dwNumEntries, max); ++i) {
            const auto& r = table->table[i];
            const bool listening = r.dwState == MIB_TCP_STATE_LISTEN;
            addRow(rows, core::Kind::TcpSocket,
                   formatEndpoint(formatIpv4(v4(r.dwLocalAddr)), portFromTableDword(r.dwLocalPort), false),
                   listening ? std::string() : formatEndpoint(formatIpv4(v4(r.dwRemoteAddr)), portFromTableDword(r.dwRemotePort), false),
                   tcpStateName(r.dwState), r.dwOwningPid);
        }
    }
    auto t6 = fetchTable([](void* b, DWORD* n) { return GetExtendedTcpTable(b, n, TRUE, AF_INET6, TCP_TABLE_OWNER_PID_ALL, 0); },
                         "GetExtendedTcpTable (IPv6) failed");
    if (!t6) {
        out.errors.push_back({core::Family::Sockets, core::Kind::TcpSocket, t6.error()});
    } else if (t6->size() >= sizeof(DWORD)) {
        const auto* table = reinterpret_cast<const MIB_TCP6TABLE_OWNER_PID*>(t6->data());
        const std::size_t max = (t6->size() - offsetof(MIB_TCP6TABLE_OWNER_PID, table)) / sizeof(MIB_TCP6ROW_OWNER_PID);
        for (std::size_t i = 0; i < std::min<std::size_t>(table->dwNumEntries, max); ++i) {
            const auto& r = table->table[i];
            const bool listening = r.dwState == MIB_TCP_STATE_LISTEN;
            addRow(rows, core::Kind::TcpSocket,
                   formatEndpoint(formatIpv6(v6(r.ucLocalAddr), r.dwLocalScopeId), portFromTableDword(r.dwLocalPort), true),
                   listening ? std::string()
                             : formatEndpoint(formatIpv6(v6(r.ucRemoteAddr), r.dwRemoteScopeId), portFromTableDword(r.dwRemotePort), true),
                   tcpStateName(r.dwState), r.dwOwningPid);
        }
    }
}

void udp(core::Snapshot& out, Rows& rows) {
    auto t4 = fetchTable([](void* b, DWORD* n) { return GetExtendedUdpTable(b, n, TRUE, AF_INET, UDP_TABLE_OWNER_PID, 0); },
                         "GetExtendedUdpTable (IPv4) failed");
    if (!t4) {
        out.errors.push_back({core::Family::Sockets, core::Kind::UdpSocket, t4.error()});
    } else if (t4->size() >= sizeof(DWORD)) {
        const auto* table = reinterpret_cast<const MIB_UDPTABLE_OWNER_PID*>(t4->data());
        const std::size_t max = (t4->size() - offsetof(MIB_UDPTABLE_OWNER_PID, table)) / sizeof(MIB_UDPROW_OWNER_PID);
        for (std::size_t i = 0; i < std::min<std::size_t>(table->dwNumEntries, max); ++i) {
            const auto& r = table->table[i];
            addRow(rows, core::Kind::UdpSocket,
                   formatEndpoint(formatIpv4(v4(r.dwLocalAddr)), portFromTableDword(r.dwLocalPort), false), {}, {},
                   r.dwOwningPid);
        }
    }
    auto t6 = fetchTable([](void* b, DWORD* n) { return GetExtendedUdpTable(b, n, TRUE, AF_INET6, UDP_TABLE_OWNER_PID, 0); },
                         "GetExtendedUdpTable (IPv6) failed");
    if (!t6) {
        out.errors.push_back({core::Family::Sockets, core::Kind::UdpSocket, t6.error()});
    } else if (t6->size() >= sizeof(DWORD)) {
        const auto* table = reinterpret_cast<const MIB_UDP6TABLE_OWNER_PID*>(t6->data());
        const std::size_t max = (t6->size() - offsetof(MIB_UDP6TABLE_OWNER_PID, table)) / sizeof(MIB_UDP6ROW_OWNER_PID);
        for (std::size_t i = 0; i < std::min<std::size_t>(table->dwNumEntries, max); ++i) {
            const auto& r = table->table[i];
            addRow(rows, core::Kind::UdpSocket,
                   formatEndpoint(formatIpv6(v6(r.ucLocalAddr), r.dwLocalScopeId), portFromTableDword(r.dwLocalPort), true),
                   {}, {}, r.dwOwningPid);
        }
    }
}

}  // namespace

void collectSockets(Context& ctx, core::Snapshot& out) {
    Rows rows;
    tcp(out, rows);
    udp(out, rows);
    // PID 0 is also the table's word for TIME_WAIT and similar ownerless TCP states.
    const bool unknownOwners = std::any_of(rows.begin(), rows.end(), [](const Row& r) {
        return r.pid == 0 && r.state != "time-wait" && r.state != "closed" && r.state != "delete-tcb";
    });
    const auto handles = unknownOwners ? socketHandles(ctx) : std::vector<SocketHandle>{};
    for (auto& r : rows) {
        core::IpcObject obj;
        obj.kind = r.kind;
        obj.name = r.remote.empty() ? r.local : r.local + " -> " + r.remote;
        obj.details["local"] = r.local;
        if (!r.remote.empty()) obj.details["remote"] = r.remote;
        if (!r.state.empty()) obj.details["state"] = r.state;
        if (r.pid != 0) {
            obj.details["pid_source"] = "table";
            obj.addHolder({r.pid, ctx.processName(r.pid), "owner"});
        } else if (auto owners = ownersOf(r, handles); !owners.empty() && r.state != "time-wait") {
            obj.details["pid_source"] = "handle";
            for (auto& h : owners) obj.addHolder(std::move(h));
        } else {
            obj.details["pid_source"] = "unknown";
        }
        out.objects.push_back(std::move(obj));
    }
}

}  // namespace ipcscope::win
