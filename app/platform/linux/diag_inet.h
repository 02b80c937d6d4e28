#pragma once
// TCP and UDP sockets from the kernel's sock_diag netlink interface (inet_diag): one walk of
// the kernel's socket hash tables per address family, where each /proc/net/tcp read walks
// the whole established table again.

#include "core/result.h"
#include "platform/linux/proc_text.h"

#include <cstdint>
#include <span>
#include <vector>

namespace ipcscope::lnx {

/// Parses one receive buffer of an inet_diag dump (netlink in host order; ports big-endian,
/// addresses in network order) and appends the sockets. Never reads past the buffer.
/// `done` is set on NLMSG_DONE; an NLMSG_ERROR becomes an error.
[[nodiscard]] core::Result<std::size_t> parseInetDiagBuffer(std::span<const std::uint8_t> buf, std::vector<InetEntry>& out,
                                                            bool& done);

/// Dumps the TCP (protocol 6) or UDP (17) sockets of one family (AF_INET or AF_INET6) in the
/// caller's network namespace. NotSupported when the kernel lacks the diag module.
[[nodiscard]] core::Result<std::vector<InetEntry>> queryInetDiag(int family, int protocol);

}  // namespace ipcscope::lnx
