#include "wire/netbios.h"

#include "wire/bytes.h"

#include <fmt/format.h>
#include <cstdio>

namespace ipcscope::wire {
namespace {

DecodeError fail(DecodeErrc code, std::size_t offset, std::string detail = {}) {
    return DecodeError{code, offset, std::move(detail)};
}

bool encodableNameChar(unsigned char c) { return c >= 0x20 && c < 0x7f && c != '.'; }

}  // namespace

std::string_view decodeErrcName(DecodeErrc code) noexcept {
    switch (code) {
    case DecodeErrc::Truncated: return "truncated";
    case DecodeErrc::BadMessageType: return "bad-message-type";
    case DecodeErrc::LengthMismatch: return "length-mismatch";
    case DecodeErrc::BadNameLength: return "bad-name-length";
    case DecodeErrc::BadNameEncoding: return "bad-name-encoding";
    case DecodeErrc::BadScope: return "bad-scope";
    case DecodeErrc::Fragmented: return "fragmented";
    case DecodeErrc::NotSmb: return "not-smb";
    case DecodeErrc::NotTransaction: return "not-transaction";
    case DecodeErrc::BadWordCount: return "bad-word-count";
    case DecodeErrc::BadSetup: return "bad-setup";
    case DecodeErrc::BadDataRange: return "bad-data-range";
    case DecodeErrc::BadByteCount: return "bad-byte-count";
    case DecodeErrc::UnterminatedName: return "unterminated-name";
    case DecodeErrc::NotMailslot: return "not-mailslot";
    case DecodeErrc::BadBrowserFrame: return "bad-browser-frame";
    }
    return "unknown";
}

std::string DecodeError::message() const {
    std::string s = std::string(decodeErrcName(code)) + " at byte " + std::to_string(offset);
    if (!detail.empty()) s += " (" + detail + ")";
    return s;
}

base::Error DecodeError::toError() const {
    return base::Error::make(base::Errc::Malformed, "malformed datagram: " + message());
}

base::Result<NetbiosName> makeName(std::string_view name, std::uint8_t suffix, std::string_view scope) {
    if (name.empty() || name.size() > kNetbiosNameChars)
        return base::Error::make(base::Errc::InvalidArgument,
                                 "a NetBIOS name has 1 to 15 characters, '" + std::string(name) + "' has " +
                                     std::to_string(name.size()));
    NetbiosName n;
    n.suffix = suffix;
    for (char ch : name) {
        const auto c = static_cast<unsigned char>(ch);
        if (!encodableNameChar(c))
            return base::Error::make(base::Errc::InvalidArgument,
                                     "the NetBIOS name '" + std::string(name) + "' contains a character that names cannot carry");
        n.name.push_back(static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c));
    }
    if (!scope.empty()) {
        std::size_t label = 0;
        for (char c : scope) {
            label = c == '.' ? 0 : label + 1;
            if (label > 63) return base::Error::make(base::Errc::InvalidArgument, "a NetBIOS scope label has at most 63 characters");
        }
        if (scope.size() + 34 > 255) return base::Error::make(base::Errc::InvalidArgument, "the NetBIOS scope is too long");
        n.scope = std::string(scope);
    }
    return n;
}

std::string displayName(const NetbiosName& n) {
    std::string s = n.name + fmt::format("<{:02x}>", n.suffix);
    if (!n.scope.empty()) s += "." + n.scope;
    return s;
}

void encodeName(const NetbiosName& n, std::vector<std::uint8_t>& out) {
    // RFC 1001 section 14.1: pad to 15 with spaces, append the suffix, split each byte
    // into two nibbles and add 'A' to each.
    std::uint8_t raw[16];
    for (std::size_t i = 0; i < 15; ++i) raw[i] = i < n.name.size() ? static_cast<std::uint8_t>(n.name[i]) : ' ';
    raw[15] = n.suffix;
    out.push_back(0x20);
    for (std::uint8_t b : raw) {
        out.push_back(static_cast<std::uint8_t>('A' + (b >> 4)));
        out.push_back(static_cast<std::uint8_t>('A' + (b & 0x0f)));
    }
    std::size_t start = 0;
    while (start < n.scope.size()) {
        std::size_t dot = n.scope.find('.', start);
        if (dot == std::string::npos) dot = n.scope.size();
        out.push_back(static_cast<std::uint8_t>(dot - start));
        out.insert(out.end(), n.scope.begin() + static_cast<std::ptrdiff_t>(start),
                   n.scope.begin() + static_cast<std::ptrdiff_t>(dot));
        start = dot + 1;
    }
    out.push_back(0x00);
}

Decoded<NetbiosName> decodeName(std::span<const std::uint8_t> bytes, std::size_t& offset) {
    const std::size_t begin = offset;
    if (offset >= bytes.size()) return fail(DecodeErrc::Truncated, offset, "name expected");
    const std::uint8_t len = bytes[offset];
    if ((len & 0xc0) == 0xc0) return fail(DecodeErrc::BadScope, offset, "compression pointer in a datagram name");
    if (len != 0x20) return fail(DecodeErrc::BadNameLength, offset, "first label is " + std::to_string(len) + " bytes, not 32");
    if (bytes.size() - offset < 33) return fail(DecodeErrc::Truncated, offset, "name needs 33 bytes");
    std::uint8_t raw[16];
    for (std::size_t i = 0; i < 16; ++i) {
        const std::uint8_t hi = bytes[offset + 1 + 2 * i], lo = bytes[offset + 2 + 2 * i];
        if (hi < 'A' || hi > 'P' || lo < 'A' || lo > 'P')
            return fail(DecodeErrc::BadNameEncoding, offset + 1 + 2 * i, "half-ASCII outside A..P");
        raw[i] = static_cast<std::uint8_t>(((hi - 'A') << 4) | (lo - 'A'));
    }
    offset += 33;
    NetbiosName n;
    std::size_t end = 15;
    while (end > 0 && raw[end - 1] == ' ') --end;
    n.name.assign(reinterpret_cast<const char*>(raw), end);
    n.suffix = raw[15];
    for (;;) {
        if (offset >= bytes.size()) return fail(DecodeErrc::Truncated, offset, "name ends without its zero label");
        const std::uint8_t l = bytes[offset];
        if (l == 0) {
            ++offset;
            break;
        }
        if (l > 63) return fail(DecodeErrc::BadScope, offset, "scope label of " + std::to_string(l) + " bytes");
        if (bytes.size() - offset - 1 < l) return fail(DecodeErrc::Truncated, offset, "scope label past the end");
        for (std::size_t i = 0; i < l; ++i)
            if (bytes[offset + 1 + i] == '.') return fail(DecodeErrc::BadScope, offset + 1 + i, "dot inside a scope label");
        if (!n.scope.empty()) n.scope.push_back('.');
        n.scope.append(reinterpret_cast<const char*>(bytes.data() + offset + 1), l);
        offset += 1 + l;
        if (offset - begin > 255) return fail(DecodeErrc::BadScope, begin, "name longer than 255 bytes");
    }
    return n;
}

std::string_view datagramTypeName(DatagramType t) noexcept {
    switch (t) {
    case DatagramType::DirectUnique: return "direct_unique";
    case DatagramType::DirectGroup: return "direct_group";
    case DatagramType::Broadcast: return "broadcast";
    case DatagramType::Error: return "error";
    case DatagramType::QueryRequest: return "query_request";
    case DatagramType::PositiveQueryResponse: return "positive_query_response";
    case DatagramType::NegativeQueryResponse: return "negative_query_response";
    }
    return "unknown";
}

std::string_view nodeTypeName(NodeType t) noexcept {
    switch (t) {
    case NodeType::B: return "B";
    case NodeType::P: return "P";
    case NodeType::M: return "M";
    case NodeType::H: return "H";
    }
    return "?";
}

base::Result<std::vector<std::uint8_t>> encodeDatagram(const Datagram& d) {
    if (d.type != DatagramType::DirectUnique && d.type != DatagramType::DirectGroup && d.type != DatagramType::Broadcast)
        return base::Error::make(base::Errc::InvalidArgument, "only direct unique, direct group and broadcast datagrams carry data");
    std::vector<std::uint8_t> names;
    encodeName(d.source, names);
    encodeName(d.destination, names);
    const std::size_t length = names.size() + d.userData.size();
    if (length > 0xffff)
        return base::Error::make(base::Errc::TooLarge, "a datagram carries at most 65535 bytes of names and data");
    // RFC 1002 section 4.4.2: MSG_TYPE, FLAGS, DGM_ID, SOURCE_IP, SOURCE_PORT, DGM_LENGTH,
    // PACKET_OFFSET, all big-endian.
    ByteWriter w;
    w.u8(static_cast<std::uint8_t>(d.type));
    w.u8(d.flags);
    w.u16be(d.id);
    w.u32be(d.sourceIp);
    w.u16be(d.sourcePort);
    w.u16be(static_cast<std::uint16_t>(length));
    w.u16be(d.offset);
    w.bytes(names);
    w.bytes(d.userData);
    return w.take();
}

Decoded<Datagram> decodeDatagram(std::span<const std::uint8_t> bytes) {
    ByteReader r(bytes);
    Datagram d;
    std::uint8_t type = 0;
    if (!r.u8(type)) return fail(DecodeErrc::Truncated, 0, "empty datagram");
    if (type < 0x10 || type > 0x16) {
        return fail(DecodeErrc::BadMessageType, 0, fmt::format("message type 0x{:02x}", type));
    }
    d.type = static_cast<DatagramType>(type);
    if (!r.u8(d.flags) || !r.u16be(d.id) || !r.u32be(d.sourceIp) || !r.u16be(d.sourcePort))
        return fail(DecodeErrc::Truncated, r.offset(), "header needs 10 bytes");

    if (d.type == DatagramType::Error) {
        if (!r.u8(d.errorCode)) return fail(DecodeErrc::Truncated, r.offset(), "error datagram needs its error code");
        return d;
    }
    if (d.type >= DatagramType::QueryRequest) {
        std::size_t off = r.offset();
        auto dest = decodeName(bytes, off);
        if (!dest) return dest.error();
        d.destination = std::move(dest).value();
        return d;
    }

    std::uint16_t length = 0;
    if (!r.u16be(length) || !r.u16be(d.offset)) return fail(DecodeErrc::Truncated, r.offset(), "header needs 14 bytes");
    if (length > r.remaining())
        return fail(DecodeErrc::LengthMismatch, 10,
                    "DGM_LENGTH " + std::to_string(length) + " but " + std::to_string(r.remaining()) + " bytes follow");
    const auto body = bytes.first(14 + static_cast<std::size_t>(length));
    std::size_t off = 14;
    auto src = decodeName(body, off);
    if (!src) return src.error();
    d.source = std::move(src).value();
    auto dst = decodeName(body, off);
    if (!dst) return dst.error();
    d.destination = std::move(dst).value();
    d.userDataAt = off;
    d.userData.assign(body.begin() + static_cast<std::ptrdiff_t>(off), body.end());
    return d;
}

std::string ipv4Text(std::uint32_t ip) {
    return fmt::format("{}.{}.{}.{}", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff);
}

std::optional<std::uint32_t> parseIpv4(std::string_view text) {
    std::uint32_t ip = 0;
    int parts = 0;
    std::size_t i = 0;
    while (parts < 4) {
        if (i >= text.size() || text[i] < '0' || text[i] > '9') return std::nullopt;
        unsigned v = 0;
        std::size_t digits = 0;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9' && digits < 4) {
            v = v * 10 + static_cast<unsigned>(text[i] - '0');
            ++i;
            ++digits;
        }
        if (v > 255 || digits > 3) return std::nullopt;
        ip = (ip << 8) | v;
        ++parts;
        if (parts < 4) {
            if (i >= text.size() || text[i] != '.') return std::nullopt;
            ++i;
        }
    }
    if (i != text.size()) return std::nullopt;
    return ip;
}

std::vector<std::uint8_t> encodeNameQuery(std::uint16_t transactionId, const NetbiosName& name, bool broadcast,
                                          bool nodeStatus) {
    // RFC 1002 section 4.2.12 / 4.2.17: header, one question, no records.
    ByteWriter w;
    w.u16be(transactionId);
    std::uint16_t flags = 0;
    if (!nodeStatus) flags |= 0x0100;  // RD
    if (broadcast) flags |= 0x0010;    // B
    w.u16be(flags);
    w.u16be(1);
    w.u16be(0);
    w.u16be(0);
    w.u16be(0);
    std::vector<std::uint8_t> encoded;
    encodeName(name, encoded);
    w.bytes(encoded);
    w.u16be(nodeStatus ? kRrNbstat : kRrNb);
    w.u16be(0x0001);  // IN
    return w.take();
}

Decoded<NameResponse> decodeNameResponse(std::span<const std::uint8_t> bytes) {
    ByteReader r(bytes);
    NameResponse resp;
    std::uint16_t flags = 0, qd = 0, an = 0, ns = 0, ar = 0;
    if (!r.u16be(resp.transactionId) || !r.u16be(flags) || !r.u16be(qd) || !r.u16be(an) || !r.u16be(ns) || !r.u16be(ar))
        return fail(DecodeErrc::Truncated, r.offset(), "name service header needs 12 bytes");
    if ((flags & 0x8000) == 0) return fail(DecodeErrc::BadMessageType, 2, "a request, not a response");
    if (((flags >> 11) & 0x0f) != 0) return fail(DecodeErrc::BadMessageType, 2, "not a query response");
    resp.rcode = static_cast<std::uint8_t>(flags & 0x0f);
    if (an == 0) return resp;
    std::size_t off = 12;
    // Skip questions (responses normally carry none).
    for (std::uint16_t q = 0; q < qd; ++q) {
        auto n = decodeName(bytes, off);
        if (!n) return n.error();
        if (bytes.size() - off < 4) return fail(DecodeErrc::Truncated, off, "question type and class");
        off += 4;
    }
    // The first answer record; its name may be a pointer to the question.
    if (off < bytes.size() && (bytes[off] & 0xc0) == 0xc0) {
        if (bytes.size() - off < 2) return fail(DecodeErrc::Truncated, off, "name pointer");
        std::size_t target = static_cast<std::size_t>(((bytes[off] & 0x3f) << 8) | bytes[off + 1]);
        if (target >= off) return fail(DecodeErrc::BadScope, off, "forward name pointer");
        auto n = decodeName(bytes, target);
        if (!n) return n.error();
        resp.question = std::move(n).value();
        off += 2;
    } else {
        auto n = decodeName(bytes, off);
        if (!n) return n.error();
        resp.question = std::move(n).value();
    }
    ByteReader rr(bytes);
    rr.skip(off);
    std::uint16_t rrClass = 0, rdLength = 0;
    std::uint32_t ttl = 0;
    if (!rr.u16be(resp.rrType) || !rr.u16be(rrClass) || !rr.u32be(ttl) || !rr.u16be(rdLength))
        return fail(DecodeErrc::Truncated, rr.offset(), "resource record header");
    if (rdLength > rr.remaining())
        return fail(DecodeErrc::LengthMismatch, rr.offset() - 2,
                    "RDLENGTH " + std::to_string(rdLength) + " but " + std::to_string(rr.remaining()) + " bytes follow");
    std::span<const std::uint8_t> rdata;
    (void)rr.bytes(rdLength, rdata);
    ByteReader d(rdata);
    const std::size_t base = rr.offset() - rdLength;
    if (resp.rrType == kRrNb) {
        while (d.remaining() >= 6) {
            std::uint16_t nbFlags = 0;
            std::uint32_t addr = 0;
            (void)d.u16be(nbFlags);
            (void)d.u32be(addr);
            resp.addresses.push_back(addr);
        }
    } else if (resp.rrType == kRrNbstat) {
        std::uint8_t count = 0;
        if (!d.u8(count)) return fail(DecodeErrc::Truncated, base, "node status name count");
        for (std::uint8_t i = 0; i < count; ++i) {
            std::span<const std::uint8_t> raw;
            std::uint16_t nameFlags = 0;
            if (!d.bytes(16, raw) || !d.u16be(nameFlags))
                return fail(DecodeErrc::Truncated, base + d.offset(),
                            "node status lists " + std::to_string(count) + " names but ends after " + std::to_string(i));
            NodeName nn;
            std::size_t end = 15;
            while (end > 0 && (raw[end - 1] == ' ' || raw[end - 1] == 0)) --end;
            nn.name.assign(reinterpret_cast<const char*>(raw.data()), end);
            nn.suffix = raw[15];
            nn.group = (nameFlags & 0x8000) != 0;
            nn.active = (nameFlags & 0x0400) != 0;
            resp.names.push_back(std::move(nn));
        }
        std::span<const std::uint8_t> mac;
        if (d.bytes(6, mac))
            for (std::size_t i = 0; i < 6; ++i) resp.mac[i] = mac[i];
    }
    return resp;
}

}  // namespace ipcscope::wire
