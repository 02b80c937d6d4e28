#include "net/udp.h"

#include "wire/netbios.h"

#include <algorithm>
#include <cstring>
#include <mutex>

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#include <iphlpapi.h>
#include <windows.h>
#else
#include <arpa/inet.h>
#include <cerrno>
#include <ifaddrs.h>
#include <net/if.h>
#ifdef __linux__
#include <linux/sock_diag.h>
#endif
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

namespace ipcscope::net {
namespace {

#ifdef _WIN32
using NativeSocket = SOCKET;
constexpr std::intptr_t kInvalid = static_cast<std::intptr_t>(INVALID_SOCKET);
int lastError() { return WSAGetLastError(); }
core::Error sockError(int err, const std::string& what) { return core::Error::fromWin32(static_cast<std::uint32_t>(err), what); }
void ensureStarted() {
    static std::once_flag once;
    std::call_once(once, [] {
        WSADATA data{};
        WSAStartup(MAKEWORD(2, 2), &data);
    });
}
#else
using NativeSocket = int;
constexpr std::intptr_t kInvalid = -1;
int lastError() { return errno; }
core::Error sockError(int err, const std::string& what) { return core::Error::fromErrno(err, what); }
void ensureStarted() {}
#endif

NativeSocket native(std::intptr_t h) { return static_cast<NativeSocket>(h); }

sockaddr_in toSockaddr(Endpoint e) {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(e.port);
    sa.sin_addr.s_addr = htonl(e.ip);
    return sa;
}

core::Status setFlag(std::intptr_t h, int level, int option, bool on, const char* name) {
    int v = on ? 1 : 0;
    if (::setsockopt(native(h), level, option, reinterpret_cast<const char*>(&v), sizeof v) != 0)
        return sockError(lastError(), std::string("cannot set ") + name);
    return core::okStatus();
}

}  // namespace

std::string Endpoint::text() const { return wire::ipv4Text(ip) + ":" + std::to_string(port); }

core::Result<UdpSocket> UdpSocket::open() {
    ensureStarted();
    const auto s = ::socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    if (static_cast<std::intptr_t>(s) == kInvalid) return sockError(lastError(), "cannot create a UDP socket");
    return UdpSocket(static_cast<std::intptr_t>(s));
}

UdpSocket::UdpSocket(UdpSocket&& other) noexcept : m_handle(other.m_handle), m_buffer(std::move(other.m_buffer)) {
    other.m_handle = kInvalid;
}

UdpSocket& UdpSocket::operator=(UdpSocket&& other) noexcept {
    if (this != &other) {
        close();
        m_handle = other.m_handle;
        m_buffer = std::move(other.m_buffer);
        other.m_handle = kInvalid;
    }
    return *this;
}

UdpSocket::~UdpSocket() { close(); }

void UdpSocket::close() noexcept {
    if (m_handle == kInvalid) return;
#ifdef _WIN32
    ::closesocket(native(m_handle));
#else
    ::close(native(m_handle));
#endif
    m_handle = kInvalid;
}

core::Status UdpSocket::setBroadcast(bool on) { return setFlag(m_handle, SOL_SOCKET, SO_BROADCAST, on, "SO_BROADCAST"); }

core::Status UdpSocket::setReuseAddress(bool on) { return setFlag(m_handle, SOL_SOCKET, SO_REUSEADDR, on, "SO_REUSEADDR"); }

core::Status UdpSocket::bindToDevice(const std::string& device) {
#ifdef SO_BINDTODEVICE
    if (::setsockopt(native(m_handle), SOL_SOCKET, SO_BINDTODEVICE, device.c_str(), static_cast<socklen_t>(device.size())) != 0)
        return sockError(lastError(), "cannot bind to interface " + device);
    return core::okStatus();
#else
    (void)device;
    return core::Error::make(core::Errc::NotSupported, "binding to an interface by name is not supported here");
#endif
}

core::Status UdpSocket::bind(Endpoint local) {
    const sockaddr_in sa = toSockaddr(local);
    if (::bind(native(m_handle), reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0) {
        const int err = lastError();
        return sockError(err, "cannot bind UDP " + local.text());
    }
    return core::okStatus();
}

core::Result<int> UdpSocket::setReceiveBuffer(int bytes) {
#ifdef SO_RCVBUFFORCE
    // NOTE: the kernel doubles the value (half is bookkeeping) and reports the doubled size.
    if (::setsockopt(native(m_handle), SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) != 0)
#endif
        if (::setsockopt(native(m_handle), SOL_SOCKET, SO_RCVBUF, reinterpret_cast<const char*>(&bytes), sizeof bytes) != 0)
            return sockError(lastError(), "cannot set the receive buffer");
    int granted = 0;
    socklen_t len = sizeof granted;
    if (::getsockopt(native(m_handle), SOL_SOCKET, SO_RCVBUF, reinterpret_cast<char*>(&granted), &len) != 0)
        return sockError(lastError(), "cannot read the receive buffer size");
    return granted;
}

core::Status UdpSocket::enableDropCounter() {
#ifdef SO_RXQ_OVFL
    return setFlag(m_handle, SOL_SOCKET, SO_RXQ_OVFL, true, "SO_RXQ_OVFL");
#else
    return core::Error::make(core::Errc::NotSupported, "the kernel does not count dropped datagrams per socket here");
#endif
}

core::Result<std::uint32_t> UdpSocket::kernelDrops() const {
#if defined(__linux__) && defined(SO_MEMINFO)
    std::uint32_t info[SK_MEMINFO_VARS] = {};
    socklen_t len = sizeof info;
    if (::getsockopt(native(m_handle), SOL_SOCKET, SO_MEMINFO, info, &len) != 0)
        return sockError(lastError(), "cannot read the socket's drop count");
    if (len <= SK_MEMINFO_DROPS * sizeof(std::uint32_t))
        return core::Error::make(core::Errc::NotSupported, "the kernel does not report the socket's drop count");
    return info[SK_MEMINFO_DROPS];
#else
    return core::Error::make(core::Errc::NotSupported, "the kernel does not count dropped datagrams per socket here");
#endif
}

core::Status UdpSocket::connect(Endpoint remote) {
    const sockaddr_in sa = toSockaddr(remote);
    if (::connect(native(m_handle), reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0)
        return sockError(lastError(), "cannot connect UDP to " + remote.text());
    return core::okStatus();
}

core::Result<Endpoint> UdpSocket::localEndpoint() const {
    sockaddr_in sa{};
    socklen_t len = sizeof sa;
    if (::getsockname(native(m_handle), reinterpret_cast<sockaddr*>(&sa), &len) != 0)
        return sockError(lastError(), "cannot read the socket's local address");
    return Endpoint{ntohl(sa.sin_addr.s_addr), ntohs(sa.sin_port)};
}

core::Status UdpSocket::sendTo(Endpoint to, std::span<const std::uint8_t> bytes) {
    const sockaddr_in sa = toSockaddr(to);
    const auto n = ::sendto(native(m_handle), reinterpret_cast<const char*>(bytes.data()), static_cast<int>(bytes.size()), 0,
                            reinterpret_cast<const sockaddr*>(&sa), sizeof sa);
    if (n < 0) return sockError(lastError(), "cannot send to " + to.text());
    if (static_cast<std::size_t>(n) != bytes.size())
        return core::Error::make(core::Errc::Io, "sent only " + std::to_string(n) + " of " + std::to_string(bytes.size()) + " bytes");
    return core::okStatus();
}

core::Result<std::optional<Datagram>> UdpSocket::receive(std::chrono::milliseconds timeout) {
#ifdef _WIN32
    WSAPOLLFD p{};
    p.fd = native(m_handle);
    p.events = POLLRDNORM;
    const int r = ::WSAPoll(&p, 1, static_cast<INT>(timeout.count()));
#else
    pollfd p{native(m_handle), POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (r < 0 && errno == EINTR) r = 0;
#endif
    if (r < 0) return sockError(lastError(), "cannot wait for a datagram");
    if (r == 0) return std::optional<Datagram>{};
    // Read into one buffer the size of the largest datagram, then copy out only what came:
    // a queue of small datagrams must not hold 64 KiB each.
    m_buffer.resize(65536);
    Datagram d;
    sockaddr_in sa{};
#ifdef _WIN32
    int len = sizeof sa;
    const auto n = ::recvfrom(native(m_handle), reinterpret_cast<char*>(m_buffer.data()), static_cast<int>(m_buffer.size()), 0,
                              reinterpret_cast<sockaddr*>(&sa), &len);
#else
    iovec iov{m_buffer.data(), m_buffer.size()};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(std::uint32_t))];
    msghdr msg{};
    msg.msg_name = &sa;
    msg.msg_namelen = sizeof sa;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    const auto n = ::recvmsg(native(m_handle), &msg, 0);
#ifdef SO_RXQ_OVFL
    if (n >= 0)
        for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL && c->cmsg_len >= CMSG_LEN(sizeof(std::uint32_t))) {
                std::uint32_t drops = 0;
                std::memcpy(&drops, CMSG_DATA(c), sizeof drops);
                d.kernelDrops = drops;
            }
#endif
#endif
    if (n < 0) {
        const int err = lastError();
#ifdef _WIN32
        // A previous send to a closed port reports WSAECONNRESET here; the socket is fine.
        if (err == WSAECONNRESET || err == WSAEMSGSIZE) return std::optional<Datagram>{};
#endif
        return sockError(err, "cannot receive a datagram");
    }
    d.bytes.assign(m_buffer.begin(), m_buffer.begin() + n);
    d.from = Endpoint{ntohl(sa.sin_addr.s_addr), ntohs(sa.sin_port)};
    return std::optional<Datagram>(std::move(d));
}

core::Result<std::uint32_t> sourceAddressFor(std::uint32_t remote) {
    auto s = UdpSocket::open();
    if (!s) return s.error();
    (void)s->setBroadcast(true);
    if (auto c = s->connect(Endpoint{remote, wire::kDatagramPort}); !c) return c.error();
    auto local = s->localEndpoint();
    if (!local) return local.error();
    return local->ip;
}

core::Result<std::vector<Interface>> interfaces() {
    std::vector<Interface> out;
#ifdef _WIN32
    ensureStarted();
    ULONG size = 16 * 1024;
    std::vector<unsigned char> buf;
    ULONG rc = ERROR_BUFFER_OVERFLOW;
    for (int attempt = 0; attempt < 3 && rc == ERROR_BUFFER_OVERFLOW; ++attempt) {
        buf.resize(size);
        rc = GetAdaptersAddresses(AF_INET, GAA_FLAG_SKIP_ANYCAST | GAA_FLAG_SKIP_MULTICAST | GAA_FLAG_SKIP_DNS_SERVER, nullptr,
                                  reinterpret_cast<IP_ADAPTER_ADDRESSES*>(buf.data()), &size);
    }
    if (rc != NO_ERROR) return core::Error::fromWin32(rc, "cannot list network interfaces");
    for (auto* a = reinterpret_cast<IP_ADAPTER_ADDRESSES*>(buf.data()); a; a = a->Next) {
        if (a->OperStatus != IfOperStatusUp) continue;
        std::string friendly;
        for (const wchar_t* w = a->FriendlyName; w && *w; ++w) friendly.push_back(*w < 128 ? static_cast<char>(*w) : '?');
        for (auto* u = a->FirstUnicastAddress; u; u = u->Next) {
            if (!u->Address.lpSockaddr || u->Address.lpSockaddr->sa_family != AF_INET) continue;
            Interface i;
            i.name = friendly.empty() ? std::string(a->AdapterName) : friendly;
            i.address = ntohl(reinterpret_cast<sockaddr_in*>(u->Address.lpSockaddr)->sin_addr.s_addr);
            const unsigned prefix = std::min<unsigned>(u->OnLinkPrefixLength, 32);
            i.netmask = prefix == 0 ? 0 : ~0u << (32 - prefix);
            i.broadcast = i.address | ~i.netmask;
            i.loopback = a->IfType == IF_TYPE_SOFTWARE_LOOPBACK;
            out.push_back(std::move(i));
        }
    }
#else
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return core::Error::fromErrno(errno, "cannot list network interfaces");
    for (ifaddrs* a = list; a; a = a->ifa_next) {
        if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET || !(a->ifa_flags & IFF_UP)) continue;
        Interface i;
        i.name = a->ifa_name;
        i.address = ntohl(reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr.s_addr);
        if (a->ifa_netmask) i.netmask = ntohl(reinterpret_cast<sockaddr_in*>(a->ifa_netmask)->sin_addr.s_addr);
        if ((a->ifa_flags & IFF_BROADCAST) && a->ifa_broadaddr)
            i.broadcast = ntohl(reinterpret_cast<sockaddr_in*>(a->ifa_broadaddr)->sin_addr.s_addr);
        else
            i.broadcast = i.address | ~i.netmask;
        i.loopback = (a->ifa_flags & IFF_LOOPBACK) != 0;
        out.push_back(std::move(i));
    }
    ::freeifaddrs(list);
#endif
    return out;
}

core::Result<Interface> findInterface(std::string_view nameOrAddress) {
    auto all = interfaces();
    if (!all) return all.error();
    const auto ip = wire::parseIpv4(nameOrAddress);
    std::string names;
    for (const auto& i : *all) {
        if (i.name == nameOrAddress || (ip && *ip == i.address)) return i;
        names += (names.empty() ? "" : ", ") + i.name;
    }
    return core::Error::make(core::Errc::NotFound, "no IPv4 interface '" + std::string(nameOrAddress) +
                                                       "' is up (there are: " + (names.empty() ? "none" : names) + ")");
}

}  // namespace ipcscope::net
