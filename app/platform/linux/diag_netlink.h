#pragma once
// The NETLINK_SOCK_DIAG plumbing shared by unix_diag and inet_diag: byte readers for the
// host-order framing, and one request/dump loop (netlink(7), sock_diag(7)).

#include "core/result.h"

#include <cstdint>
#include <cstring>
#include <functional>
#include <span>

namespace ipcscope::lnx::nl {

/// Netlink is in host byte order; fields are read one by one at their offsets.
inline std::uint16_t host16(const std::uint8_t* p) {
    std::uint16_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
inline std::uint32_t host32(const std::uint8_t* p) {
    std::uint32_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
inline std::int32_t hostI32(const std::uint8_t* p) {
    std::int32_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
inline constexpr std::size_t kHeader = 16;  // struct nlmsghdr
inline constexpr std::size_t align4(std::size_t n) { return (n + 3) & ~std::size_t{3}; }

/// What the dump loop hands each received buffer to: true once NLMSG_DONE was seen, or an
/// error that ends the dump.
using BufferHandler = std::function<core::Result<bool>(std::span<const std::uint8_t>)>;

/// Sends one SOCK_DIAG request (`request`: nlmsghdr + the family's request struct) and feeds
/// every reply buffer to `onBuffer` until it reports NLMSG_DONE. A stalled dump ends after a
/// receive timeout; refusals that mean "this kernel has no such dump" become NotSupported.
/// `what` names the dump in errors ("unix_diag").
[[nodiscard]] core::Status dump(const void* request, std::size_t length, std::size_t receiveBuffer,
                                const char* what, const BufferHandler& onBuffer);

}  // namespace ipcscope::lnx::nl
