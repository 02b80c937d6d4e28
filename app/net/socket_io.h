#pragma once
// Test messages over sockets: a sender on a connected socket (stream or datagram) and a
// listener on a bound one, for tcp:/udp: on both platforms and unix: on Linux. openSender and
// openListener are the front door for every target: sockets here, the rest from the backend.

#include "core/inject.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace ipcscope::net {

/// Takes ownership of `socket`, already connected. `stream` selects byte-stream reads for
/// replies; `via` is reported with each message.
[[nodiscard]] std::unique_ptr<platform::Sender> makeSocketSender(std::intptr_t socket, bool stream, std::string via,
                                                                 const platform::SendOptions& options, std::string target);

/// Takes ownership of `socket`, already bound (and listening when `stream`). `cleanup` runs
/// after the socket is closed (removes a socket path).
[[nodiscard]] std::unique_ptr<platform::Listener> makeSocketListener(std::intptr_t socket, bool stream, std::string endpoint,
                                                                     std::function<void()> cleanup);

/// Connects a non-blocking socket within the timeout: NotFound when nothing listens
/// (ECONNREFUSED/ENOENT), Timeout when the connection does not complete.
[[nodiscard]] core::Status connectWithin(std::intptr_t socket, const void* address, int length,
                                         std::chrono::milliseconds timeout, const std::string& target);

/// Every TARGET: tcp:, udp: and unix: here, the others through platform::openSender.
[[nodiscard]] core::Result<std::unique_ptr<platform::Sender>> openSender(const core::Target& target,
                                                                         const platform::SendOptions& options);
[[nodiscard]] core::Result<std::unique_ptr<platform::Listener>> openListener(const core::Target& target,
                                                                             const platform::ListenOptions& options);

/// tcp:HOST:PORT and udp:HOST:PORT.
[[nodiscard]] core::Result<std::unique_ptr<platform::Sender>> openInetSender(const core::Target& target,
                                                                             const platform::SendOptions& options);
[[nodiscard]] core::Result<std::unique_ptr<platform::Listener>> openInetListener(const core::Target& target);

}  // namespace ipcscope::net
