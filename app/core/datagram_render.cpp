#include "core/datagram_render.h"

#include "base/utf8.h"
#include "core/model.h"
#include "wire/bytes.h"

#include <fmt/format.h>
#include <algorithm>
#include <cstdio>

namespace ipcscope::core {
namespace {

std::string upper(std::string_view s) {
    std::string o(s);
    for (char& c : o)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    return o;
}

std::string hexByte(std::uint8_t b) {
    return fmt::format("0x{:02x}", b);
}

nlohmann::ordered_json browserJson(const wire::BrowserMessage& b, unsigned cp) {
    nlohmann::ordered_json j;
    j["opcode"] = b.opcode;
    j["type"] = wire::browserOpcodeName(b.opcode);
    if (b.announcement) {
        const auto& a = *b.announcement;
        j["server_name"] = base::decodeOem(a.serverName, cp);
        j["os_version"] = std::to_string(a.osMajor) + "." + std::to_string(a.osMinor);
        j["server_type"] = fmt::format("0x{:08x}", a.serverType);
        j["server_type_flags"] = wire::serverTypeNames(a.serverType);
        j["browser_version"] = std::to_string(a.browserMajor) + "." + std::to_string(a.browserMinor);
        j["periodicity_ms"] = a.periodicityMs;
        j["update_count"] = a.updateCount;
        j["comment"] = base::decodeOem(a.comment, cp);
    }
    if (!b.name.empty()) j["name"] = base::decodeOem(b.name, cp);
    if (b.opcode == 8) {
        j["election_version"] = b.electionVersion;
        j["election_criteria"] = b.electionCriteria;
        j["uptime_ms"] = b.electionUptimeMs;
    }
    return j;
}

}  // namespace

std::optional<std::string> printableText(std::span<const std::uint8_t> data) {
    if (!data.empty() && data.back() == 0) data = data.first(data.size() - 1);
    std::string s;
    for (std::uint8_t c : data) {
        if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c >= 0x7f) return std::nullopt;
        s.push_back(static_cast<char>(c));
    }
    return s;
}

std::string shownName(const wire::NetbiosName& n, unsigned oemCodePage) {
    return base::decodeOem(n.name, oemCodePage) + wire::displayName(n).substr(n.name.size());
}

std::string nameHex(std::string_view wireName) {
    return wire::toHex(std::span(reinterpret_cast<const std::uint8_t*>(wireName.data()), wireName.size()));
}

nlohmann::ordered_json toJson(const ReceivedDatagram& d, unsigned oemCodePage) {
    nlohmann::ordered_json j;
    j["time"] = isoUtc(d.time);
    j["peer"] = d.peerIp + ":" + std::to_string(d.peerPort);
    j["datagram_size"] = d.bytes.size();
    const auto& in = d.inspection;
    if (in.datagram) {
        const auto& g = *in.datagram;
        j["msg_type"] = wire::datagramTypeName(g.type);
        j["node_type"] = wire::nodeTypeName(g.nodeType());
        j["id"] = g.id;
        j["source_ip"] = wire::ipv4Text(g.sourceIp);
        j["source_port"] = g.sourcePort;
        if (g.type <= wire::DatagramType::Broadcast) {
            j["source_name"] = base::decodeOem(g.source.name, oemCodePage);
            j["source_name_hex"] = nameHex(g.source.name);
            j["source_suffix"] = hexByte(g.source.suffix);
        }
        if (g.type != wire::DatagramType::Error) {
            j["dest_name"] = base::decodeOem(g.destination.name, oemCodePage);
            j["dest_name_hex"] = nameHex(g.destination.name);
            j["dest_suffix"] = hexByte(g.destination.suffix);
        } else {
            j["error_code"] = hexByte(g.errorCode);
        }
    }
    if (in.mailslot) {
        const auto& m = *in.mailslot;
        j["slot"] = m.slot;
        j["priority"] = m.priority;
        j["class"] = m.mailslotClass;
        j["size"] = m.data.size();
        j["data_hex"] = wire::toHex(m.data);
        if (auto t = printableText(m.data)) j["data_text"] = *t;
        if (in.browser) j["browser"] = browserJson(*in.browser, oemCodePage);
        if (in.netlogonOpcode) {
            j["netlogon"] = {{"opcode", *in.netlogonOpcode}, {"type", wire::netlogonOpcodeName(*in.netlogonOpcode)}};
        }
    }
    if (d.oversized) j["oversized"] = true;
    if (in.error) {
        j["error"] = in.error->message();
        j["error_code"] = wire::decodeErrcName(in.error->code);
        if (!in.mailslot) j["raw_hex"] = wire::toHex(std::span(d.bytes).first(std::min<std::size_t>(d.bytes.size(), 256)));
    }
    return j;
}

std::string renderLine(const ReceivedDatagram& d, unsigned oemCodePage) {
    std::string s = isoUtc(d.time).substr(11, 12) + " " + d.peerIp;
    const auto& in = d.inspection;
    if (in.datagram) {
        const auto& g = *in.datagram;
        if (g.type <= wire::DatagramType::Broadcast) s += " " + shownName(g.source, oemCodePage);
        if (g.type != wire::DatagramType::Error) s += " -> " + shownName(g.destination, oemCodePage);
        s += " " + std::string(wire::datagramTypeName(g.type));
    }
    if (in.mailslot) {
        const auto& m = *in.mailslot;
        s += " " + base::escapeInvalidUtf8(m.slot) + " " + std::to_string(m.data.size()) + " bytes";
        if (in.browser) {
            s += " " + std::string(wire::browserOpcodeName(in.browser->opcode));
            if (in.browser->announcement)
                s += " '" + base::decodeOem(in.browser->announcement->serverName, oemCodePage) + "' os " +
                     std::to_string(in.browser->announcement->osMajor) + "." + std::to_string(in.browser->announcement->osMinor) +
                     " comment '" + base::decodeOem(in.browser->announcement->comment, oemCodePage) + "'";
            else if (!in.browser->name.empty())
                s += " '" + base::decodeOem(in.browser->name, oemCodePage) + "'";
        } else if (auto t = printableText(m.data)) {
            s += ": " + *t;
        } else {
            s += ": " + wire::toHex(std::span(m.data).first(std::min<std::size_t>(m.data.size(), 64)));
            if (m.data.size() > 64) s += "...";
        }
    }
    if (d.oversized) s += " [oversized]";
    if (in.error) s += " [malformed: " + in.error->message() + "]";
    return s;
}

bool slotMatches(const ReceivedDatagram& d, std::string_view slot) {
    if (slot.empty()) return true;
    if (!d.inspection.mailslot) return false;
    const std::string want = upper(slot);
    return upper(d.inspection.mailslot->shortName()) == want || upper(d.inspection.mailslot->slot) == want;
}

}  // namespace ipcscope::core
