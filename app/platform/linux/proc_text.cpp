#include "linux/proc_text.h"

#include <charconv>

namespace ipcscope::lnx {

std::optional<std::uint64_t> parseUnsigned(std::string_view s, int base) {
    if (s.empty()) return std::nullopt;
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
}

std::vector<std::string_view> splitFields(std::string_view line, std::size_t maxFields) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < line.size() && out.size() < maxFields) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        if (i >= line.size()) break;
        std::size_t j = i;
        while (j < line.size() && line[j] != ' ' && line[j] != '\t') ++j;
        out.push_back(line.substr(i, j - i));
        i = j;
    }
    return out;
}

FdTarget parseFdLink(std::string_view link) {
    FdTarget t;
    constexpr std::string_view kDeleted = " (deleted)";
    if (link.size() >= kDeleted.size() && link.substr(link.size() - kDeleted.size()) == kDeleted) {
        t.deleted = true;
        link.remove_suffix(kDeleted.size());
    }
    auto bracketInode = [&](std::string_view prefix) -> std::optional<std::uint64_t> {
        if (link.substr(0, prefix.size()) != prefix || link.size() < prefix.size() + 3) return std::nullopt;
        if (link[prefix.size()] != '[' || link.back() != ']') return std::nullopt;
        return parseUnsigned(link.substr(prefix.size() + 1, link.size() - prefix.size() - 2));
    };
    if (auto ino = bracketInode("pipe:")) {
        t.type = FdTarget::Type::Pipe;
        t.inode = *ino;
    } else if (auto sino = bracketInode("socket:")) {
        t.type = FdTarget::Type::Socket;
        t.inode = *sino;
    } else if (link.substr(0, 11) == "anon_inode:") {
        t.type = FdTarget::Type::AnonInode;
        t.text = std::string(link.substr(11));
    } else if (link.substr(0, 7) == "/memfd:") {
        t.type = FdTarget::Type::Memfd;
        t.text = std::string(link.substr(7));
    } else if (!link.empty() && link.front() == '/') {
        t.type = FdTarget::Type::Path;
        t.text = std::string(link);
    } else {
        t.text = std::string(link);
    }
    return t;
}

std::vector<UnixEntry> parseProcNetUnix(std::string_view text, std::size_t* bad) {
    std::vector<UnixEntry> out;
    std::size_t badCount = 0;
    bool header = true;
    while (!text.empty()) {
        auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        if (header) {  // "Num RefCount Protocol Flags Type St Inode Path"
            header = false;
            if (line.substr(0, 3) == "Num") continue;
        }
        if (line.empty()) continue;
        auto f = splitFields(line, 7);
        if (f.size() < 7 || f[0].empty() || f[0].back() != ':') {
            ++badCount;
            continue;
        }
        auto ref = parseUnsigned(f[1], 16);
        auto flags = parseUnsigned(f[3], 16);
        auto type = parseUnsigned(f[4], 16);
        auto st = parseUnsigned(f[5], 16);
        auto ino = parseUnsigned(f[6], 10);
        if (!ref || !flags || !type || !st || !ino) {
            ++badCount;
            continue;
        }
        UnixEntry e;
        e.refCount = static_cast<std::uint32_t>(*ref);
        e.flags = static_cast<std::uint32_t>(*flags);
        e.type = static_cast<std::uint32_t>(*type);
        e.state = static_cast<std::uint32_t>(*st);
        e.inode = *ino;
        // The path is the rest of the line after the inode field; it may contain spaces.
        const std::size_t after = static_cast<std::size_t>(f[6].data() + f[6].size() - line.data());
        std::string_view rest = line.substr(after);
        while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
        e.path = std::string(rest);
        out.push_back(std::move(e));
    }
    if (bad) *bad = badCount;
    return out;
}

std::string_view unixTypeName(std::uint32_t type) noexcept {
    switch (type) {
    case 1: return "stream";
    case 2: return "dgram";
    case 5: return "seqpacket";
    default: return "unknown";
    }
}

std::string_view unixStateName(std::uint32_t state, bool listening) noexcept {
    if (listening) return "listen";
    switch (state) {
    case 1: return "unconnected";
    case 2: return "connecting";
    case 3: return "connected";
    case 4: return "disconnecting";
    default: return "unknown";
    }
}

std::optional<char> parseFdinfoMode(std::string_view text) {
    auto pos = text.find("flags:");
    if (pos == std::string_view::npos) return std::nullopt;
    std::string_view rest = text.substr(pos + 6);
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
    auto end = rest.find_first_of(" \t\n");
    auto v = parseUnsigned(rest.substr(0, end), 8);
    if (!v) return std::nullopt;
    switch (*v & 3) {
    case 0: return 'r';
    case 1: return 'w';
    default: return 'u';
    }
}

}  // namespace ipcscope::lnx
