#include "net/socket_io.h"

#include "net/tcp.h"
#include "net/udp.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>
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
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#endif

namespace ipcscope::net {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

#ifdef _WIN32
using NativeSocket = SOCKET;
using PollFd = WSAPOLLFD;
constexpr std::intptr_t kInvalid = static_cast<std::intptr_t>(INVALID_SOCKET);
int lastError() { return WSAGetLastError(); }
bool wouldBlock(int err) { return err == WSAEWOULDBLOCK || err == WSAEINPROGRESS; }
bool refused(int err) { return err == WSAECONNREFUSED || err == WSAECONNRESET; }
core::Error sockError(int err, const std::string& what) { return core::Error::fromWin32(static_cast<std::uint32_t>(err), what); }
constexpr core::NativeKind kNativeKind = core::NativeKind::Win32;
int pollOnce(PollFd* fds, std::size_t n, milliseconds t) { return ::WSAPoll(fds, static_cast<ULONG>(n), static_cast<INT>(t.count())); }
void setNonBlocking(std::intptr_t s) {
    u_long on = 1;
    ioctlsocket(static_cast<SOCKET>(s), FIONBIO, &on);
}
constexpr int kSendFlags = 0;
#else
using NativeSocket = int;
using PollFd = pollfd;
constexpr std::intptr_t kInvalid = -1;
int lastError() { return errno; }
bool wouldBlock(int err) { return err == EAGAIN || err == EWOULDBLOCK || err == EINPROGRESS; }
bool refused(int err) { return err == ECONNREFUSED || err == ENOENT || err == ECONNRESET; }
core::Error sockError(int err, const std::string& what) { return core::Error::fromErrno(err, what); }
constexpr core::NativeKind kNativeKind = core::NativeKind::Errno;
int pollOnce(PollFd* fds, std::size_t n, milliseconds t) { return ::poll(fds, n, static_cast<int>(t.count())); }
void setNonBlocking(std::intptr_t s) {
    const int fd = static_cast<int>(s);
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}
constexpr int kSendFlags = MSG_NOSIGNAL;
#endif

NativeSocket native(std::intptr_t h) { return static_cast<NativeSocket>(h); }

core::Error refusedError(int err, const std::string& target) {
    return core::Error{core::Errc::NotFound, kNativeKind, err, target + " does not exist or refuses connections"};
}

milliseconds left(Clock::time_point deadline) {
    return std::max(milliseconds(0), std::chrono::duration_cast<milliseconds>(deadline - Clock::now()));
}

/// Waits for `events` on one socket until the deadline: true when ready.
bool waitFor(std::intptr_t s, short events, Clock::time_point deadline) {
    for (;;) {
        PollFd p{};
        p.fd = native(s);
        p.events = events;
        const int r = pollOnce(&p, 1, left(deadline));
        if (r > 0) return true;
        if (r == 0 || Clock::now() >= deadline) return false;
        // EINTR: a signal (Ctrl-C in listen) interrupted the wait; the caller checks again.
#ifndef _WIN32
        if (errno == EINTR) return false;
#endif
        return false;
    }
}

std::string addressText(const sockaddr_storage& ss, socklen_t len) {
    char buf[INET6_ADDRSTRLEN] = {};
    if (ss.ss_family == AF_INET) {
        const auto& a = reinterpret_cast<const sockaddr_in&>(ss);
        ::inet_ntop(AF_INET, &a.sin_addr, buf, sizeof buf);
        return std::string(buf) + ":" + std::to_string(ntohs(a.sin_port));
    }
    if (ss.ss_family == AF_INET6) {
        const auto& a = reinterpret_cast<const sockaddr_in6&>(ss);
        ::inet_ntop(AF_INET6, &a.sin6_addr, buf, sizeof buf);
        return "[" + std::string(buf) + "]:" + std::to_string(ntohs(a.sin6_port));
    }
#ifndef _WIN32
    if (ss.ss_family == AF_UNIX) {
        const auto& a = reinterpret_cast<const sockaddr_un&>(ss);
        const auto pathLen = static_cast<std::size_t>(len) - offsetof(sockaddr_un, sun_path);
        if (len <= static_cast<socklen_t>(offsetof(sockaddr_un, sun_path)) || pathLen == 0) return {};
        if (a.sun_path[0] == '\0') return "@" + std::string(a.sun_path + 1, pathLen - 1);
        return std::string(a.sun_path, strnlen(a.sun_path, pathLen));
    }
#else
    (void)len;
#endif
    return {};
}

class SocketSender final : public platform::Sender {
public:
    SocketSender(std::intptr_t s, bool stream, std::string via, const platform::SendOptions& o, std::string target)
        : m_socket(s), m_stream(stream), m_via(std::move(via)), m_options(o), m_target(std::move(target)) {}
    ~SocketSender() override { closeSocket(m_socket); }

    core::Result<platform::SendResult> send(std::span<const std::uint8_t> bytes) override {
        const auto start = Clock::now();
        const auto deadline = start + m_options.timeout;
        std::size_t done = 0;
        do {
            const auto n = ::send(native(m_socket), reinterpret_cast<const char*>(bytes.data() + done),
                                  static_cast<int>(bytes.size() - done), kSendFlags);
            if (n >= 0) {
                done += static_cast<std::size_t>(n);
                if (!m_stream) break;
                continue;
            }
            const int err = lastError();
            if (refused(err)) return core::Error::make(core::Errc::NotFound, m_target + " refused the message: nothing receives there");
            if (!wouldBlock(err)) return sockError(err, "cannot send to " + m_target);
            if (!waitFor(m_socket, POLLOUT, deadline))
                return core::Error::make(core::Errc::Timeout, m_target + " stayed full for " +
                                                                  std::to_string(m_options.timeout.count()) + " ms (" +
                                                                  std::to_string(done) + " of " + std::to_string(bytes.size()) +
                                                                  " bytes written)");
        } while (done < bytes.size());
        platform::SendResult r;
        r.written = done;
        r.via = m_via;
        if (m_options.expectReply) {
            auto reply = readReply(Clock::now() + m_options.timeout);
            if (!reply) return reply.error();
            r.reply = std::move(*reply);
        }
        r.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
        return r;
    }

private:
    core::Result<std::vector<std::uint8_t>> readReply(Clock::time_point deadline) {
        std::vector<std::uint8_t> out;
        const std::size_t want = m_options.replyBytes;
        std::vector<std::uint8_t> buf(65536);
        for (;;) {
            if (!waitFor(m_socket, POLLIN, deadline)) break;
            const auto n = ::recv(native(m_socket), reinterpret_cast<char*>(buf.data()), static_cast<int>(buf.size()), 0);
            if (n > 0) {
                out.insert(out.end(), buf.begin(), buf.begin() + n);
                if (want == 0 || out.size() >= want) break;
                continue;
            }
            if (n == 0 && m_stream) {
                if (out.empty()) return core::Error::make(core::Errc::Io, m_target + " closed the connection without a reply");
                break;
            }
            const int err = lastError();
            if (n < 0 && wouldBlock(err)) continue;
            if (n < 0 && refused(err)) return core::Error::make(core::Errc::NotFound, m_target + " refused the message: nothing receives there");
            if (n < 0) return sockError(err, "cannot read the reply from " + m_target);
        }
        if (out.empty())
            return core::Error::make(core::Errc::Timeout, "no reply from " + m_target + " within " +
                                                              std::to_string(m_options.timeout.count()) + " ms");
        if (want > 0 && out.size() > want) out.resize(want);
        return out;
    }

    std::intptr_t m_socket;
    bool m_stream;
    std::string m_via;
    platform::SendOptions m_options;
    std::string m_target;
};

class SocketListener final : public platform::Listener {
public:
    SocketListener(std::intptr_t s, bool stream, std::string endpoint, std::function<void()> cleanup)
        : m_socket(s), m_stream(stream), m_endpoint(std::move(endpoint)), m_cleanup(std::move(cleanup)) {}
    ~SocketListener() override {
        for (auto& [id, c] : m_clients) closeSocket(c.socket);
        closeSocket(m_socket);
        if (m_cleanup) m_cleanup();
    }

    std::string endpoint() const override { return m_endpoint; }

    core::Result<std::optional<platform::Received>> receive(milliseconds timeout) override {
        const auto deadline = Clock::now() + timeout;
        std::vector<std::uint8_t> buf(65536);
        do {
            std::vector<PollFd> fds;
            std::vector<std::uint64_t> ids;
            PollFd p{};
            p.fd = native(m_socket);
            p.events = POLLIN;
            fds.push_back(p);
            ids.push_back(0);
            for (auto& [id, c] : m_clients) {
                p.fd = native(c.socket);
                fds.push_back(p);
                ids.push_back(id);
            }
            const int r = pollOnce(fds.data(), fds.size(), left(deadline));
            if (r <= 0) return std::optional<platform::Received>();  // timeout, or a signal to look at
            for (std::size_t i = 0; i < fds.size(); ++i) {
                if (fds[i].revents == 0) continue;
                if (i == 0 && m_stream) {
                    acceptOne();
                    continue;
                }
                sockaddr_storage from{};
                socklen_t fromLen = sizeof from;
                const std::intptr_t s = i == 0 ? m_socket : m_clients[ids[i]].socket;
                const auto n = ::recvfrom(native(s), reinterpret_cast<char*>(buf.data()), static_cast<int>(buf.size()), 0,
                                          i == 0 ? reinterpret_cast<sockaddr*>(&from) : nullptr, i == 0 ? &fromLen : nullptr);
                if (n <= 0 && i > 0) {  // the client closed (or failed): forget it
                    closeSocket(s);
                    m_clients.erase(ids[i]);
                    continue;
                }
                if (n < 0) continue;
                platform::Received msg;
                msg.bytes.assign(buf.begin(), buf.begin() + n);
                if (i > 0) {
                    msg.channel = ids[i];
                    msg.from = m_clients[ids[i]].from;
                } else {
                    msg.channel = rememberPeer(from, fromLen);
                    msg.from = addressText(from, fromLen);
                }
                return std::optional<platform::Received>(std::move(msg));
            }
        } while (Clock::now() < deadline);
        return std::optional<platform::Received>();
    }

    core::Status reply(const platform::Received& message, std::span<const std::uint8_t> bytes) override {
        const auto deadline = Clock::now() + milliseconds(5000);
        if (m_stream) {
            auto it = m_clients.find(message.channel);
            if (it == m_clients.end()) return core::Error::make(core::Errc::NotFound, "the sender has gone");
            std::size_t done = 0;
            while (done < bytes.size()) {
                const auto n = ::send(native(it->second.socket), reinterpret_cast<const char*>(bytes.data() + done),
                                      static_cast<int>(bytes.size() - done), kSendFlags);
                if (n >= 0) {
                    done += static_cast<std::size_t>(n);
                } else if (!wouldBlock(lastError()) || !waitFor(it->second.socket, POLLOUT, deadline)) {
                    return sockError(lastError(), "cannot echo to " + it->second.from);
                }
            }
            return core::okStatus();
        }
        auto it = m_peers.find(message.channel);
        if (it == m_peers.end() || it->second.second == 0 || message.from.empty())
            return core::Error::make(core::Errc::NotSupported, "the sender has no address to answer to");
        const auto n = ::sendto(native(m_socket), reinterpret_cast<const char*>(bytes.data()), static_cast<int>(bytes.size()),
                                kSendFlags, reinterpret_cast<const sockaddr*>(&it->second.first), it->second.second);
        if (n < 0) return sockError(lastError(), "cannot echo to " + message.from);
        return core::okStatus();
    }

private:
    struct Client {
        std::intptr_t socket = kInvalid;
        std::string from;
    };

    void acceptOne() {
        sockaddr_storage from{};
        socklen_t len = sizeof from;
        const auto c = ::accept(native(m_socket), reinterpret_cast<sockaddr*>(&from), &len);
        if (static_cast<std::intptr_t>(c) == kInvalid) return;
        setNonBlocking(static_cast<std::intptr_t>(c));
        std::string text = addressText(from, len);
#ifndef _WIN32
        if (text.empty() && from.ss_family == AF_UNIX) {
            ucred cred{};
            socklen_t cl = sizeof cred;
            if (::getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &cl) == 0) text = "pid " + std::to_string(cred.pid);
        }
#endif
        m_clients[++m_nextId] = Client{static_cast<std::intptr_t>(c), std::move(text)};
    }

    std::uint64_t rememberPeer(const sockaddr_storage& from, socklen_t len) {
        constexpr std::size_t kMaxPeers = 64;
        if (m_peers.size() >= kMaxPeers) m_peers.erase(m_peers.begin());
        m_peers[++m_nextId] = {from, len};
        return m_nextId;
    }

    std::intptr_t m_socket;
    bool m_stream;
    std::string m_endpoint;
    std::function<void()> m_cleanup;
    std::map<std::uint64_t, Client> m_clients;
    std::map<std::uint64_t, std::pair<sockaddr_storage, socklen_t>> m_peers;
    std::uint64_t m_nextId = 0;
};

struct Resolved {
    sockaddr_storage address{};
    socklen_t length = 0;
    int family = AF_INET;
};

core::Result<Resolved> resolve(const core::Target& t, bool passive) {
    ensureSocketsStarted();
    addrinfo hints{};
    hints.ai_socktype = t.kind == core::TargetKind::Tcp ? SOCK_STREAM : SOCK_DGRAM;
    hints.ai_flags = passive ? AI_PASSIVE : 0;
    addrinfo* res = nullptr;
    const std::string port = std::to_string(t.port);
    const int rc = ::getaddrinfo(t.host.c_str(), port.c_str(), &hints, &res);
    if (rc != 0 || !res)
        return core::Error::make(core::Errc::NotFound, "cannot resolve the host '" + t.host + "' of " + core::formatTarget(t));
    Resolved r;
    std::memcpy(&r.address, res->ai_addr, res->ai_addrlen);
    r.length = static_cast<socklen_t>(res->ai_addrlen);
    r.family = res->ai_family;
    ::freeaddrinfo(res);
    return r;
}

#ifndef _WIN32
// unix:PATH and unix:@NAME (unix(7)).

/// sockaddr_un for a path or an abstract name; false when the name does not fit.
bool unixAddress(const core::Target& t, sockaddr_un& sa, socklen_t& len) {
    sa = {};
    sa.sun_family = AF_UNIX;
    const std::size_t room = sizeof sa.sun_path - (t.abstract ? 1 : 1);
    if (t.name.size() > room) return false;
    if (t.abstract) {
        std::memcpy(sa.sun_path + 1, t.name.data(), t.name.size());
        len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + t.name.size());
    } else {
        std::memcpy(sa.sun_path, t.name.data(), t.name.size());
        len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + t.name.size() + 1);
    }
    return true;
}

std::string_view typeName(int type) {
    return type == SOCK_STREAM ? "stream" : type == SOCK_DGRAM ? "datagram" : type == SOCK_SEQPACKET ? "seqpacket" : "socket";
}

core::Result<std::unique_ptr<platform::Sender>> openUnix(const core::Target& t, const platform::SendOptions& o) {
    const std::string text = core::formatTarget(t);
    sockaddr_un sa{};
    socklen_t len = 0;
    if (!unixAddress(t, sa, len)) return core::Error::make(core::Errc::InvalidArgument, "the socket name of " + text + " is too long");
    // The target does not say its type: connecting with a socket of the wrong type fails with
    // EPROTOTYPE (unix(7)), so try each type and keep the one the kernel accepts.
    core::Error last = core::Error::make(core::Errc::NotFound, text + " does not exist");
    for (int type : {SOCK_STREAM, SOCK_SEQPACKET, SOCK_DGRAM}) {
        const int fd = ::socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
        if (fd < 0) return core::Error::fromErrno(errno, "cannot create a Unix socket");
        if (type == SOCK_DGRAM) {
            // Autobind to an abstract address so a listener can answer (--expect-reply).
            sa_family_t family = AF_UNIX;
            (void)::bind(fd, reinterpret_cast<const sockaddr*>(&family), sizeof family);
        }
        auto c = connectWithin(fd, &sa, static_cast<int>(len), o.timeout, text);
        if (c) {
            int actual = type;
            socklen_t al = sizeof actual;
            ::getsockopt(fd, SOL_SOCKET, SO_TYPE, &actual, &al);
            return makeSocketSender(fd, actual == SOCK_STREAM, "unix " + std::string(typeName(actual)), o, text);
        }
        ::close(fd);
        // A path names one socket, so the wrong type is EPROTOTYPE. An abstract name is looked
        // up together with the type, so the wrong type answers ECONNREFUSED.
        const bool wrongType = c.error().native == EPROTOTYPE || (t.abstract && c.error().native == ECONNREFUSED);
        if (!wrongType) return c.error();
        if (last.native != EPROTOTYPE) last = c.error();
    }
    return last;
}

core::Result<std::unique_ptr<platform::Listener>> listenUnix(const core::Target& t, int type) {
    const std::string text = core::formatTarget(t);
    sockaddr_un sa{};
    socklen_t len = 0;
    if (!unixAddress(t, sa, len)) return core::Error::make(core::Errc::InvalidArgument, "the socket name of " + text + " is too long");
    const int fd = ::socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
    if (fd < 0) return core::Error::fromErrno(errno, "cannot create a Unix socket");
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&sa), len) != 0 || (type != SOCK_DGRAM && ::listen(fd, 16) != 0)) {
        const int err = errno;
        ::close(fd);
        return core::Error::fromErrno(err, "cannot listen on " + text);
    }
    std::function<void()> cleanup;
    if (!t.abstract) cleanup = [path = t.name] { ::unlink(path.c_str()); };
    return makeSocketListener(fd, type != SOCK_DGRAM, text, std::move(cleanup));
}

#endif

}  // namespace

core::Status connectWithin(std::intptr_t s, const void* address, int length, milliseconds timeout, const std::string& target) {
    setNonBlocking(s);
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        if (::connect(native(s), static_cast<const sockaddr*>(address), static_cast<socklen_t>(length)) == 0) return core::okStatus();
        const int err = lastError();
#ifndef _WIN32
        // A Unix stream listener with a full backlog answers EAGAIN: try again until the deadline.
        if (err == EAGAIN) {
            if (Clock::now() >= deadline) break;
            std::this_thread::sleep_for(milliseconds(10));
            continue;
        }
        if (err == EPROTOTYPE) return core::Error::fromErrno(err, target + " is a socket of another type");
#endif
        if (refused(err)) return refusedError(err, target);
        if (!wouldBlock(err)) return sockError(err, "cannot connect to " + target);
        if (!waitFor(s, POLLOUT, deadline)) break;
        int soErr = 0;
        socklen_t len = sizeof soErr;
        ::getsockopt(native(s), SOL_SOCKET, SO_ERROR, reinterpret_cast<char*>(&soErr), &len);
        if (soErr == 0) return core::okStatus();
        if (refused(soErr)) return refusedError(soErr, target);
        return sockError(soErr, "cannot connect to " + target);
    }
    return core::Error::make(core::Errc::Timeout, "no connection to " + target + " within " + std::to_string(timeout.count()) + " ms");
}

std::unique_ptr<platform::Sender> makeSocketSender(std::intptr_t socket, bool stream, std::string via,
                                                   const platform::SendOptions& options, std::string target) {
    return std::make_unique<SocketSender>(socket, stream, std::move(via), options, std::move(target));
}

std::unique_ptr<platform::Listener> makeSocketListener(std::intptr_t socket, bool stream, std::string endpoint,
                                                       std::function<void()> cleanup) {
    setNonBlocking(socket);
    return std::make_unique<SocketListener>(socket, stream, std::move(endpoint), std::move(cleanup));
}

core::Result<std::unique_ptr<platform::Sender>> openInetSender(const core::Target& t, const platform::SendOptions& options) {
    const std::string text = core::formatTarget(t);
    if (t.port == 0) return core::Error::make(core::Errc::InvalidArgument, "target '" + text + "': port 0 takes no messages");
    auto addr = resolve(t, false);
    if (!addr) return addr.error();
    const bool tcp = t.kind == core::TargetKind::Tcp;
    const auto s = ::socket(addr->family, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
    if (static_cast<std::intptr_t>(s) == kInvalid) return sockError(lastError(), "cannot create a socket for " + text);
    const auto handle = static_cast<std::intptr_t>(s);
    if (auto c = connectWithin(handle, &addr->address, static_cast<int>(addr->length), options.timeout, text); !c) {
        closeSocket(handle);
        return c.error();
    }
    return makeSocketSender(handle, tcp, tcp ? "tcp" : "udp datagram", options, text);
}

core::Result<std::unique_ptr<platform::Listener>> openInetListener(const core::Target& t) {
    const std::string text = core::formatTarget(t);
    auto addr = resolve(t, true);
    if (!addr) return addr.error();
    const bool tcp = t.kind == core::TargetKind::Tcp;
    const auto s = ::socket(addr->family, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
    if (static_cast<std::intptr_t>(s) == kInvalid) return sockError(lastError(), "cannot create a socket for " + text);
    const auto handle = static_cast<std::intptr_t>(s);
    if (tcp) {
        int on = 1;
        ::setsockopt(native(handle), SOL_SOCKET, SO_REUSEADDR, reinterpret_cast<const char*>(&on), sizeof on);
    }
    if (::bind(native(handle), reinterpret_cast<const sockaddr*>(&addr->address), addr->length) != 0 ||
        (tcp && ::listen(native(handle), 16) != 0)) {
        const int err = lastError();
        closeSocket(handle);
        return sockError(err, "cannot listen on " + text);
    }
    sockaddr_storage bound{};
    socklen_t len = sizeof bound;
    core::Target actual = t;
    if (::getsockname(native(handle), reinterpret_cast<sockaddr*>(&bound), &len) == 0) {
        const std::string a = addressText(bound, len);
        if (auto parsed = core::parseTarget((tcp ? "tcp:" : "udp:") + a)) actual = *parsed;
    }
    return makeSocketListener(handle, tcp, core::formatTarget(actual), {});
}

core::Result<std::unique_ptr<platform::Sender>> openSender(const core::Target& t, const platform::SendOptions& o) {
    switch (t.kind) {
    case core::TargetKind::Tcp:
    case core::TargetKind::Udp: return openInetSender(t, o);
#ifndef _WIN32
    case core::TargetKind::Unix: return openUnix(t, o);
#endif
    default: return platform::openSender(t, o);
    }
}

core::Result<std::unique_ptr<platform::Listener>> openListener(const core::Target& t, const platform::ListenOptions& o) {
    switch (t.kind) {
    case core::TargetKind::Tcp:
    case core::TargetKind::Udp: return openInetListener(t);
#ifndef _WIN32
    case core::TargetKind::Unix:
        return listenUnix(t, o.socketType == "dgram" || o.socketType == "datagram" ? SOCK_DGRAM
                             : o.socketType == "seqpacket"                        ? SOCK_SEQPACKET
                                                                                  : SOCK_STREAM);
#endif
    default: return platform::openListener(t, o);
    }
}

}  // namespace ipcscope::net
