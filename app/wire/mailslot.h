#pragma once
/// Mailslot messages as they travel between computers: an SMB_COM_TRANSACTION "write
/// mailslot" ([MS-MAIL] 2.2.1, [MS-CIFS] 2.2.4.33) inside a NetBIOS datagram; the size
/// limits; and mailslot names in the form users type (\\*\mailslot\NAME).

#include "wire/decode_error.h"
#include "wire/netbios.h"

#include "base/result.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ipcscope::wire {

/// A broadcast message carries at most this many bytes (Win32 CreateMailslot docs).
inline constexpr std::size_t kBroadcastDataLimit = 400;
/// [MS-MAIL]: the transaction name (with its zero) plus the data fit in 443 bytes.
inline constexpr std::size_t kNameAndDataLimit = 443;
/// The fixed prefix of every mailslot transaction name.
inline constexpr std::string_view kMailslotPrefix = "\\MAILSLOT\\";

/// Mailslot class in the third setup word.
inline constexpr std::uint16_t kClassReliable = 1;
inline constexpr std::uint16_t kClassUnreliable = 2;  ///< also used for broadcasts

/// The largest message the wire allows for the slot NAME (the part after \MAILSLOT\):
/// 443 - (10 + NAME + 1) bytes.
[[nodiscard]] std::size_t wireDataLimit(std::string_view slotName) noexcept;
/// The limit that applies: the smaller of 400 and wireDataLimit(slotName).
[[nodiscard]] std::size_t messageLimit(std::string_view slotName) noexcept;
/// TooLarge with one sentence naming the size and the limit when `size` exceeds messageLimit.
[[nodiscard]] base::Status checkMessageSize(std::string_view slotName, std::size_t size);
/// InvalidArgument when NAME is empty, too long for any data, or has bytes outside
/// printable ASCII.
[[nodiscard]] base::Status checkSlotName(std::string_view slotName);

/// The SMB_COM_TRANSACTION request that writes a mailslot message.
struct MailslotWrite {
    std::string slot;                  ///< full transaction name, e.g. "\MAILSLOT\BROWSE"
    std::uint16_t priority = 0;        ///< second setup word
    std::uint16_t mailslotClass = kClassUnreliable;
    std::vector<std::uint8_t> data;
    std::uint16_t tid = 0, uid = 0, pid = 0, mid = 0;  ///< header ids: 0 or 0xFFFF both seen
    std::uint32_t timeout = 0;

    /// The slot name after the \MAILSLOT\ prefix (case-insensitive match), or the whole name.
    [[nodiscard]] std::string_view shortName() const noexcept;
};

/// Encodes the SMB message (header, 17 parameter words, byte count, name, data).
[[nodiscard]] std::vector<std::uint8_t> encodeMailslotWrite(const MailslotWrite& m);

/// Decodes an SMB message that must be a write mailslot transaction. Offsets and counts
/// are checked against the buffer, never trusted.
[[nodiscard]] Decoded<MailslotWrite> decodeMailslotWrite(std::span<const std::uint8_t> smb);

/// Everything needed to put one mailslot message on the wire.
struct MailslotDatagramSpec {
    DatagramType type = DatagramType::DirectGroup;
    NodeType node = NodeType::B;
    std::uint16_t id = 0;
    std::uint32_t sourceIp = 0;
    std::uint16_t sourcePort = kDatagramPort;
    NetbiosName source;
    NetbiosName destination;
    std::string slot;  ///< the part after \MAILSLOT\ .
    std::uint16_t priority = 0;
    std::uint16_t mailslotClass = kClassUnreliable;
    std::vector<std::uint8_t> data;
};

/// Checks the slot name and the size limit, then encodes the NetBIOS datagram carrying
/// the write mailslot transaction. Nothing is encoded when a check fails.
[[nodiscard]] base::Result<std::vector<std::uint8_t>> encodeMailslotDatagram(const MailslotDatagramSpec& spec);

/// Where a user-typed mailslot name points.
enum class TargetKind : std::uint8_t {
    Local,          ///< \\.\mailslot\NAME
    PrimaryDomain,  ///< \\*\mailslot\NAME
    Named,          ///< \\NAME\mailslot\NAME: a domain or a host, decided by the sender
};

struct MailslotTarget {
    TargetKind kind = TargetKind::PrimaryDomain;
    std::string server;  ///< the NAME between the leading backslashes (upper case), "" for * and .
    std::string slot;    ///< the part after \mailslot\, as typed
    /// "\MAILSLOT\" + slot.
    [[nodiscard]] std::string transactionName() const;
};

/// Parses \\*\mailslot\NAME, \\DOMAIN\mailslot\NAME, \\HOST\mailslot\NAME and
/// \\.\mailslot\NAME ("mailslot" in any case). InvalidArgument names what is wrong.
[[nodiscard]] base::Result<MailslotTarget> parseTarget(std::string_view text);

}  // namespace ipcscope::wire
