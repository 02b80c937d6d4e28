#pragma once
/// Sending test messages to an IPC endpoint and listening on one. Declared once here; each
/// backend folder (platform/linux, platform/windows, platform/unsupported) defines
/// openSender and openListener, and the socket targets (tcp, udp) come from net/.

#include "core/result.h"
#include "core/target.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ipcscope::platform {

struct SendOptions {
    std::chrono::milliseconds timeout{5000};  ///< each of connect/open, write and reply wait
    bool expectReply = false;
    std::size_t replyBytes = 0;               ///< 0: the first message or chunk that arrives
    std::uint64_t dwData = 0;                 ///< copydata: COPYDATASTRUCT.dwData
    bool execute = false;                     ///< dde: XTYP_EXECUTE instead of a poke
    std::chrono::milliseconds holdFor{0};     ///< clipboard: how long to own the selection (0: until replaced or timeout)
};

/// What one message did.
struct SendResult {
    std::size_t written = 0;
    std::chrono::microseconds elapsed{0};
    std::optional<std::vector<std::uint8_t>> reply;  ///< set when a reply was asked for and came
    std::string via;  ///< how it went: "stream", "datagram", "message mode", "WM_COPYDATA" ...
};

/// An open endpoint that takes messages; closing it releases the connection.
class Sender {
public:
    virtual ~Sender() = default;
    /// Sends one message. A reply is awaited when SendOptions::expectReply is set; no reply
    /// within the timeout is a Timeout error.
    [[nodiscard]] virtual core::Result<SendResult> send(std::span<const std::uint8_t> bytes) = 0;
};

/// Opens the target (connects, opens the FIFO or pipe, finds the window) within the timeout.
/// NotFound: it does not exist; Timeout: nobody reads or answers; Io/PermissionDenied: refused.
[[nodiscard]] core::Result<std::unique_ptr<Sender>> openSender(const core::Target& target, const SendOptions& options);

/// A message a listener received.
struct Received {
    std::vector<std::uint8_t> bytes;
    std::string from;          ///< the sender where known ("127.0.0.1:40122", "pid 1234", a socket path), else ""
    std::uint64_t channel = 0; ///< which connection it came on (for echo)
};

/// An endpoint this process created; the destructor removes it (unlinks the FIFO or socket
/// path, closes the pipe server, destroys the window).
class Listener {
public:
    virtual ~Listener() = default;
    /// The endpoint in TARGET form (for tcp:HOST:0 the port the OS chose).
    [[nodiscard]] virtual std::string endpoint() const = 0;
    /// Waits up to `timeout` for the next message; nothing when none came.
    [[nodiscard]] virtual core::Result<std::optional<Received>> receive(std::chrono::milliseconds timeout) = 0;
    /// Sends `bytes` back to the sender of `message` (--echo). NotSupported where the
    /// mechanism has no way back (a FIFO, a mailslot).
    [[nodiscard]] virtual core::Status reply(const Received& message, std::span<const std::uint8_t> bytes) = 0;
};

struct ListenOptions {
    std::string socketType = "stream";  ///< unix: stream, dgram or seqpacket
};

[[nodiscard]] core::Result<std::unique_ptr<Listener>> openListener(const core::Target& target, const ListenOptions& options);

}  // namespace ipcscope::platform
