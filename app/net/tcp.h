#pragma once
// Non-blocking TCP for the HTTP exporter: a listener, accepted connections, and poll. Like
// udp.h, the only place with the socket #ifdefs for TCP. Handles are plain integers so that
// callers (and the HTTP library's stream interface) need no OS headers.

#include "core/result.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace ipcscope::net {

using SocketHandle = std::intptr_t;
inline constexpr SocketHandle kNoSocket = -1;

/// A numeric listen address: "127.0.0.1:9464", "[::1]:9464", "0.0.0.0:9464", or a bare port
/// ("9464", ":9464"), which means 127.0.0.1. Port 0 asks the OS for a free port.
struct ListenAddress {
    std::string host = "127.0.0.1";
    std::uint16_t port = 9464;

    /// "127.0.0.1:9464", "[::1]:9464".
    [[nodiscard]] std::string text() const;
    /// True for 127.0.0.0/8 and ::1.
    [[nodiscard]] bool loopback() const;
};
[[nodiscard]] core::Result<ListenAddress> parseListenAddress(std::string_view text);

/// A listening, non-blocking TCP socket (closed by closeSocket).
[[nodiscard]] core::Result<SocketHandle> listenTcp(const ListenAddress& where, int backlog);
/// The address a socket is bound to (its port resolved when 0 was asked for).
[[nodiscard]] core::Result<ListenAddress> localAddress(SocketHandle s);
/// The address of the other end of a connection.
[[nodiscard]] core::Result<ListenAddress> peerAddress(SocketHandle s);
/// Accepts one pending connection, made non-blocking; kNoSocket when none is pending.
[[nodiscard]] SocketHandle acceptTcp(SocketHandle listener);
void closeSocket(SocketHandle s) noexcept;

enum class Io : std::uint8_t { Done, WouldBlock, Closed, Failed };
struct IoResult {
    Io status = Io::Failed;
    std::size_t bytes = 0;
};
/// One non-blocking recv or send.
[[nodiscard]] IoResult receiveSome(SocketHandle s, std::span<char> into);
[[nodiscard]] IoResult sendSome(SocketHandle s, std::span<const char> bytes);

/// One entry of pollSockets: what to wait for, and what happened.
struct PollEntry {
    SocketHandle socket = kNoSocket;
    bool wantRead = true;
    bool wantWrite = false;
    bool readable = false;  ///< also set on hang-up and errors: the next call reports them
    bool writable = false;
};
/// Waits until one entry is ready or `timeout` passes; returns the number of ready entries
/// (0 on timeout) or an error.
[[nodiscard]] core::Result<std::size_t> pollSockets(std::span<PollEntry> entries, std::chrono::milliseconds timeout);

}  // namespace ipcscope::net
