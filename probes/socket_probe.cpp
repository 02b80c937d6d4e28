// ipcscope-probe-socket: --transport tcp (127.0.0.1, an ephemeral port), unix (an AF_UNIX
// stream socket in a private temporary folder) or udp (127.0.0.1). The receiver listens and
// prints the port or path; the sender connects. Loopback only.
//
// UDP: each message is one datagram. In bulk mode the receiver acknowledges every few
// datagrams and the sender keeps at most a small window unacknowledged (it goes on after
// 200 ms without an acknowledgement), so the receive buffer is not simply overrun; what is
// lost or reordered anyway is counted.

#include "probe_main.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#if defined(_WIN32)
#include <winsock2.h>
#include <ws2tcpip.h>
#include <afunix.h>
#include <windows.h>
#else
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#endif

namespace ipcscope::probe {
namespace {

using core::Errc;
using core::Error;
using core::Status;

constexpr std::uint64_t kMaxDatagram = 65507;
constexpr int kDatagramWaitMs = 200;

#if defined(_WIN32)
using Sock = SOCKET;
constexpr Sock kNoSock = INVALID_SOCKET;
void closeSock(Sock s) { closesocket(s); }
Error sockError(const std::string& what) { return Error::fromWin32(static_cast<std::uint32_t>(WSAGetLastError()), what); }
bool wouldBlock() { return WSAGetLastError() == WSAETIMEDOUT || WSAGetLastError() == WSAEWOULDBLOCK; }
bool refused() { return WSAGetLastError() == WSAECONNRESET || WSAGetLastError() == WSAECONNREFUSED; }
constexpr int kSendFlags = 0;
#else
using Sock = int;
constexpr Sock kNoSock = -1;
void closeSock(Sock s) { close(s); }
Error sockError(const std::string& what) { return Error::fromErrno(errno, what); }
bool wouldBlock() { return errno == EAGAIN || errno == EWOULDBLOCK; }
bool refused() { return errno == ECONNREFUSED; }
constexpr int kSendFlags = MSG_NOSIGNAL;
#endif

struct Socket {
    Sock s = kNoSock;
    Socket() = default;
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    ~Socket() { reset(); }
    void reset(Sock to = kNoSock) {
        if (s != kNoSock) closeSock(s);
        s = to;
    }
};

/// The temporary folder for AF_UNIX socket files.
std::string tempDir() {
#if defined(_WIN32)
    char buf[MAX_PATH + 1] = {};
    const DWORD n = GetTempPathA(MAX_PATH, buf);
    std::string dir(buf, n);
    if (!dir.empty() && (dir.back() == '\\' || dir.back() == '/')) dir.pop_back();
    return dir + "\\ipcscope-probe-unix-" + std::to_string(GetCurrentProcessId());
#else
    return "/tmp/ipcscope-probe-unix-" + std::to_string(getpid());
#endif
}

void setNoDelay(Sock s) {
    int one = 1;
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, reinterpret_cast<const char*>(&one), sizeof one);
}

void setReceiveTimeout(Sock s, int ms) {
#if defined(_WIN32)
    const DWORD v = static_cast<DWORD>(ms);
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, reinterpret_cast<const char*>(&v), sizeof v);
#else
    timeval tv{ms / 1000, (ms % 1000) * 1000};
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
#endif
}

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    return a;
}

core::Result<std::uint16_t> parsePort(const std::string& endpoint) {
    unsigned long v = 0;
    for (char c : endpoint) {
        if (c < '0' || c > '9' || v > 65535) return Error::make(Errc::InvalidArgument, "endpoint '" + endpoint + "' is not a port");
        v = v * 10 + static_cast<unsigned long>(c - '0');
    }
    if (endpoint.empty() || v == 0 || v > 65535) return Error::make(Errc::InvalidArgument, "endpoint '" + endpoint + "' is not a port");
    return static_cast<std::uint16_t>(v);
}

class StreamSocketLink final : public StreamLink {
public:
    explicit StreamSocketLink(std::size_t maxMessage) : StreamLink(maxMessage) {}
    ~StreamSocketLink() override {
        m_sock.reset();
        if (!m_path.empty()) removePath();
    }

    Status listenAndAccept(const ProbeOptions& o, const std::function<void(const std::string&)>& ready) {
        Socket listener;
        if (o.transport == "unix") {
            listener.s = socket(AF_UNIX, SOCK_STREAM, 0);
            if (listener.s == kNoSock) return unixMissing();
            m_dir = tempDir();
#if defined(_WIN32)
            if (!CreateDirectoryA(m_dir.c_str(), nullptr)) return Error::fromWin32(GetLastError(), "CreateDirectory " + m_dir);
            m_path = m_dir + "\\s";
#else
            if (mkdir(m_dir.c_str(), 0700) != 0) return Error::fromErrno(errno, "mkdir " + m_dir);
            m_path = m_dir + "/s";
#endif
            sockaddr_un a{};
            a.sun_family = AF_UNIX;
            std::strncpy(a.sun_path, m_path.c_str(), sizeof a.sun_path - 1);
            if (bind(listener.s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return sockError("bind " + m_path);
            if (listen(listener.s, 1) != 0) return sockError("listen");
            ready(m_path);
        } else {
            listener.s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
            if (listener.s == kNoSock) return sockError("socket(AF_INET)");
            sockaddr_in a = loopback(0);
            if (bind(listener.s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return sockError("bind 127.0.0.1:0");
            if (listen(listener.s, 1) != 0) return sockError("listen");
            socklen_t len = sizeof a;
            if (getsockname(listener.s, reinterpret_cast<sockaddr*>(&a), &len) != 0) return sockError("getsockname");
            ready(std::to_string(ntohs(a.sin_port)));
        }
        m_sock.reset(accept(listener.s, nullptr, nullptr));
        if (m_sock.s == kNoSock) return sockError("accept");
        if (!m_path.empty()) removePath();
        if (o.transport == "tcp" && o.mode == ProbeMode::PingPong) setNoDelay(m_sock.s);
        return core::okStatus();
    }

    Status connectTo(const ProbeOptions& o) {
        if (o.transport == "unix") {
            m_sock.reset(socket(AF_UNIX, SOCK_STREAM, 0));
            if (m_sock.s == kNoSock) return unixMissing();
            sockaddr_un a{};
            a.sun_family = AF_UNIX;
            if (o.endpoint.size() >= sizeof a.sun_path) return Error::make(Errc::InvalidArgument, "socket path too long: " + o.endpoint);
            std::strncpy(a.sun_path, o.endpoint.c_str(), sizeof a.sun_path - 1);
            if (connect(m_sock.s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return sockError("connect " + o.endpoint);
            return core::okStatus();
        }
        auto port = parsePort(o.endpoint);
        if (!port) return port.error();
        m_sock.reset(socket(AF_INET, SOCK_STREAM, IPPROTO_TCP));
        if (m_sock.s == kNoSock) return sockError("socket(AF_INET)");
        sockaddr_in a = loopback(*port);
        if (connect(m_sock.s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return sockError("connect 127.0.0.1:" + o.endpoint);
        if (o.mode == ProbeMode::PingPong) setNoDelay(m_sock.s);
        return core::okStatus();
    }

protected:
    core::Result<std::size_t> readSome(unsigned char* p, std::size_t n) override {
        while (true) {
            const auto got = recv(m_sock.s, reinterpret_cast<char*>(p), static_cast<int>(std::min<std::size_t>(n, 1u << 30)), 0);
            if (got >= 0) return static_cast<std::size_t>(got);
#if !defined(_WIN32)
            if (errno == EINTR) continue;
#endif
            return sockError("recv");
        }
    }
    Status writeAll(const unsigned char* p, std::size_t n) override {
        while (n > 0) {
            const auto put = ::send(m_sock.s, reinterpret_cast<const char*>(p), static_cast<int>(std::min<std::size_t>(n, 1u << 30)), kSendFlags);
            if (put < 0) {
#if !defined(_WIN32)
                if (errno == EINTR) continue;
#endif
                return sockError("send");
            }
            p += put;
            n -= static_cast<std::size_t>(put);
        }
        return core::okStatus();
    }

private:
    static Error unixMissing() {
        auto e = sockError("socket(AF_UNIX, SOCK_STREAM)");
        e.code = Errc::NotSupported;
        e.context = "AF_UNIX stream sockets are not supported here: " + e.context;
        return e;
    }
    void removePath() {
#if defined(_WIN32)
        DeleteFileA(m_path.c_str());
        RemoveDirectoryA(m_dir.c_str());
#else
        unlink(m_path.c_str());
        rmdir(m_dir.c_str());
#endif
        m_path.clear();
    }

    Socket m_sock;
    std::string m_dir;
    std::string m_path;
};

class DatagramLink final : public Link {
public:
    explicit DatagramLink(const ProbeOptions& o)
        : m_buffer(static_cast<std::size_t>(std::max<std::uint64_t>(o.messageSize, 64))), m_bulk(o.mode == ProbeMode::Bulk) {
        // A window of about 100 KiB of datagrams (each costs about 1 KiB more in the kernel).
        m_window = std::max<std::uint64_t>(2, (100u << 10) / (o.messageSize + 1024));
        m_ackEvery = std::max<std::uint64_t>(1, m_window / 2);
    }
    bool datagrams() const override { return true; }

    Status bind(const std::function<void(const std::string&)>& ready) {
        if (auto st = makeSocket(); !st) return st;
        sockaddr_in a = loopback(0);
        if (::bind(m_sock.s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return sockError("bind 127.0.0.1:0 (udp)");
        socklen_t len = sizeof a;
        if (getsockname(m_sock.s, reinterpret_cast<sockaddr*>(&a), &len) != 0) return sockError("getsockname");
        ready(std::to_string(ntohs(a.sin_port)));
        return core::okStatus();
    }

    Status connectTo(const std::string& endpoint) {
        auto port = parsePort(endpoint);
        if (!port) return port.error();
        if (auto st = makeSocket(); !st) return st;
        sockaddr_in a = loopback(*port);
        if (connect(m_sock.s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return sockError("connect 127.0.0.1:" + endpoint + " (udp)");
        m_connected = true;
        return core::okStatus();
    }

    Status send(const unsigned char* msg, std::size_t n) override {
        const bool data = n > sizeof(MessageHeader);
        if (m_bulk && data && !m_receiving) {
            // The sender: wait for an acknowledgement when the window is full (at most one wait).
            if (m_sent - m_acked >= m_window) {
                std::uint64_t ack = 0;
                const auto got = recv(m_sock.s, reinterpret_cast<char*>(&ack), sizeof ack, 0);
                if (got == static_cast<int>(sizeof ack)) m_acked = std::max(m_acked, ack);
                else m_acked = m_sent;  // lost acknowledgement or timeout: go on
                // Take every further acknowledgement already queued without waiting.
                while (pendingAck(ack)) m_acked = std::max(m_acked, ack);
            }
            ++m_sent;
        }
        while (true) {
            if (::send(m_sock.s, reinterpret_cast<const char*>(msg), static_cast<int>(n), kSendFlags) >= 0) return core::okStatus();
            if (refused()) continue;  // an earlier datagram found no listener; the error is reported on the next call
            return sockError("send (udp)");
        }
    }

    Status receive(MessageView& view) override {
        m_receiving = true;
        while (true) {
            sockaddr_in from{};
            socklen_t len = sizeof from;
            const auto got = recvfrom(m_sock.s, reinterpret_cast<char*>(m_buffer.data()), static_cast<int>(m_buffer.size()), 0,
                                      reinterpret_cast<sockaddr*>(&from), &len);
            if (got < 0) {
                if (wouldBlock()) return Error::make(Errc::Timeout, "no datagram within " + std::to_string(kDatagramWaitMs) + " ms");
                if (refused()) continue;
                return sockError("recv (udp)");
            }
            if (!m_connected) {
                if (connect(m_sock.s, reinterpret_cast<sockaddr*>(&from), len) != 0) return sockError("connect back to the sender (udp)");
                m_connected = true;
            }
            view.data = m_buffer.data();
            view.size = static_cast<std::size_t>(got);
            if (m_bulk && ++m_arrived % m_ackEvery == 0) {
                const std::uint64_t ack = m_arrived;
                (void)::send(m_sock.s, reinterpret_cast<const char*>(&ack), sizeof ack, kSendFlags);
            }
            return core::okStatus();
        }
    }

private:
    Status makeSocket() {
        m_sock.reset(socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP));
        if (m_sock.s == kNoSock) return sockError("socket(AF_INET, SOCK_DGRAM)");
        int big = 4 << 20;
        setsockopt(m_sock.s, SOL_SOCKET, SO_RCVBUF, reinterpret_cast<const char*>(&big), sizeof big);
        setsockopt(m_sock.s, SOL_SOCKET, SO_SNDBUF, reinterpret_cast<const char*>(&big), sizeof big);
        setReceiveTimeout(m_sock.s, kDatagramWaitMs);
        return core::okStatus();
    }
    bool pendingAck(std::uint64_t& ack) {
#if defined(_WIN32)
        u_long avail = 0;
        if (ioctlsocket(m_sock.s, FIONREAD, &avail) != 0 || avail < sizeof ack) return false;
        return recv(m_sock.s, reinterpret_cast<char*>(&ack), sizeof ack, 0) == static_cast<int>(sizeof ack);
#else
        return recv(m_sock.s, &ack, sizeof ack, MSG_DONTWAIT) == static_cast<ssize_t>(sizeof ack);
#endif
    }

    Socket m_sock;
    std::vector<unsigned char> m_buffer;
    bool m_bulk;
    bool m_connected = false;
    bool m_receiving = false;
    std::uint64_t m_window = 2;
    std::uint64_t m_ackEvery = 1;
    std::uint64_t m_sent = 0;
    std::uint64_t m_acked = 0;
    std::uint64_t m_arrived = 0;
};

core::Result<std::unique_ptr<Link>> open(const ProbeOptions& o, const std::function<void(const std::string&)>& ready) {
#if defined(_WIN32)
    static const bool started = [] {
        WSADATA wsa;
        return WSAStartup(MAKEWORD(2, 2), &wsa) == 0;
    }();
    if (!started) return Error::make(Errc::Io, "WSAStartup failed");
#endif
    if (o.transport == "udp") {
        if (o.messageSize > kMaxDatagram)
            return Error::make(Errc::NotSupported, "a udp datagram holds at most " + std::to_string(kMaxDatagram) + " bytes; asked for " +
                                                       std::to_string(o.messageSize));
        auto link = std::make_unique<DatagramLink>(o);
        if (auto st = o.role == ProbeRole::Receiver ? link->bind(ready) : link->connectTo(o.endpoint); !st) return st.error();
        return std::unique_ptr<Link>(std::move(link));
    }
    auto link = std::make_unique<StreamSocketLink>(static_cast<std::size_t>(o.messageSize));
    if (auto st = o.role == ProbeRole::Receiver ? link->listenAndAccept(o, ready) : link->connectTo(o); !st) return st.error();
    return std::unique_ptr<Link>(std::move(link));
}

}  // namespace
}  // namespace ipcscope::probe

int main(int argc, char** argv) {
    return ipcscope::probe::probeMain(argc, argv, {"tcp", "udp", "unix"}, ipcscope::probe::open);
}
