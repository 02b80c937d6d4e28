#include "windows/row_format.h"

#include "windows/nt_parse.h"

#include <cstdio>

namespace ipcscope::win {

std::uint16_t portFromTableDword(std::uint32_t value) noexcept {
    return static_cast<std::uint16_t>(((value & 0xFF) << 8) | ((value >> 8) & 0xFF));
}

std::string formatIpv4(const std::array<std::uint8_t, 4>& b) {
    return std::to_string(b[0]) + '.' + std::to_string(b[1]) + '.' + std::to_string(b[2]) + '.' + std::to_string(b[3]);
}

std::string formatIpv6(const std::array<std::uint8_t, 16>& b, std::uint32_t scope) {
    std::array<std::uint16_t, 8> g{};
    for (std::size_t i = 0; i < 8; ++i) g[i] = static_cast<std::uint16_t>((b[2 * i] << 8) | b[2 * i + 1]);
    // RFC 5952 4.2: compress the longest run of two or more zero groups, the first one on ties.
    int bestStart = -1, bestLen = 0;
    for (int i = 0; i < 8;) {
        if (g[static_cast<std::size_t>(i)] != 0) { ++i; continue; }
        int j = i;
        while (j < 8 && g[static_cast<std::size_t>(j)] == 0) ++j;
        if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
        i = j;
    }
    std::string out;
    char buf[8];
    // RFC 5952 5: IPv4-mapped addresses keep the dotted quad.
    if (bestStart == 0 && bestLen == 5 && g[5] == 0xFFFF)
        return "::ffff:" + formatIpv4({b[12], b[13], b[14], b[15]});
    for (int i = 0; i < 8; ++i) {
        if (i == bestStart) {
            out += "::";
            i += bestLen - 1;
            continue;
        }
        if (!out.empty() && out.back() != ':') out += ':';
        std::snprintf(buf, sizeof buf, "%x", g[static_cast<std::size_t>(i)]);
        out += buf;
    }
    if (scope != 0) out += '%' + std::to_string(scope);
    return out;
}

std::string formatEndpoint(const std::string& address, std::uint16_t port, bool ipv6) {
    return (ipv6 ? "[" + address + "]" : address) + ':' + std::to_string(port);
}

std::string_view tcpStateName(std::uint32_t state) noexcept {
    constexpr std::string_view kNames[] = {"closed",     "listen",     "syn-sent", "syn-received",
                                           "established", "fin-wait-1", "fin-wait-2", "close-wait",
                                           "closing",    "last-ack",   "time-wait", "delete-tcb"};
    if (state >= 1 && state <= 12) return kNames[state - 1];
    return "unknown";
}

std::optional<std::string> standardClipboardFormatName(std::uint32_t id) {
    // Standard Clipboard Formats (winuser.h).
    switch (id) {
    case 1: return "CF_TEXT";
    case 2: return "CF_BITMAP";
    case 3: return "CF_METAFILEPICT";
    case 4: return "CF_SYLK";
    case 5: return "CF_DIF";
    case 6: return "CF_TIFF";
    case 7: return "CF_OEMTEXT";
    case 8: return "CF_DIB";
    case 9: return "CF_PALETTE";
    case 10: return "CF_PENDATA";
    case 11: return "CF_RIFF";
    case 12: return "CF_WAVE";
    case 13: return "CF_UNICODETEXT";
    case 14: return "CF_ENHMETAFILE";
    case 15: return "CF_HDROP";
    case 16: return "CF_LOCALE";
    case 17: return "CF_DIBV5";
    case 0x80: return "CF_OWNERDISPLAY";
    case 0x81: return "CF_DSPTEXT";
    case 0x82: return "CF_DSPBITMAP";
    case 0x83: return "CF_DSPMETAFILEPICT";
    case 0x8E: return "CF_DSPENHMETAFILE";
    default: break;
    }
    if (id >= 0x200 && id <= 0x2FF) return "CF_PRIVATEFIRST+" + std::to_string(id - 0x200);
    if (id >= 0x300 && id <= 0x3FF) return "CF_GDIOBJFIRST+" + std::to_string(id - 0x300);
    return std::nullopt;
}

bool clipboardFormatIsGlobalMemory(std::uint32_t id) noexcept {
    switch (id) {
    case 2: case 9: case 14: case 0x80: case 0x82: case 0x8E: return false;
    default: return !(id >= 0x300 && id <= 0x3FF);
    }
}

core::Result<StringBinding> parseStringBinding(std::string_view text) {
    StringBinding b;
    std::string_view rest = text;
    const auto colon = rest.find(':');
    if (colon == std::string_view::npos)
        return core::Error::make(core::Errc::Malformed, "string binding has no protocol sequence");
    std::string_view head = rest.substr(0, colon);
    if (const auto at = head.find('@'); at != std::string_view::npos) {
        b.objectUuid = std::string(head.substr(0, at));
        head = head.substr(at + 1);
    }
    if (head.empty()) return core::Error::make(core::Errc::Malformed, "string binding has an empty protocol sequence");
    b.protocolSequence = std::string(head);
    rest = rest.substr(colon + 1);
    const auto open = rest.find('[');
    b.networkAddress = std::string(rest.substr(0, open));
    if (open == std::string_view::npos) return b;
    const auto close = rest.find(']', open);
    if (close == std::string_view::npos || close + 1 != rest.size())
        return core::Error::make(core::Errc::Malformed, "string binding has an unterminated endpoint");
    std::string_view inner = rest.substr(open + 1, close - open - 1);
    if (const auto comma = inner.find(','); comma != std::string_view::npos) {
        b.options = std::string(inner.substr(comma + 1));
        inner = inner.substr(0, comma);
    }
    b.endpoint = std::string(inner);
    return b;
}

core::IpcObject rpcEndpointRow(const std::string& interfaceUuid, std::uint16_t major, std::uint16_t minor,
                               const std::string& objectUuid, const std::string& binding, const std::string& annotation) {
    core::IpcObject obj;
    obj.kind = core::Kind::RpcEndpoint;
    obj.name = binding;
    obj.details["interface"] = interfaceUuid;
    obj.details["version"] = std::to_string(major) + "." + std::to_string(minor);
    if (!objectUuid.empty() && objectUuid != "00000000-0000-0000-0000-000000000000") obj.details["object"] = objectUuid;
    if (!annotation.empty()) obj.details["annotation"] = annotation;
    if (auto parts = parseStringBinding(binding)) {
        obj.details["protocol"] = parts->protocolSequence;
        if (!parts->networkAddress.empty()) obj.details["address"] = parts->networkAddress;
        if (!parts->endpoint.empty()) obj.details["endpoint"] = parts->endpoint;
    } else {
        obj.error = parts.error().message();
    }
    return obj;
}

namespace {

std::int32_t le32(std::span<const std::uint8_t> b, std::size_t at) {
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(b[at]) | static_cast<std::uint32_t>(b[at + 1]) << 8 |
                                     static_cast<std::uint32_t>(b[at + 2]) << 16 | static_cast<std::uint32_t>(b[at + 3]) << 24);
}

}  // namespace

core::Result<nlohmann::ordered_json> syncStateDetails(core::Kind kind, std::span<const std::uint8_t> info) {
    if (info.size() < 8)
        return core::Error::make(core::Errc::Malformed, "the state of a " + std::string(core::kindName(kind)) + " takes 8 bytes, got " +
                                                            std::to_string(info.size()));
    nlohmann::ordered_json d = nlohmann::ordered_json::object();
    switch (kind) {
    case core::Kind::Event: {
        const bool manual = le32(info, 0) == 0, signaled = le32(info, 4) != 0;
        d["event_type"] = manual ? "manual-reset" : "auto-reset";
        d["signaled"] = signaled;
        d["state"] = std::string(signaled ? "signaled" : "not signaled") + ", " + (manual ? "manual-reset" : "auto-reset");
        return d;
    }
    case core::Kind::Mutex: {
        const std::int32_t count = le32(info, 0);
        const bool abandoned = info[5] != 0;
        d["owned"] = count <= 0;
        d["abandoned"] = abandoned;
        // Owned recursively: CurrentCount is 1 minus the number of acquisitions.
        d["state"] = abandoned ? std::string("abandoned")
                     : count <= 0 ? "owned" + (count < 0 ? " (" + std::to_string(1 - count) + " times)" : std::string())
                                  : std::string("free");
        return d;
    }
    case core::Kind::Semaphore: {
        const std::int32_t count = le32(info, 0), maximum = le32(info, 4);
        d["count"] = count;
        d["maximum"] = maximum;
        d["state"] = "count " + std::to_string(count) + " of " + std::to_string(maximum);
        return d;
    }
    default:
        return core::Error::make(core::Errc::InvalidArgument, std::string(core::kindName(kind)) + " has no synchronisation state");
    }
}

core::Result<std::optional<MutexOwner>> decodeMutexOwner(std::span<const std::uint8_t> info, unsigned pointerSize) {
    if (pointerSize != 4 && pointerSize != 8) return core::Error::make(core::Errc::InvalidArgument, "pointer size must be 4 or 8");
    if (info.size() < 2u * pointerSize)
        return core::Error::make(core::Errc::Malformed, "a mutex's owner takes " + std::to_string(2 * pointerSize) + " bytes, got " +
                                                            std::to_string(info.size()));
    auto pointer = [&](std::size_t at) {
        std::uint64_t v = 0;
        for (unsigned i = 0; i < pointerSize; ++i) v |= static_cast<std::uint64_t>(info[at + i]) << (8 * i);
        return v;
    };
    const MutexOwner owner{pointer(0), pointer(pointerSize)};
    if (owner.pid == 0 && owner.tid == 0) return std::optional<MutexOwner>();
    return std::optional<MutexOwner>(owner);
}

std::u16string ntChildPath(std::u16string_view directory, std::u16string_view name) {
    std::u16string path(directory);
    if (path.empty() || path.back() != u'\\') path += u'\\';
    return path + std::u16string(name);
}

std::vector<core::IpcObject> alpcPortRows(std::u16string_view directory, std::span<const ObjectDirEntry> entries,
                                          const HoldersByPath& holders) {
    std::vector<core::IpcObject> rows;
    for (const auto& e : entries) {
        if (e.typeName != "ALPC Port") continue;
        core::IpcObject obj;
        obj.kind = core::Kind::AlpcPort;
        const std::u16string path = ntChildPath(directory, e.ntName);
        obj.name = toUtf8(path);
        obj.details["directory"] = toUtf8(directory);
        if (auto it = holders.find(foldCase(path)); it != holders.end())
            for (core::Holder h : it->second) {
                h.how += " server";
                obj.addHolder(std::move(h));
            }
        rows.push_back(std::move(obj));
    }
    return rows;
}

}  // namespace ipcscope::win
