#include "wire/browser.h"

#include "wire/bytes.h"

#include <array>

namespace ipcscope::wire {
namespace {

/// A zero-terminated string of at most `max` bytes, or up to the end of the data.
std::string cString(std::span<const std::uint8_t> rest, std::size_t max) {
    std::string s;
    for (std::size_t i = 0; i < rest.size() && i < max && rest[i] != 0; ++i) s.push_back(static_cast<char>(rest[i]));
    return s;
}

std::string fixedName(std::span<const std::uint8_t> raw) {
    std::size_t end = 0;
    while (end < raw.size() && raw[end] != 0) ++end;
    while (end > 0 && raw[end - 1] == ' ') --end;
    return std::string(reinterpret_cast<const char*>(raw.data()), end);
}

}  // namespace

std::string_view browserOpcodeName(std::uint8_t opcode) noexcept {
    switch (opcode) {
    case 1: return "host_announcement";
    case 2: return "announcement_request";
    case 8: return "request_election";
    case 9: return "get_backup_list_request";
    case 10: return "get_backup_list_response";
    case 11: return "become_backup";
    case 12: return "domain_announcement";
    case 13: return "master_announcement";
    case 14: return "reset_state_request";
    case 15: return "local_master_announcement";
    default: return "unknown";
    }
}

Decoded<BrowserMessage> decodeBrowser(std::span<const std::uint8_t> data) {
    ByteReader r(data);
    BrowserMessage m;
    if (!r.u8(m.opcode)) return DecodeError{DecodeErrc::BadBrowserFrame, 0, "empty browser message"};
    switch (m.opcode) {
    case 1:
    case 12:
    case 15: {
        // [MS-BRWS] 2.2.1: 32 fixed bytes, then a comment of at most 43 bytes.
        Announcement a;
        std::span<const std::uint8_t> name;
        if (!r.u8(a.updateCount) || !r.u32le(a.periodicityMs) || !r.bytes(16, name) || !r.u8(a.osMajor) ||
            !r.u8(a.osMinor) || !r.u32le(a.serverType) || !r.u8(a.browserMajor) || !r.u8(a.browserMinor) ||
            !r.u16le(a.signature))
            return DecodeError{DecodeErrc::BadBrowserFrame, r.offset(),
                               "announcement has " + std::to_string(data.size()) + " bytes, needs 32"};
        a.serverName = fixedName(name);
        a.comment = cString(r.rest(), 256);
        m.announcement = std::move(a);
        break;
    }
    case 8: {
        // [MS-BRWS] 2.2.6: version, criteria, uptime, unused, server name.
        std::uint32_t unused = 0;
        if (!r.u8(m.electionVersion) || !r.u32le(m.electionCriteria) || !r.u32le(m.electionUptimeMs) || !r.u32le(unused))
            return DecodeError{DecodeErrc::BadBrowserFrame, r.offset(), "election request needs 14 bytes"};
        m.name = cString(r.rest(), 16);
        break;
    }
    case 2: {
        // [MS-BRWS] 2.2.2: unused byte, then the name to answer to.
        if (!r.skip(1)) return DecodeError{DecodeErrc::BadBrowserFrame, 1, "announcement request needs 2 bytes"};
        m.name = cString(r.rest(), 16);
        break;
    }
    case 11:
    case 13:
        m.name = cString(r.rest(), 16);
        break;
    default: break;
    }
    return m;
}

std::vector<std::uint8_t> encodeAnnouncement(BrowserOpcode opcode, const Announcement& a) {
    ByteWriter w;
    w.u8(static_cast<std::uint8_t>(opcode));
    w.u8(a.updateCount);
    w.u32le(a.periodicityMs);
    for (std::size_t i = 0; i < 16; ++i) w.u8(i < a.serverName.size() && i < 15 ? static_cast<std::uint8_t>(a.serverName[i]) : 0);
    w.u8(a.osMajor);
    w.u8(a.osMinor);
    w.u32le(a.serverType);
    w.u8(a.browserMajor);
    w.u8(a.browserMinor);
    w.u16le(a.signature);
    w.text(a.comment);
    w.u8(0);
    return w.take();
}

std::vector<std::string> serverTypeNames(std::uint32_t serverType) {
    static constexpr std::array<std::string_view, 32> kBits{
        "workstation", "server", "sql_server", "domain_controller", "backup_controller", "time_source", "apple",
        "novell", "domain_member", "print_queue", "dialin", "xenix", "nt", "wfw", "server_mfpn", "server_nt",
        "potential_browser", "backup_browser", "master_browser", "domain_master", "osf", "vms", "windows_95",
        "dfs", "cluster_nt", "terminal_server", "cluster_vs_nt", "bit27", "dce", "alternate_xport",
        "local_list_only", "domain_enum"};
    std::vector<std::string> out;
    for (std::size_t i = 0; i < 32; ++i)
        if (serverType & (1u << i)) out.emplace_back(kBits[i]);
    return out;
}

std::string_view netlogonOpcodeName(std::uint16_t opcode) noexcept {
    switch (opcode) {
    case 0x07: return "primary_query";
    case 0x0a: return "announce_uas";
    case 0x12: return "sam_logon_request";
    case 0x13: return "sam_logon_response";
    case 0x15: return "sam_user_unknown";
    case 0x17: return "sam_logon_response_ex";
    default: return "unknown";
    }
}

}  // namespace ipcscope::wire
