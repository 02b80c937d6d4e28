#include "core/target.h"

#include <array>
#include <charconv>
#include <cstdio>

namespace ipcscope::core {
namespace {

constexpr std::string_view kForms =
    "use \\\\HOST\\mailslot\\NAME, \\\\HOST\\pipe\\NAME, fifo:PATH, unix:PATH, unix:@NAME, tcp:HOST:PORT, "
    "udp:HOST:PORT, clipboard:FORMAT, copydata:WINDOW or dde:SERVICE|TOPIC[!ITEM]";

char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool startsWithNoCase(std::string_view s, std::string_view prefix) noexcept {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
        if (lower(s[i]) != lower(prefix[i])) return false;
    return true;
}

Error bad(std::string_view text, std::string_view why) {
    return Error::make(Errc::InvalidArgument, "target '" + std::string(text) + "': " + std::string(why));
}

// \\HOST\mailslot\NAME or \\HOST\pipe\NAME (forward slashes are accepted as well).
std::optional<Result<Target>> parseUnc(std::string_view text) {
    auto isSep = [](char c) { return c == '\\' || c == '/'; };
    if (text.size() < 2 || !isSep(text[0]) || !isSep(text[1])) return std::nullopt;
    const std::string_view rest = text.substr(2);
    std::size_t hostEnd = 0;
    while (hostEnd < rest.size() && !isSep(rest[hostEnd])) ++hostEnd;
    const std::string_view host = rest.substr(0, hostEnd);
    if (host.empty() || hostEnd == rest.size()) return bad(text, "expected \\\\HOST\\pipe\\NAME or \\\\HOST\\mailslot\\NAME");
    const std::string_view after = rest.substr(hostEnd + 1);
    for (auto [word, kind] : {std::pair{std::string_view("pipe"), TargetKind::NamedPipe},
                              std::pair{std::string_view("mailslot"), TargetKind::Mailslot}}) {
        if (startsWithNoCase(after, word) && after.size() > word.size() + 1 && isSep(after[word.size()])) {
            Target t;
            t.kind = kind;
            t.host = std::string(host);
            t.name = std::string(after.substr(word.size() + 1));
            return Result<Target>(std::move(t));
        }
    }
    return bad(text, "expected \\\\HOST\\pipe\\NAME or \\\\HOST\\mailslot\\NAME");
}

Result<Target> parseInet(std::string_view text, std::string_view rest, TargetKind kind) {
    Target t;
    t.kind = kind;
    std::string_view portText;
    if (!rest.empty() && rest.front() == '[') {
        const auto close = rest.find(']');
        if (close == std::string_view::npos || close + 1 >= rest.size() || rest[close + 1] != ':')
            return bad(text, "an IPv6 address is written [ADDRESS]:PORT");
        t.host = std::string(rest.substr(1, close - 1));
        portText = rest.substr(close + 2);
    } else {
        const auto colon = rest.rfind(':');
        if (colon == std::string_view::npos) return bad(text, "expected HOST:PORT");
        t.host = std::string(rest.substr(0, colon));
        if (t.host.find(':') != std::string::npos) return bad(text, "an IPv6 address is written [ADDRESS]:PORT");
        portText = rest.substr(colon + 1);
    }
    if (t.host.empty()) return bad(text, "the host is empty");
    unsigned port = 0;
    auto [p, ec] = std::from_chars(portText.data(), portText.data() + portText.size(), port);
    if (portText.empty() || ec != std::errc{} || p != portText.data() + portText.size() || port > 65535)
        return bad(text, "the port must be a number from 0 to 65535");
    t.port = static_cast<std::uint16_t>(port);
    return t;
}

Result<Target> parseDde(std::string_view text, std::string_view rest) {
    Target t;
    t.kind = TargetKind::Dde;
    const auto bar = rest.find('|');
    if (bar == std::string_view::npos) return bad(text, "expected dde:SERVICE|TOPIC or dde:SERVICE|TOPIC!ITEM");
    t.name = std::string(rest.substr(0, bar));
    std::string_view topic = rest.substr(bar + 1);
    if (const auto bang = topic.find('!'); bang != std::string_view::npos) {
        t.item = std::string(topic.substr(bang + 1));
        topic = topic.substr(0, bang);
        if (t.item.empty()) return bad(text, "the DDE item after '!' is empty");
    }
    t.topic = std::string(topic);
    if (t.name.empty() || t.topic.empty()) return bad(text, "the DDE service and topic must not be empty");
    return t;
}

Result<Target> parseCopyData(std::string_view text, std::string_view rest) {
    Target t;
    t.kind = TargetKind::CopyData;
    t.name = std::string(rest);
    if (rest.size() > 2 && rest[0] == '0' && lower(rest[1]) == 'x') {
        std::uint64_t h = 0;
        const std::string_view digits = rest.substr(2);
        auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), h, 16);
        if (ec == std::errc{} && p == digits.data() + digits.size()) t.handle = h;
        else return bad(text, "a window handle is written 0x followed by hex digits");
    }
    return t;
}

}  // namespace

std::string_view targetKindName(TargetKind kind) noexcept {
    switch (kind) {
    case TargetKind::Mailslot: return "mailslot";
    case TargetKind::NamedPipe: return "named-pipe";
    case TargetKind::Fifo: return "fifo";
    case TargetKind::Unix: return "unix";
    case TargetKind::Tcp: return "tcp";
    case TargetKind::Udp: return "udp";
    case TargetKind::Clipboard: return "clipboard";
    case TargetKind::CopyData: return "copydata";
    case TargetKind::Dde: return "dde";
    }
    return "?";
}

Result<Target> parseTarget(std::string_view text) {
    if (text.empty()) return Error::make(Errc::InvalidArgument, "the target is empty: " + std::string(kForms));
    if (auto unc = parseUnc(text)) return std::move(*unc);
    const auto colon = text.find(':');
    if (colon == std::string_view::npos || colon == 0)
        return Error::make(Errc::InvalidArgument, "unknown target '" + std::string(text) + "': " + std::string(kForms));
    const std::string_view scheme = text.substr(0, colon);
    const std::string_view rest = text.substr(colon + 1);
    auto is = [&](std::string_view s) { return scheme.size() == s.size() && startsWithNoCase(scheme, s); };
    auto simple = [&](TargetKind kind, std::string_view what) -> Result<Target> {
        if (rest.empty()) return bad(text, std::string(what) + " is empty");
        Target t;
        t.kind = kind;
        t.name = std::string(rest);
        return t;
    };
    if (is("fifo")) return simple(TargetKind::Fifo, "the path");
    if (is("clipboard")) return simple(TargetKind::Clipboard, "the format");
    if (is("unix")) {
        if (!rest.empty() && rest.front() == '@') {
            if (rest.size() == 1) return bad(text, "the abstract name after '@' is empty");
            Target t;
            t.kind = TargetKind::Unix;
            t.abstract = true;
            t.name = std::string(rest.substr(1));
            return t;
        }
        return simple(TargetKind::Unix, "the path");
    }
    if (is("tcp")) return parseInet(text, rest, TargetKind::Tcp);
    if (is("udp")) return parseInet(text, rest, TargetKind::Udp);
    if (is("copydata")) {
        if (rest.empty()) return bad(text, "the window is empty");
        return parseCopyData(text, rest);
    }
    if (is("dde")) return parseDde(text, rest);
    return Error::make(Errc::InvalidArgument, "unknown target '" + std::string(text) + "': " + std::string(kForms));
}

std::string formatTarget(const Target& t) {
    switch (t.kind) {
    case TargetKind::Mailslot: return "\\\\" + t.host + "\\mailslot\\" + t.name;
    case TargetKind::NamedPipe: return "\\\\" + t.host + "\\pipe\\" + t.name;
    case TargetKind::Fifo: return "fifo:" + t.name;
    case TargetKind::Unix: return (t.abstract ? "unix:@" : "unix:") + t.name;
    case TargetKind::Tcp:
    case TargetKind::Udp: {
        const bool v6 = t.host.find(':') != std::string::npos;
        return std::string(t.kind == TargetKind::Tcp ? "tcp:" : "udp:") + (v6 ? "[" + t.host + "]" : t.host) + ":" +
               std::to_string(t.port);
    }
    case TargetKind::Clipboard: return "clipboard:" + t.name;
    case TargetKind::CopyData: return "copydata:" + t.name;
    case TargetKind::Dde: return "dde:" + t.name + "|" + t.topic + (t.item.empty() ? "" : "!" + t.item);
    }
    return {};
}

namespace {

std::string detailText(const IpcObject& obj, const char* key) {
    if (!obj.details.is_object()) return {};
    auto it = obj.details.find(key);
    return it != obj.details.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::optional<std::string> targetOf(const IpcObject& obj) {
    switch (obj.kind) {
    case Kind::Fifo:
        if (!obj.name.empty() && obj.name.front() == '/') return "fifo:" + obj.name;
        return std::nullopt;
    case Kind::UnixSocket:
        // Named sockets only: a socket:[inode] has no address anyone can connect or send to.
        if (!obj.name.empty() && (obj.name.front() == '/' || obj.name.front() == '@')) return "unix:" + obj.name;
        return std::nullopt;
    case Kind::TcpSocket: {
        // A listener takes connections; a connected socket belongs to its peer.
        const std::string state = detailText(obj, "state");
        if (state != "listen") return std::nullopt;
        const std::string local = detailText(obj, "local");
        return local.empty() ? std::nullopt : std::optional<std::string>("tcp:" + local);
    }
    case Kind::UdpSocket: {
        // A connected UDP socket only takes datagrams from its peer.
        if (obj.name.find(" -> ") != std::string::npos) return std::nullopt;
        const std::string local = detailText(obj, "local");
        return local.empty() ? std::nullopt : std::optional<std::string>("udp:" + local);
    }
    case Kind::NamedPipe: return "\\\\.\\pipe\\" + obj.name;
    case Kind::Mailslot: return "\\\\.\\mailslot\\" + obj.name;
    case Kind::ClipboardFormat: {
        // X11 rows are "SELECTION TARGET"; only CLIPBOARD is served by send.
        const std::string selection = detailText(obj, "selection");
        if (selection.empty()) return "clipboard:" + obj.name;
        if (selection != "CLIPBOARD") return std::nullopt;
        const auto space = obj.name.find(' ');
        return space == std::string::npos ? std::nullopt : std::optional<std::string>("clipboard:" + obj.name.substr(space + 1));
    }
    case Kind::Window: {
        const std::string hwnd = detailText(obj, "hwnd");
        return hwnd.empty() ? std::nullopt : std::optional<std::string>("copydata:" + hwnd);
    }
    case Kind::DdeServer: {
        const std::string service = detailText(obj, "service"), topic = detailText(obj, "topic");
        if (service.empty() || topic.empty()) return std::nullopt;
        return "dde:" + service + "|" + topic;
    }
    default: return std::nullopt;
    }
}

}  // namespace ipcscope::core
