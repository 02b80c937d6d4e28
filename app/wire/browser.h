#pragma once
/// Messages of the known mailslots: the browser protocol on \MAILSLOT\BROWSE and
/// \MAILSLOT\LANMAN ([MS-BRWS] 2.2) and the opcode of \MAILSLOT\NET\NETLOGON ([MS-ADTS] 6.3.1).

#include "wire/decode_error.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ipcscope::wire {

/// [MS-BRWS] 2.2 browser opcodes (first byte of the message).
enum class BrowserOpcode : std::uint8_t {
    HostAnnouncement = 1,
    AnnouncementRequest = 2,
    RequestElection = 8,
    GetBackupListRequest = 9,
    GetBackupListResponse = 10,
    BecomeBackup = 11,
    DomainAnnouncement = 12,
    MasterAnnouncement = 13,
    ResetStateRequest = 14,
    LocalMasterAnnouncement = 15,
};
[[nodiscard]] std::string_view browserOpcodeName(std::uint8_t opcode) noexcept;

/// Host, domain and local master announcements share one layout ([MS-BRWS] 2.2.1).
struct Announcement {
    std::uint8_t updateCount = 0;
    std::uint32_t periodicityMs = 0;
    std::string serverName;   ///< host name, or the domain name in a domain announcement
    std::uint8_t osMajor = 0, osMinor = 0;
    std::uint32_t serverType = 0;
    std::uint8_t browserMajor = 15, browserMinor = 1;
    std::uint16_t signature = 0xaa55;
    std::string comment;      ///< the master browser name in a domain announcement
};

/// One decoded browser message. Fields beyond the opcode are set for the opcodes that
/// carry them.
struct BrowserMessage {
    std::uint8_t opcode = 0;
    std::optional<Announcement> announcement;  ///< opcodes 1, 12, 15
    std::string name;                          ///< election server name, request response name, master name
    std::uint8_t electionVersion = 0;
    std::uint32_t electionCriteria = 0;
    std::uint32_t electionUptimeMs = 0;
};

/// Decodes a \MAILSLOT\BROWSE or \MAILSLOT\LANMAN message. Strings end at their zero or at
/// the end of the message, whichever comes first.
[[nodiscard]] Decoded<BrowserMessage> decodeBrowser(std::span<const std::uint8_t> data);

/// Encodes a host, domain or local master announcement.
[[nodiscard]] std::vector<std::uint8_t> encodeAnnouncement(BrowserOpcode opcode, const Announcement& a);

/// Names of the server type bits that are set ([MS-BRWS] 2.2.1.2 / [MS-RAP] SV_TYPE_*):
/// "workstation", "server", "master_browser", ...
[[nodiscard]] std::vector<std::string> serverTypeNames(std::uint32_t serverType);

/// The NETLOGON opcode name ("sam_logon_request" ...) for \MAILSLOT\NET\NETLOGON messages.
[[nodiscard]] std::string_view netlogonOpcodeName(std::uint16_t opcode) noexcept;

}  // namespace ipcscope::wire
