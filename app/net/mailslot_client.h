#pragma once
// Sending mailslot messages to the LAN (or to this machine) and finding NetBIOS names.

#include "core/result.h"
#include "net/udp.h"
#include "wire/mailslot.h"
#include "wire/netbios.h"

#include <array>
#include <chrono>
#include <string>
#include <vector>

namespace ipcscope::net {

struct SendRequest {
    std::string target;              ///< \\*\mailslot\NAME and the other forms
    std::vector<std::uint8_t> data;
    std::string iface;               ///< the LAN: this interface's broadcast address
    std::string broadcast;           ///< or this broadcast address
    std::string to;                  ///< address of \\HOST (skips the name query)
    std::string domain;              ///< workgroup; default: defaultWorkgroup()
    std::string sourceName;          ///< default: the host name
    std::uint16_t priority = 0;
    std::uint16_t port = wire::kDatagramPort;  ///< destination UDP port
    bool group = false;              ///< treat \\NAME as a domain even if it is not --domain
    std::chrono::milliseconds resolveTimeout{2000};
};

struct SendReport {
    std::string msgType;      ///< direct_group, direct_unique, local
    std::string destName;     ///< "TESTDOM<00>"
    std::string destination;  ///< "10.1.0.255:138" or the local mailslot path
    std::size_t dataBytes = 0;
    std::size_t datagramBytes = 0;
};

/// Checks the size first (nothing is sent when it is over the limit), then resolves the
/// target and sends one datagram.
[[nodiscard]] core::Result<SendReport> sendMailslot(const SendRequest& request);

/// --domain, else IPCSCOPE_WORKGROUP, else the workgroup of the Samba configuration (Linux),
/// else USERDOMAIN (Windows), else "WORKGROUP".
[[nodiscard]] std::string defaultWorkgroup();

/// The LAN for a request: broadcast address and our address on it.
struct Lan {
    std::uint32_t broadcast = 0;
    std::uint32_t local = 0;
    std::string device;  ///< interface name when known
};
[[nodiscard]] core::Result<Lan> chooseLan(const std::string& iface, const std::string& broadcast);

/// Broadcasts a NetBIOS name query and collects the answers' addresses.
[[nodiscard]] core::Result<std::vector<std::uint32_t>> resolveName(const wire::NetbiosName& name, const Lan& lan,
                                                                   std::chrono::milliseconds timeout);

/// A node on the LAN and the names it registers.
struct NetbiosHost {
    std::uint32_t ip = 0;
    std::vector<wire::NodeName> names;
    std::array<std::uint8_t, 6> mac{};
    std::string error;  ///< set when the node status query failed
};

/// Finds nodes with a broadcast name query for "*", then asks each for its node status.
[[nodiscard]] core::Result<std::vector<NetbiosHost>> discoverNetbios(const Lan& lan, std::chrono::milliseconds timeout);

/// Writes to a mailslot on this machine (Windows: CreateFile + WriteFile). On other
/// platforms returns NotSupported: the caller sends to a local listener instead.
[[nodiscard]] core::Status writeLocalMailslot(const std::string& slot, std::span<const std::uint8_t> data);

}  // namespace ipcscope::net
