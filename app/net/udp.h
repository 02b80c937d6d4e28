#pragma once
// UDP sockets and IPv4 interfaces: the only place with socket #ifdefs. Addresses are IPv4
// in host order (10.0.0.1 is 0x0a000001).

#include "core/result.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ipcscope::net {

struct Endpoint {
    std::uint32_t ip = 0;
    std::uint16_t port = 0;
    [[nodiscard]] std::string text() const;
};

/// An IPv4 interface with its broadcast address.
struct Interface {
    std::string name;
    std::uint32_t address = 0;
    std::uint32_t netmask = 0;
    std::uint32_t broadcast = 0;
    bool loopback = false;
};

/// The IPv4 interfaces that are up.
[[nodiscard]] core::Result<std::vector<Interface>> interfaces();
/// The interface with this name (or this address); NotFound lists the names there are.
[[nodiscard]] core::Result<Interface> findInterface(std::string_view nameOrAddress);

/// A datagram read from a socket.
struct Datagram {
    Endpoint from;
    std::vector<std::uint8_t> bytes;  ///< exactly the datagram's size
    /// With enableDropCounter(): the socket's kernel drop count when this datagram was
    /// queued (Linux SO_RXQ_OVFL: cumulative, wraps at 2^32).
    std::optional<std::uint32_t> kernelDrops;
};

class UdpSocket {
public:
    /// A new IPv4 UDP socket.
    [[nodiscard]] static core::Result<UdpSocket> open();
    UdpSocket(UdpSocket&& other) noexcept;
    UdpSocket& operator=(UdpSocket&& other) noexcept;
    UdpSocket(const UdpSocket&) = delete;
    UdpSocket& operator=(const UdpSocket&) = delete;
    ~UdpSocket();

    [[nodiscard]] core::Status setBroadcast(bool on);
    [[nodiscard]] core::Status setReuseAddress(bool on);
    /// Linux SO_BINDTODEVICE; NotSupported elsewhere.
    [[nodiscard]] core::Status bindToDevice(const std::string& device);
    [[nodiscard]] core::Status bind(Endpoint local);
    /// Asks for a receive buffer of `bytes` (beyond the system limit where the process may,
    /// Linux SO_RCVBUFFORCE); returns the size the kernel granted.
    [[nodiscard]] core::Result<int> setReceiveBuffer(int bytes);
    /// Linux SO_RXQ_OVFL: every datagram then carries the socket's kernel drop count.
    /// NotSupported elsewhere.
    [[nodiscard]] core::Status enableDropCounter();
    /// The socket's kernel drop count now (Linux SO_MEMINFO), for drops after the last
    /// datagram read. NotSupported elsewhere.
    [[nodiscard]] core::Result<std::uint32_t> kernelDrops() const;
    [[nodiscard]] core::Status connect(Endpoint remote);
    [[nodiscard]] core::Result<Endpoint> localEndpoint() const;
    [[nodiscard]] core::Status sendTo(Endpoint to, std::span<const std::uint8_t> bytes);
    /// Waits up to `timeout` for one datagram; nothing on timeout.
    [[nodiscard]] core::Result<std::optional<Datagram>> receive(std::chrono::milliseconds timeout);

private:
    explicit UdpSocket(std::intptr_t handle) noexcept : m_handle(handle) {}
    void close() noexcept;
    std::intptr_t m_handle = -1;
    std::vector<std::uint8_t> m_buffer;  ///< receive() reads here, then copies the datagram out
};

/// The local address the OS would use to reach `remote` (no packet is sent).
[[nodiscard]] core::Result<std::uint32_t> sourceAddressFor(std::uint32_t remote);

}  // namespace ipcscope::net
