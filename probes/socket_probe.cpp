// ipcscope-probe-socket: a sender thread connects to a listening TCP socket on 127.0.0.1 (an
// ephemeral port) and sends; the receiving thread accepts and receives. With --unix (Linux) the
// two ends are a connected AF_UNIX stream pair instead. Loopback only.

#include "probe_main.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#if defined(_WIN32)
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

namespace ipcscope::probe {
namespace {

using base::Error;
using base::Status;

#if defined(_WIN32)
using Sock = SOCKET;
constexpr Sock kNoSock = INVALID_SOCKET;
void closeSock(Sock s) { closesocket(s); }
int lastError() { return WSAGetLastError(); }
Error sockError(const std::string& what) { return Error::fromWin32(static_cast<std::uint32_t>(WSAGetLastError()), what); }
constexpr int kSendFlags = 0;
#else
using Sock = int;
constexpr Sock kNoSock = -1;
void closeSock(Sock s) { close(s); }
int lastError() { return errno; }
Error sockError(const std::string& what) { return Error::fromErrno(errno, what); }
constexpr int kSendFlags = MSG_NOSIGNAL;
#endif

struct Socket {
    Sock s = kNoSock;
    ~Socket() { reset(); }
    void reset() {
        if (s != kNoSock) closeSock(s);
        s = kNoSock;
    }
};

/// Two connected stream sockets: `rx` for the receiver, `tx` for the sender.
Status connectPair(bool unixSocket, Socket& rx, Socket& tx) {
#if !defined(_WIN32)
    if (unixSocket) {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return sockError("socketpair(AF_UNIX)");
        rx.s = sv[0];
        tx.s = sv[1];
        return base::okStatus();
    }
#else
    if (unixSocket) return Error::make(base::Errc::NotSupported, "AF_UNIX stream pairs are not part of this build on Windows");
#endif
    Socket listener;
    listener.s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (listener.s == kNoSock) return sockError("socket(AF_INET)");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (bind(listener.s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return sockError("bind 127.0.0.1:0");
    if (listen(listener.s, 1) != 0) return sockError("listen");
    socklen_t len = sizeof addr;
    if (getsockname(listener.s, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return sockError("getsockname");
    tx.s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (tx.s == kNoSock) return sockError("socket(AF_INET)");
    // Loopback connect completes against the backlog without accept().
    if (connect(tx.s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return sockError("connect to 127.0.0.1");
    rx.s = accept(listener.s, nullptr, nullptr);
    if (rx.s == kNoSock) return sockError("accept");
    return base::okStatus();
}

Status transfer(const ProbeOptions& o, Reporter& reporter) {
#if defined(_WIN32)
    WSADATA wsa;
    if (const int rc = WSAStartup(MAKEWORD(2, 2), &wsa); rc != 0) return Error::fromWin32(static_cast<std::uint32_t>(rc), "WSAStartup");
#endif
    Socket rx, tx;
    if (auto st = connectPair(o.unixSocket, rx, tx); !st) return st;
    std::atomic<bool> stop{false};
    std::thread sender([&] {
        std::vector<char> message(o.messageSize);
        for (std::size_t i = 0; i < message.size(); ++i) message[i] = static_cast<char>(i * 131u);
        std::uint64_t sent = 0;
        while (sent < o.bytes && !stop.load(std::memory_order_relaxed)) {
            const int n = static_cast<int>(std::min<std::uint64_t>(o.messageSize, o.bytes - sent));
            int off = 0;
            while (off < n) {
                const auto w = send(tx.s, message.data() + off, static_cast<std::size_t>(n - off), kSendFlags);
                if (w <= 0) {
#if !defined(_WIN32)
                    if (w < 0 && errno == EINTR) continue;
#endif
                    return;
                }
                off += static_cast<int>(w);
            }
            sent += static_cast<std::uint64_t>(n);
        }
#if defined(_WIN32)
        shutdown(tx.s, SD_SEND);
#else
        shutdown(tx.s, SHUT_WR);
#endif
    });
    std::vector<char> buffer(o.messageSize);
    reporter.start();
    Status result = base::okStatus();
    std::uint64_t got = 0;
    while (got < o.bytes && !reporter.expired()) {
        const int want = static_cast<int>(std::min<std::uint64_t>(o.messageSize, o.bytes - got));
        const auto n = recv(rx.s, buffer.data(), static_cast<std::size_t>(want), 0);
        if (n < 0) {
#if !defined(_WIN32)
            if (errno == EINTR) continue;
#endif
            result = sockError("recv");
            break;
        }
        if (n == 0) break;
        got += static_cast<std::uint64_t>(n);
        reporter.add(static_cast<std::uint64_t>(n));
    }
    stop = true;
    rx.reset();  // a sender blocked in send fails
    sender.join();
    (void)lastError;
    if (result && got < o.bytes && !reporter.expired())
        return Error::make(base::Errc::Io, "the connection closed after " + std::to_string(got) + " of " + std::to_string(o.bytes) + " bytes");
    return result;
}

}  // namespace
}  // namespace ipcscope::probe

int main(int argc, char** argv) {
    return ipcscope::probe::probeMain(
        argc, argv, [](const ipcscope::probe::ProbeOptions& o) { return std::string(o.unixSocket ? "unix" : "tcp"); },
        ipcscope::probe::transfer,
#if defined(_WIN32)
        false
#else
        true
#endif
    );
}
