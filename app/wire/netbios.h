#pragma once
/// NetBIOS over TCP/IP wire formats (RFC 1001/1002): first-level encoded names, the datagram
/// service header (UDP 138, RFC 1002 section 4.4) and the name service packets used to find
/// names on a LAN (UDP 137, RFC 1002 section 4.2: name query and node status).

#include "wire/decode_error.h"

#include "base/result.h"

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ipcscope::wire {

/// UDP port of the datagram service.
inline constexpr std::uint16_t kDatagramPort = 138;
/// UDP port of the name service.
inline constexpr std::uint16_t kNamePort = 137;
/// Longest NetBIOS name without the suffix byte.
inline constexpr std::size_t kNetbiosNameChars = 15;

/// A NetBIOS name: up to 15 characters, a suffix byte (0x00 workstation, 0x20 server,
/// 0x1d master browser ...) and an optional dotted scope.
struct NetbiosName {
    std::string name;    ///< without the space padding
    std::uint8_t suffix = 0x00;
    std::string scope;   ///< "" when none
    friend bool operator==(const NetbiosName&, const NetbiosName&) = default;
};

/// Builds a name; false when `name` is empty, longer than 15 characters or has a byte the
/// encoding cannot carry. Lower case is folded to upper case, as NetBIOS names are.
[[nodiscard]] base::Result<NetbiosName> makeName(std::string_view name, std::uint8_t suffix, std::string_view scope = {});

/// "HOST<20>".
[[nodiscard]] std::string displayName(const NetbiosName& n);

/// Appends the first-level encoding: 0x20, 32 half-ASCII characters, scope labels, 0x00.
void encodeName(const NetbiosName& n, std::vector<std::uint8_t>& out);

/// Decodes a first-level encoded name at `offset`, advancing it. Compression pointers are
/// refused (datagrams never use them).
[[nodiscard]] Decoded<NetbiosName> decodeName(std::span<const std::uint8_t> bytes, std::size_t& offset);

/// Datagram message types (RFC 1002 section 4.4.1).
enum class DatagramType : std::uint8_t {
    DirectUnique = 0x10,
    DirectGroup = 0x11,
    Broadcast = 0x12,
    Error = 0x13,
    QueryRequest = 0x14,
    PositiveQueryResponse = 0x15,
    NegativeQueryResponse = 0x16,
};
[[nodiscard]] std::string_view datagramTypeName(DatagramType t) noexcept;

/// Node type of the sender (bits 2-3 of the flags).
enum class NodeType : std::uint8_t { B = 0, P = 1, M = 2, H = 3 };
[[nodiscard]] std::string_view nodeTypeName(NodeType t) noexcept;

inline constexpr std::uint8_t kFlagMore = 0x01;
inline constexpr std::uint8_t kFlagFirst = 0x02;

/// The datagram service header and its names.
struct Datagram {
    DatagramType type = DatagramType::DirectGroup;
    std::uint8_t flags = kFlagFirst;
    std::uint16_t id = 0;
    std::uint32_t sourceIp = 0;  ///< host order: 10.0.0.1 is 0x0a000001
    std::uint16_t sourcePort = kDatagramPort;
    std::uint16_t offset = 0;     ///< PACKET_OFFSET of a fragment
    NetbiosName source;           ///< not present in query types
    NetbiosName destination;
    std::uint8_t errorCode = 0;   ///< only for DatagramType::Error
    std::vector<std::uint8_t> userData;
    std::size_t userDataAt = 0;   ///< decoding only: offset of userData in the packet

    [[nodiscard]] NodeType nodeType() const noexcept { return static_cast<NodeType>((flags >> 2) & 3); }
    [[nodiscard]] bool first() const noexcept { return (flags & kFlagFirst) != 0; }
    [[nodiscard]] bool more() const noexcept { return (flags & kFlagMore) != 0; }
};

/// Encodes a DIRECT_UNIQUE, DIRECT_GROUP or BROADCAST datagram; InvalidArgument for other
/// types or a payload the 16-bit length cannot carry.
[[nodiscard]] base::Result<std::vector<std::uint8_t>> encodeDatagram(const Datagram& d);

/// Decodes any datagram service packet. DGM_LENGTH larger than the bytes present is a
/// LengthMismatch; bytes after DGM_LENGTH are ignored.
[[nodiscard]] Decoded<Datagram> decodeDatagram(std::span<const std::uint8_t> bytes);

/// "10.1.0.2" from a host-order address.
[[nodiscard]] std::string ipv4Text(std::uint32_t ip);
/// Parses dotted IPv4 into host order.
[[nodiscard]] std::optional<std::uint32_t> parseIpv4(std::string_view text);

// ---- Name service (UDP 137) ----

/// RR types of the questions we ask.
inline constexpr std::uint16_t kRrNb = 0x0020;
inline constexpr std::uint16_t kRrNbstat = 0x0021;

/// A name query (broadcast) for `name`, or a node status request when `nodeStatus` is set
/// (then `name` is usually "*" with suffix 0, sent to one host).
[[nodiscard]] std::vector<std::uint8_t> encodeNameQuery(std::uint16_t transactionId, const NetbiosName& name,
                                                        bool broadcast, bool nodeStatus);

/// One name a node has registered, from a node status response.
struct NodeName {
    std::string name;
    std::uint8_t suffix = 0;
    bool group = false;
    bool active = true;
    friend bool operator==(const NodeName&, const NodeName&) = default;
};

/// A decoded name service response.
struct NameResponse {
    std::uint16_t transactionId = 0;
    std::uint8_t rcode = 0;
    NetbiosName question;
    std::uint16_t rrType = 0;
    std::vector<std::uint32_t> addresses;  ///< NB answer: the name's addresses (host order)
    std::vector<NodeName> names;           ///< NBSTAT answer: the node's names
    std::array<std::uint8_t, 6> mac{};     ///< NBSTAT answer: unit id
};

/// Decodes a positive name query or node status response (requests are refused as Malformed
/// with BadMessageType so a listener on 137 can ignore them).
[[nodiscard]] Decoded<NameResponse> decodeNameResponse(std::span<const std::uint8_t> bytes);

}  // namespace ipcscope::wire
