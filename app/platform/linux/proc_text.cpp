#include "platform/linux/proc_text.h"

#include <fmt/format.h>
#include <arpa/inet.h>
#include <charconv>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <type_traits>

namespace ipcscope::lnx {
namespace {

// Calls f(line) for each line of text, without the newline.
template <class F>
void forEachLine(std::string_view text, F&& f) {
    while (!text.empty()) {
        auto nl = text.find('\n');
        f(text.substr(0, nl));
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    }
}

std::optional<std::int64_t> parseSigned(std::string_view s) {
    if (s.empty()) return std::nullopt;
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 10);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return v;
}

}  // namespace

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

namespace ipcscope::lnx {

std::vector<MapEntry> parseMaps(std::string_view text, bool sharedOnly, std::size_t* bad) {
    std::vector<MapEntry> out;
    std::size_t badCount = 0;
    forEachLine(text, [&](std::string_view line) {
        if (line.empty()) return;
        // "7f12a000-7f12b000 rw-s 00000000 00:1a 12345    /dev/shm/name"
        const auto sp = line.find(' ');
        if (sp == std::string_view::npos || line.size() < sp + 5) {
            ++badCount;
            return;
        }
        if (sharedOnly && line[sp + 4] != 's') return;
        auto f = splitFields(line, 5);
        if (f.size() < 5 || f[1].size() != 4) {
            ++badCount;
            return;
        }
        const auto dash = f[0].find('-');
        const auto colon = f[3].find(':');
        if (dash == std::string_view::npos || colon == std::string_view::npos) {
            ++badCount;
            return;
        }
        auto start = parseUnsigned(f[0].substr(0, dash), 16);
        auto end = parseUnsigned(f[0].substr(dash + 1), 16);
        auto off = parseUnsigned(f[2], 16);
        auto maj = parseUnsigned(f[3].substr(0, colon), 16);
        auto min = parseUnsigned(f[3].substr(colon + 1), 16);
        auto ino = parseUnsigned(f[4], 10);
        if (!start || !end || !off || !maj || !min || !ino || *end < *start) {
            ++badCount;
            return;
        }
        MapEntry e;
        e.start = *start;
        e.end = *end;
        std::memcpy(e.perms, f[1].data(), 4);
        e.offset = *off;
        e.devMajor = static_cast<std::uint32_t>(*maj);
        e.devMinor = static_cast<std::uint32_t>(*min);
        e.inode = *ino;
        std::string_view rest = line.substr(static_cast<std::size_t>(f[4].data() + f[4].size() - line.data()));
        while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
        constexpr std::string_view kDeleted = " (deleted)";
        if (rest.size() >= kDeleted.size() && rest.substr(rest.size() - kDeleted.size()) == kDeleted) {
            e.deleted = true;
            rest.remove_suffix(kDeleted.size());
        }
        e.path = std::string(rest);
        out.push_back(std::move(e));
    });
    if (bad) *bad = badCount;
    return out;
}

std::vector<SysvShmEntry> parseSysvShm(std::string_view text, std::size_t* bad) {
    std::vector<SysvShmEntry> out;
    std::size_t badCount = 0;
    bool first = true;
    forEachLine(text, [&](std::string_view line) {
        if (first) {  // "       key      shmid perms       size  cpid  lpid nattch   uid ..."
            first = false;
            if (line.find("shmid") != std::string_view::npos) return;
        }
        auto f = splitFields(line, 17);
        if (f.empty()) return;
        if (f.size() < 14) {
            ++badCount;
            return;
        }
        auto key = parseSigned(f[0]);
        auto id = parseUnsigned(f[1]);
        auto perms = parseUnsigned(f[2], 8);
        auto size = parseUnsigned(f[3]);
        auto cpid = parseSigned(f[4]);
        auto lpid = parseSigned(f[5]);
        auto nattch = parseUnsigned(f[6]);
        auto uid = parseUnsigned(f[7]);
        auto gid = parseUnsigned(f[8]);
        auto cuid = parseUnsigned(f[9]);
        auto cgid = parseUnsigned(f[10]);
        auto at = parseSigned(f[11]);
        auto dt = parseSigned(f[12]);
        auto ct = parseSigned(f[13]);
        if (!key || *key < INT32_MIN || *key > UINT32_MAX || !id || !perms || !size || !cpid || !lpid || !nattch ||
            !uid || !gid || !cuid || !cgid || !at || !dt || !ct) {
            ++badCount;
            return;
        }
        SysvShmEntry e;
        e.key = static_cast<std::uint32_t>(static_cast<std::int64_t>(*key) & 0xffffffff);
        e.shmid = *id;
        e.perms = static_cast<std::uint32_t>(*perms);
        e.size = *size;
        e.cpid = *cpid;
        e.lpid = *lpid;
        e.nattch = *nattch;
        e.uid = static_cast<std::uint32_t>(*uid);
        e.gid = static_cast<std::uint32_t>(*gid);
        e.cuid = static_cast<std::uint32_t>(*cuid);
        e.cgid = static_cast<std::uint32_t>(*cgid);
        e.atime = *at;
        e.dtime = *dt;
        e.ctime = *ct;
        if (f.size() >= 15) e.rss = parseUnsigned(f[14]);
        out.push_back(e);
    });
    if (bad) *bad = badCount;
    return out;
}

namespace {

// The msg and sem files of /proc/sysvipc: a header line naming the columns, then one line per
// object (ipc/util.c sysvipc_proc_show; the columns are the format strings of ipc/msg.c and
// ipc/sem.c). Columns are looked up by their header name, so an added column does not shift
// the others.
class SysvTable {
public:
    explicit SysvTable(std::string_view header) : m_header(splitFields(header)) {}
    [[nodiscard]] std::optional<std::size_t> column(std::string_view name) const {
        for (std::size_t i = 0; i < m_header.size(); ++i)
            if (m_header[i] == name) return i;
        return std::nullopt;
    }

private:
    std::vector<std::string_view> m_header;
};

// Parses every data line with `row(fields, get)` where get(column) gives the field's text;
// a line is bad when row returns false. A missing header makes every line bad.
template <class Row>
void parseSysvFile(std::string_view text, std::size_t* bad, std::initializer_list<std::string_view> needed, Row&& row) {
    std::size_t badCount = 0;
    bool sawHeader = false, knownHeader = true;
    std::vector<std::size_t> index;
    forEachLine(text, [&](std::string_view line) {
        auto f = splitFields(line);
        if (f.empty()) return;
        if (!sawHeader) {
            sawHeader = true;
            const SysvTable table(line);
            for (auto name : needed) {
                const auto c = table.column(name);
                knownHeader = knownHeader && c;
                index.push_back(c.value_or(0));
            }
            return;
        }
        // Without the columns we know, no line below can be read safely: all are bad.
        auto get = [&](std::size_t i) { return index[i] < f.size() ? f[index[i]] : std::string_view{}; };
        if (!knownHeader || !row(get)) ++badCount;
    });
    if (bad) *bad = badCount;
}

bool sysvKey(std::string_view text, std::uint32_t& key) {
    auto v = parseSigned(text);
    if (!v || *v < INT32_MIN || *v > UINT32_MAX) return false;
    key = static_cast<std::uint32_t>(*v & 0xffffffff);
    return true;
}

template <class T>
bool number(std::string_view text, T& out, int base = 10) {
    if constexpr (std::is_signed_v<T>) {
        auto v = parseSigned(text);
        if (!v) return false;
        out = static_cast<T>(*v);
    } else {
        auto v = parseUnsigned(text, base);
        if (!v || *v > std::numeric_limits<T>::max()) return false;
        out = static_cast<T>(*v);
    }
    return true;
}

}  // namespace

std::vector<SysvMsgEntry> parseSysvMsg(std::string_view text, std::size_t* bad) {
    std::vector<SysvMsgEntry> out;
    parseSysvFile(text, bad,
                  {"key", "msqid", "perms", "cbytes", "qnum", "lspid", "lrpid", "uid", "gid", "cuid", "cgid", "stime",
                   "rtime", "ctime"},
                  [&](auto get) {
                      SysvMsgEntry e;
                      if (!sysvKey(get(0), e.key) || !number(get(1), e.msqid) || !number(get(2), e.perms, 8) ||
                          !number(get(3), e.cbytes) || !number(get(4), e.qnum) || !number(get(5), e.lspid) ||
                          !number(get(6), e.lrpid) || !number(get(7), e.uid) || !number(get(8), e.gid) ||
                          !number(get(9), e.cuid) || !number(get(10), e.cgid) || !number(get(11), e.stime) ||
                          !number(get(12), e.rtime) || !number(get(13), e.ctime))
                          return false;
                      out.push_back(e);
                      return true;
                  });
    return out;
}

std::vector<SysvSemEntry> parseSysvSem(std::string_view text, std::size_t* bad) {
    std::vector<SysvSemEntry> out;
    parseSysvFile(text, bad, {"key", "semid", "perms", "nsems", "uid", "gid", "cuid", "cgid", "otime", "ctime"},
                  [&](auto get) {
                      SysvSemEntry e;
                      if (!sysvKey(get(0), e.key) || !number(get(1), e.semid) || !number(get(2), e.perms, 8) ||
                          !number(get(3), e.nsems) || !number(get(4), e.uid) || !number(get(5), e.gid) ||
                          !number(get(6), e.cuid) || !number(get(7), e.cgid) || !number(get(8), e.otime) ||
                          !number(get(9), e.ctime))
                          return false;
                      out.push_back(e);
                      return true;
                  });
    return out;
}

std::optional<MqueueStatus> parseMqueueStatus(std::string_view text) {
    // ipc/mqueue.c mqueue_read_file: "QSIZE:%-10lu NOTIFY:%-5d SIGNO:%-5d NOTIFY_PID:%-6d\n".
    MqueueStatus st;
    bool sawSize = false;
    for (auto field : splitFields(text.substr(0, text.find('\n')))) {
        const auto colon = field.find(':');
        if (colon == std::string_view::npos) return std::nullopt;
        const auto name = field.substr(0, colon), value = field.substr(colon + 1);
        bool ok = true;
        if (name == "QSIZE") ok = sawSize = number(value, st.qsize);
        else if (name == "NOTIFY") ok = number(value, st.notify);
        else if (name == "SIGNO") ok = number(value, st.signo);
        else if (name == "NOTIFY_PID") ok = number(value, st.notifyPid);
        if (!ok) return std::nullopt;
    }
    if (!sawSize) return std::nullopt;
    return st;
}

std::string formatSysvKey(std::uint32_t key) {
    return fmt::format("0x{:08x}", key);
}

namespace {

// "0100007F:008A": the address is the kernel's in-memory words printed with %08X, so the bytes
// of each 32-bit word come back in host order; the port is plain hex.
bool parseInetAddr(std::string_view text, std::uint8_t* addr, std::uint16_t& port, bool& v6) {
    const auto colon = text.find(':');
    if (colon == std::string_view::npos) return false;
    const auto hex = text.substr(0, colon);
    if (hex.size() != 8 && hex.size() != 32) return false;
    v6 = hex.size() == 32;
    for (std::size_t w = 0; w < hex.size() / 8; ++w) {
        auto word = parseUnsigned(hex.substr(w * 8, 8), 16);
        if (!word) return false;
        const auto v = static_cast<std::uint32_t>(*word);
        std::memcpy(addr + w * 4, &v, 4);
    }
    auto p = parseUnsigned(text.substr(colon + 1), 16);
    if (!p || *p > 0xffff) return false;
    port = static_cast<std::uint16_t>(*p);
    return true;
}

}  // namespace

std::vector<InetEntry> parseProcNetInet(std::string_view text, std::size_t* bad) {
    std::vector<InetEntry> out;
    std::size_t badCount = 0;
    bool first = true;
    forEachLine(text, [&](std::string_view line) {
        if (first) {  // "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"
            first = false;
            if (line.find("local_address") != std::string_view::npos) return;
        }
        auto f = splitFields(line, 12);
        if (f.empty()) return;
        if (f.size() < 10 || f[0].empty() || f[0].back() != ':') {
            ++badCount;
            return;
        }
        InetEntry e;
        bool v6Local = false, v6Remote = false;
        const auto qcolon = f[4].find(':');
        auto st = parseUnsigned(f[3], 16);
        auto uid = parseUnsigned(f[7]);
        auto ino = parseUnsigned(f[9]);
        if (!parseInetAddr(f[1], e.local, e.localPort, v6Local) || !parseInetAddr(f[2], e.remote, e.remotePort, v6Remote) ||
            v6Local != v6Remote || qcolon == std::string_view::npos || !st || *st > 0xff || !uid || !ino) {
            ++badCount;
            return;
        }
        auto tx = parseUnsigned(f[4].substr(0, qcolon), 16);
        auto rx = parseUnsigned(f[4].substr(qcolon + 1), 16);
        if (!tx || !rx) {
            ++badCount;
            return;
        }
        e.v6 = v6Local;
        e.state = static_cast<std::uint8_t>(*st);
        e.txQueue = *tx;
        e.rxQueue = *rx;
        e.uid = static_cast<std::uint32_t>(*uid);
        e.inode = *ino;
        out.push_back(e);
    });
    if (bad) *bad = badCount;
    return out;
}

std::string formatEndpoint(const std::uint8_t* addr, bool v6, std::uint16_t port) {
    char buf[INET6_ADDRSTRLEN] = {};
    if (!::inet_ntop(v6 ? AF_INET6 : AF_INET, addr, buf, sizeof buf)) return "?";
    std::string out;
    if (v6) out += '[';
    out += buf;
    if (v6) out += ']';
    out += ':';
    out += std::to_string(port);
    return out;
}

std::string_view tcpStateName(std::uint8_t state) noexcept {
    switch (state) {
    case 1: return "established";
    case 2: return "syn-sent";
    case 3: return "syn-recv";
    case 4: return "fin-wait-1";
    case 5: return "fin-wait-2";
    case 6: return "time-wait";
    case 7: return "close";
    case 8: return "close-wait";
    case 9: return "last-ack";
    case 10: return "listen";
    case 11: return "closing";
    case 12: return "new-syn-recv";
    default: return "unknown";
    }
}

}  // namespace ipcscope::lnx
