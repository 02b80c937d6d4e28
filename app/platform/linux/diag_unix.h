#pragma once
// Unix domain sockets from the kernel's sock_diag netlink interface (unix_diag): peers,
// queues and pending connections, which /proc/net/unix does not show.

#include "core/result.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ipcscope::lnx {

struct UnixDiagEntry {
    std::uint64_t inode = 0;
    std::uint8_t type = 0;   ///< SOCK_STREAM 1, SOCK_DGRAM 2, SOCK_SEQPACKET 5
    std::uint8_t state = 0;  ///< TCP_* numbering: 1 established, 2 syn-sent, 7 close, 10 listen
    std::string name;        ///< path, "@abstract", or empty when unnamed
    std::optional<std::uint32_t> peer;   ///< inode of the peer socket
    std::optional<std::uint32_t> rqueue;  ///< bytes queued to read (listeners: pending connections)
    std::optional<std::uint32_t> wqueue;  ///< bytes queued to send (listeners: backlog limit)
    std::vector<std::uint32_t> pending;  ///< listeners: inodes of connections not yet accepted
    std::optional<std::uint32_t> uid;
    std::optional<std::uint8_t> shutdown;  ///< bit 0: no more reads, bit 1: no more writes
    std::optional<std::uint32_t> vfsInode;  ///< inode of the socket file of a path socket
};

/// State name in the words of /proc/net/unix ("listen", "connected", "unconnected", ...).
[[nodiscard]] std::string_view unixDiagStateName(std::uint8_t state) noexcept;

/// Outcome of parsing one buffer of netlink messages.
struct UnixDiagParse {
    bool done = false;      ///< NLMSG_DONE seen
    std::size_t bad = 0;    ///< messages or attributes skipped as malformed
};

/// Parses one receive buffer of a unix_diag dump (netlink messages in host byte order) and
/// appends the sockets to `out`. Never reads past the buffer, whatever the length fields say.
/// An NLMSG_ERROR message becomes an error with its errno.
[[nodiscard]] core::Result<UnixDiagParse> parseUnixDiagBuffer(std::span<const std::uint8_t> buf,
                                                              std::vector<UnixDiagEntry>& out);

/// Dumps every Unix socket of the caller's network namespace. NotSupported when the kernel
/// lacks unix_diag.
[[nodiscard]] core::Result<std::vector<UnixDiagEntry>> queryUnixDiag();

}  // namespace ipcscope::lnx
