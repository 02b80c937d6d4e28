// sockets / tcp, udp: the IP helper tables with owning PIDs (GetExtendedTcpTable with
// TCP_TABLE_OWNER_PID_ALL, GetExtendedUdpTable with UDP_TABLE_OWNER_PID), IPv4 and IPv6.
// NOTE: Wine learns socket owners from the host's /proc and often reports PID 0; such rows say
// "pid unknown" rather than naming the System Idle Process.

#include "windows/families.h"
#include "windows/row_format.h"

#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <iphlpapi.h>

#include <cstring>
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

void addRow(core::Snapshot& out, const std::unordered_map<std::uint32_t, std::string>& names, core::Kind kind,
            std::string local, std::string remote, std::string_view state, DWORD pid) {
    core::IpcObject obj;
    obj.kind = kind;
    obj.name = remote.empty() ? local : local + " -> " + remote;
    obj.details["local"] = local;
    if (!remote.empty()) obj.details["remote"] = remote;
    if (!state.empty()) obj.details["state"] = std::string(state);
    if (pid != 0) {
        auto it = names.find(pid);
        obj.addHolder({pid, it == names.end() ? std::string() : it->second, "owner"});
    } else {
        obj.details["pid"] = "unknown";
    }
    out.objects.push_back(std::move(obj));
}

void tcp(core::Snapshot& out, const std::unordered_map<std::uint32_t, std::string>& names) {
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
            addRow(out, names, core::Kind::TcpSocket,
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
            addRow(out, names, core::Kind::TcpSocket,
                   formatEndpoint(formatIpv6(v6(r.ucLocalAddr), r.dwLocalScopeId), portFromTableDword(r.dwLocalPort), true),
                   listening ? std::string()
                             : formatEndpoint(formatIpv6(v6(r.ucRemoteAddr), r.dwRemoteScopeId), portFromTableDword(r.dwRemotePort), true),
                   tcpStateName(r.dwState), r.dwOwningPid);
        }
    }
}

void udp(core::Snapshot& out, const std::unordered_map<std::uint32_t, std::string>& names) {
    auto t4 = fetchTable([](void* b, DWORD* n) { return GetExtendedUdpTable(b, n, TRUE, AF_INET, UDP_TABLE_OWNER_PID, 0); },
                         "GetExtendedUdpTable (IPv4) failed");
    if (!t4) {
        out.errors.push_back({core::Family::Sockets, core::Kind::UdpSocket, t4.error()});
    } else if (t4->size() >= sizeof(DWORD)) {
        const auto* table = reinterpret_cast<const MIB_UDPTABLE_OWNER_PID*>(t4->data());
        const std::size_t max = (t4->size() - offsetof(MIB_UDPTABLE_OWNER_PID, table)) / sizeof(MIB_UDPROW_OWNER_PID);
        for (std::size_t i = 0; i < std::min<std::size_t>(table->dwNumEntries, max); ++i) {
            const auto& r = table->table[i];
            addRow(out, names, core::Kind::UdpSocket,
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
            addRow(out, names, core::Kind::UdpSocket,
                   formatEndpoint(formatIpv6(v6(r.ucLocalAddr), r.dwLocalScopeId), portFromTableDword(r.dwLocalPort), true),
                   {}, {}, r.dwOwningPid);
        }
    }
}

}  // namespace

void collectSockets(core::Snapshot& out) {
    const auto names = processNames();
    tcp(out, names);
    udp(out, names);
}

}  // namespace ipcscope::win
