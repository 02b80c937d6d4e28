#include "net/tcp.h"

#include "net/udp.h"

#include <charconv>
#include <cstring>
#include <vector>

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#else
#include <arpa/inet.h>
#include <cerrno>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

namespace ipcscope::net {
namespace {

#ifdef _WIN32
using NativeSocket = SOCKET;
int lastError() { return WSAGetLastError(); }
bool wouldBlock(int err) { return err == WSAEWOULDBLOCK; }
core::Error sockError(int err, const std::string& what) { return core::Error::fromWin32(static_cast<std::uint32_t>(err), what); }
bool invalid(NativeSocket s) { return s == INVALID_SOCKET; }
bool setNonBlocking(NativeSocket s) {
    u_long on = 1;
    return ::ioctlsocket(s, FIONBIO, &on) == 0;
}
#else
using NativeSocket = int;
int lastError() { return errno; }
bool wouldBlock(int err) { return err == EAGAIN || err == EWOULDBLOCK || err == EINTR; }
core::Error sockError(int err, const std::string& what) { return core::Error::fromErrno(err, what); }
bool invalid(NativeSocket s) { return s < 0; }
bool setNonBlocking(NativeSocket s) {
    const int flags = ::fcntl(s, F_GETFL, 0);
    return flags >= 0 && ::fcntl(s, F_SETFL, flags | O_NONBLOCK) == 0;
}
#endif

NativeSocket native(SocketHandle h) { return static_cast<NativeSocket>(h); }

ListenAddress fromSockaddr(const sockaddr_storage& sa) {
    ListenAddress out;
    char text[INET6_ADDRSTRLEN] = {};
    if (sa.ss_family == AF_INET6) {
        const auto& s6 = reinterpret_cast<const sockaddr_in6&>(sa);
        ::inet_ntop(AF_INET6, &s6.sin6_addr, text, sizeof text);
        out.port = ntohs(s6.sin6_port);
    } else {
        const auto& s4 = reinterpret_cast<const sockaddr_in&>(sa);
        ::inet_ntop(AF_INET, &s4.sin_addr, text, sizeof text);
        out.port = ntohs(s4.sin_port);
    }
    out.host = text;
    return out;
}

template <class Getter>
core::Result<ListenAddress> addressOf(SocketHandle s, Getter get, const char* what) {
    sockaddr_storage sa{};
    socklen_t len = sizeof sa;
    if (get(native(s), reinterpret_cast<sockaddr*>(&sa), &len) != 0) return sockError(lastError(), what);
    return fromSockaddr(sa);
}

}  // namespace

std::string ListenAddress::text() const {
    return host.find(':') != std::string::npos ? "[" + host + "]:" + std::to_string(port) : host + ":" + std::to_string(port);
}

bool ListenAddress::loopback() const { return host == "::1" || host.starts_with("127."); }

core::Result<ListenAddress> parseListenAddress(std::string_view text) {
    auto bad = [&](const std::string& why) {
        return core::Error::make(core::Errc::InvalidArgument,
                                 "--listen takes ADDRESS:PORT with a numeric address (127.0.0.1:9464, [::1]:9464) or a "
                                 "port, not '" + std::string(text) + "': " + why);
    };
    ListenAddress out;
    std::string_view host, port = text;
    if (text.starts_with('[')) {
        const auto close = text.find("]:");
        if (close == std::string_view::npos) return bad("an IPv6 address needs [ADDRESS]:PORT");
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else if (const auto colon = text.rfind(':'); colon != std::string_view::npos) {
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
        if (host.find(':') != std::string_view::npos) return bad("write an IPv6 address in brackets");
    }
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc{} || end != port.data() + port.size() || value > 65535)
        return bad("the port must be a number from 0 to 65535");
    out.port = static_cast<std::uint16_t>(value);
    if (!host.empty()) {
        unsigned char buf[16];
        const std::string h(host);
        const bool v6 = ::inet_pton(AF_INET6, h.c_str(), buf) == 1;
        if (!v6 && ::inet_pton(AF_INET, h.c_str(), buf) != 1) return bad("'" + h + "' is not a numeric IPv4 or IPv6 address");
        out.host = h;
    }
    return out;
}

core::Result<SocketHandle> listenTcp(const ListenAddress& where, int backlog) {
    ensureSocketsStarted();
    sockaddr_storage sa{};
    socklen_t len = 0;
    const bool v6 = where.host.find(':') != std::string::npos;
    if (v6) {
        auto& s6 = reinterpret_cast<sockaddr_in6&>(sa);
        s6.sin6_family = AF_INET6;
        s6.sin6_port = htons(where.port);
        if (::inet_pton(AF_INET6, where.host.c_str(), &s6.sin6_addr) != 1)
            return core::Error::make(core::Errc::InvalidArgument, "not an IPv6 address: " + where.host);
        len = sizeof(sockaddr_in6);
    } else {
        auto& s4 = reinterpret_cast<sockaddr_in&>(sa);
        s4.sin_family = AF_INET;
        s4.sin_port = htons(where.port);
        if (::inet_pton(AF_INET, where.host.c_str(), &s4.sin_addr) != 1)
            return core::Error::make(core::Errc::InvalidArgument, "not an IPv4 address: " + where.host);
        len = sizeof(sockaddr_in);
    }
    const NativeSocket s = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (invalid(s)) return sockError(lastError(), "cannot create a TCP socket");
    const auto fail = [&](const std::string& what) {
        const int err = lastError();
        closeSocket(static_cast<SocketHandle>(s));
        return sockError(err, what);
    };
#ifdef _WIN32
    // Windows' SO_REUSEADDR lets a second process take the port; exclusive use is the safe default.
    int on = 1;
    ::setsockopt(s, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, reinterpret_cast<const char*>(&on), sizeof on);
#else
    int on = 1;  // restart quickly while old connections sit in TIME_WAIT
    ::setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
#endif
    if (v6) {
        int only = 1;
        ::setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, reinterpret_cast<const char*>(&only), sizeof only);
    }
    if (::bind(s, reinterpret_cast<const sockaddr*>(&sa), len) != 0) return fail("cannot listen on TCP " + where.text());
    if (::listen(s, backlog) != 0) return fail("cannot listen on TCP " + where.text());
    if (!setNonBlocking(s)) return fail("cannot make the listening socket non-blocking");
    return static_cast<SocketHandle>(s);
}

core::Result<ListenAddress> localAddress(SocketHandle s) {
    return addressOf(s, [](auto... a) { return ::getsockname(a...); }, "cannot read the socket's local address");
}

core::Result<ListenAddress> peerAddress(SocketHandle s) {
    return addressOf(s, [](auto... a) { return ::getpeername(a...); }, "cannot read the socket's peer address");
}

SocketHandle acceptTcp(SocketHandle listener) {
    const NativeSocket s = ::accept(native(listener), nullptr, nullptr);
    if (invalid(s)) return kNoSocket;
    if (!setNonBlocking(s)) {
        closeSocket(static_cast<SocketHandle>(s));
        return kNoSocket;
    }
    int on = 1;  // responses go out in one write; do not wait for an ACK before the last segment
    ::setsockopt(s, IPPROTO_TCP, TCP_NODELAY, reinterpret_cast<const char*>(&on), sizeof on);
    return static_cast<SocketHandle>(s);
}

void closeSocket(SocketHandle s) noexcept {
    if (s == kNoSocket) return;
#ifdef _WIN32
    ::closesocket(native(s));
#else
    ::close(native(s));
#endif
}

IoResult receiveSome(SocketHandle s, std::span<char> into) {
    const auto n = ::recv(native(s), into.data(), static_cast<int>(into.size()), 0);
    if (n > 0) return {Io::Done, static_cast<std::size_t>(n)};
    if (n == 0) return {Io::Closed, 0};
    return {wouldBlock(lastError()) ? Io::WouldBlock : Io::Failed, 0};
}

IoResult sendSome(SocketHandle s, std::span<const char> bytes) {
#ifdef MSG_NOSIGNAL
    constexpr int kFlags = MSG_NOSIGNAL;  // a peer that went away is an error, not SIGPIPE
#else
    constexpr int kFlags = 0;
#endif
    const auto n = ::send(native(s), bytes.data(), static_cast<int>(bytes.size()), kFlags);
    if (n >= 0) return {Io::Done, static_cast<std::size_t>(n)};
    return {wouldBlock(lastError()) ? Io::WouldBlock : Io::Failed, 0};
}

core::Result<std::size_t> pollSockets(std::span<PollEntry> entries, std::chrono::milliseconds timeout) {
#ifdef _WIN32
    std::vector<WSAPOLLFD> fds(entries.size());
    constexpr short kRead = POLLRDNORM, kWrite = POLLWRNORM;
#else
    std::vector<pollfd> fds(entries.size());
    constexpr short kRead = POLLIN, kWrite = POLLOUT;
#endif
    for (std::size_t i = 0; i < entries.size(); ++i) {
        fds[i].fd = native(entries[i].socket);
        fds[i].events = static_cast<short>((entries[i].wantRead ? kRead : 0) | (entries[i].wantWrite ? kWrite : 0));
        fds[i].revents = 0;
    }
#ifdef _WIN32
    const int r = ::WSAPoll(fds.data(), static_cast<ULONG>(fds.size()), static_cast<INT>(timeout.count()));
#else
    int r = ::poll(fds.data(), fds.size(), static_cast<int>(timeout.count()));
    if (r < 0 && errno == EINTR) r = 0;
#endif
    if (r < 0) return sockError(lastError(), "cannot wait on sockets");
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const short ev = fds[i].revents;
        entries[i].readable = (ev & (kRead | POLLHUP | POLLERR | POLLNVAL)) != 0;
        entries[i].writable = (ev & (kWrite | POLLERR | POLLHUP)) != 0;
    }
    return static_cast<std::size_t>(r);
}

}  // namespace ipcscope::net
