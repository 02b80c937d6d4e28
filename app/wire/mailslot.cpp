#include "wire/mailslot.h"

#include "wire/bytes.h"
#include "base/text.h"

#include <algorithm>

namespace ipcscope::wire {
namespace {

constexpr std::uint8_t kSmbComTransaction = 0x25;
constexpr std::size_t kSmbHeaderSize = 32;
constexpr std::uint8_t kMailslotWordCount = 17;  // 14 + 3 setup words
// Header (32) + word count (1) + 17 words (34) + byte count (2) = 69: the name starts here.
constexpr std::size_t kNameOffset = 69;

DecodeError fail(DecodeErrc code, std::size_t offset, std::string detail = {}) {
    return DecodeError{code, offset, std::move(detail)};
}

}  // namespace

std::size_t wireDataLimit(std::string_view slotName) noexcept {
    const std::size_t name = kMailslotPrefix.size() + slotName.size() + 1;
    return name >= kNameAndDataLimit ? 0 : kNameAndDataLimit - name;
}

std::size_t messageLimit(std::string_view slotName) noexcept {
    return std::min(kBroadcastDataLimit, wireDataLimit(slotName));
}

base::Status checkMessageSize(std::string_view slotName, std::size_t size) {
    const std::size_t limit = messageLimit(slotName);
    if (size <= limit) return base::okStatus();
    std::string why = limit == kBroadcastDataLimit
                          ? "a mailslot broadcast carries at most " + std::to_string(limit) + " bytes"
                          : "a message to \\MAILSLOT\\" + std::string(slotName) + " carries at most " +
                                std::to_string(limit) + " bytes (name and data share " +
                                std::to_string(kNameAndDataLimit) + ")";
    return base::Error::make(base::Errc::TooLarge,
                             "the message has " + std::to_string(size) + " bytes but " + why + "; nothing was sent");
}

base::Status checkSlotName(std::string_view slotName) {
    if (slotName.empty()) return base::Error::make(base::Errc::InvalidArgument, "the mailslot name is empty");
    for (char ch : slotName) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x21 || c > 0x7e)
            return base::Error::make(base::Errc::InvalidArgument,
                                     "the mailslot name '" + std::string(slotName) +
                                         "' may hold only printable ASCII characters without spaces");
    }
    if (wireDataLimit(slotName) == 0)
        return base::Error::make(base::Errc::InvalidArgument,
                                 "the mailslot name has " + std::to_string(slotName.size()) +
                                     " characters, which leaves no room for data in " +
                                     std::to_string(kNameAndDataLimit) + " bytes");
    return base::okStatus();
}

std::string_view MailslotWrite::shortName() const noexcept {
    std::string_view s(slot);
    if (base::startsWithNoCase(s, kMailslotPrefix))
        return s.substr(kMailslotPrefix.size());
    return s;
}

std::vector<std::uint8_t> encodeMailslotWrite(const MailslotWrite& m) {
    // [MS-CIFS] 2.2.3.1 header, little-endian throughout.
    ByteWriter w;
    w.u8(0xff);
    w.text("SMB");
    w.u8(kSmbComTransaction);
    w.u32le(0);    // status
    w.u8(0);       // flags
    w.u16le(0);    // flags2
    w.u16le(0);    // PID high
    for (int i = 0; i < 8; ++i) w.u8(0);  // security features
    w.u16le(0);    // reserved
    w.u16le(m.tid);
    w.u16le(m.pid);
    w.u16le(m.uid);
    w.u16le(m.mid);
    // [MS-CIFS] 2.2.4.33.1 / [MS-MAIL] 2.2.1: parameter words.
    const auto dataLen = static_cast<std::uint16_t>(m.data.size());
    const auto dataOffset = static_cast<std::uint16_t>(kNameOffset + m.slot.size() + 1);
    w.u8(kMailslotWordCount);
    w.u16le(0);          // total parameter count
    w.u16le(dataLen);    // total data count
    w.u16le(0);          // max parameter count
    w.u16le(0);          // max data count
    w.u8(0);             // max setup count
    w.u8(0);             // reserved
    w.u16le(0);          // flags
    w.u32le(m.timeout);  // timeout
    w.u16le(0);          // reserved
    w.u16le(0);          // parameter count
    w.u16le(0);          // parameter offset (no parameters)
    w.u16le(dataLen);    // data count
    w.u16le(dataOffset); // data offset from the start of the SMB header
    w.u8(3);             // setup count
    w.u8(0);             // reserved
    w.u16le(1);          // opcode: write mailslot
    w.u16le(m.priority);
    w.u16le(m.mailslotClass);
    w.u16le(static_cast<std::uint16_t>(m.slot.size() + 1 + m.data.size()));  // byte count
    w.text(m.slot);
    w.u8(0);
    w.bytes(m.data);
    return w.take();
}

Decoded<MailslotWrite> decodeMailslotWrite(std::span<const std::uint8_t> smb) {
    ByteReader r(smb);
    std::span<const std::uint8_t> magic;
    if (!r.bytes(4, magic)) return fail(DecodeErrc::Truncated, 0, "SMB header needs 32 bytes");
    if (magic[0] != 0xff || magic[1] != 'S' || magic[2] != 'M' || magic[3] != 'B')
        return fail(DecodeErrc::NotSmb, 0, "no FF 'SMB' signature");
    MailslotWrite m;
    std::uint8_t command = 0;
    if (!r.u8(command) || smb.size() < kSmbHeaderSize) return fail(DecodeErrc::Truncated, r.offset(), "SMB header needs 32 bytes");
    if (command != kSmbComTransaction)
        return fail(DecodeErrc::NotTransaction, 4, "SMB command " + std::to_string(command));
    r.skip(4 + 1 + 2 + 2 + 8 + 2);  // status, flags, flags2, pid high, security, reserved
    (void)r.u16le(m.tid);
    (void)r.u16le(m.pid);
    (void)r.u16le(m.uid);
    (void)r.u16le(m.mid);

    std::uint8_t wordCount = 0;
    if (!r.u8(wordCount)) return fail(DecodeErrc::Truncated, r.offset(), "word count");
    const std::size_t wordsAt = r.offset();
    if (wordCount < 14) return fail(DecodeErrc::BadWordCount, wordsAt - 1, "word count " + std::to_string(wordCount));
    if (r.remaining() < static_cast<std::size_t>(wordCount) * 2 + 2)
        return fail(DecodeErrc::Truncated, wordsAt, std::to_string(wordCount) + " parameter words");
    std::uint16_t totalParams = 0, totalData = 0, maxParams = 0, maxData = 0, flags = 0, reserved2 = 0;
    std::uint16_t paramCount = 0, paramOffset = 0, dataCount = 0, dataOffset = 0;
    std::uint8_t maxSetup = 0, reserved1 = 0, setupCount = 0, reserved3 = 0;
    (void)r.u16le(totalParams);
    (void)r.u16le(totalData);
    (void)r.u16le(maxParams);
    (void)r.u16le(maxData);
    (void)r.u8(maxSetup);
    (void)r.u8(reserved1);
    (void)r.u16le(flags);
    (void)r.u32le(m.timeout);
    (void)r.u16le(reserved2);
    (void)r.u16le(paramCount);
    (void)r.u16le(paramOffset);
    (void)r.u16le(dataCount);
    (void)r.u16le(dataOffset);
    (void)r.u8(setupCount);
    (void)r.u8(reserved3);
    if (static_cast<std::size_t>(wordCount) != 14u + setupCount)
        return fail(DecodeErrc::BadWordCount, wordsAt - 1,
                    "word count " + std::to_string(wordCount) + " with " + std::to_string(setupCount) + " setup words");
    if (setupCount != 3) return fail(DecodeErrc::BadSetup, wordsAt + 26, "setup count " + std::to_string(setupCount));
    std::uint16_t opcode = 0;
    (void)r.u16le(opcode);
    (void)r.u16le(m.priority);
    (void)r.u16le(m.mailslotClass);
    if (opcode != 1) return fail(DecodeErrc::BadSetup, wordsAt + 28, "opcode " + std::to_string(opcode) + ", not 1 (write)");

    std::uint16_t byteCount = 0;
    (void)r.u16le(byteCount);
    const std::size_t bytesAt = r.offset();
    if (byteCount > r.remaining())
        return fail(DecodeErrc::BadByteCount, bytesAt - 2,
                    "byte count " + std::to_string(byteCount) + " but " + std::to_string(r.remaining()) + " bytes follow");
    const std::size_t end = bytesAt + byteCount;

    // The transaction name: a zero-terminated string at the start of the bytes.
    std::size_t nameEnd = bytesAt;
    while (nameEnd < end && smb[nameEnd] != 0) ++nameEnd;
    if (nameEnd >= end) return fail(DecodeErrc::UnterminatedName, bytesAt, "no zero before the end of the bytes");
    m.slot.assign(reinterpret_cast<const char*>(smb.data() + bytesAt), nameEnd - bytesAt);
    if (!base::startsWithNoCase(m.slot, kMailslotPrefix))
        return fail(DecodeErrc::NotMailslot, bytesAt, "transaction name does not start with \\MAILSLOT\\");

    if (dataCount > 0) {
        if (dataOffset < nameEnd + 1 || dataOffset > end || dataCount > end - dataOffset)
            return fail(DecodeErrc::BadDataRange, wordsAt + 22,
                        "data offset " + std::to_string(dataOffset) + " count " + std::to_string(dataCount) +
                            " outside bytes " + std::to_string(nameEnd + 1) + ".." + std::to_string(end));
        m.data.assign(smb.begin() + dataOffset, smb.begin() + dataOffset + dataCount);
    }
    return m;
}

base::Result<std::vector<std::uint8_t>> encodeMailslotDatagram(const MailslotDatagramSpec& spec) {
    if (auto s = checkSlotName(spec.slot); !s) return s.error();
    if (auto s = checkMessageSize(spec.slot, spec.data.size()); !s) return s.error();
    MailslotWrite m;
    m.slot = std::string(kMailslotPrefix) + spec.slot;
    m.priority = spec.priority;
    m.mailslotClass = spec.mailslotClass;
    m.data = spec.data;
    Datagram d;
    d.type = spec.type;
    d.flags = static_cast<std::uint8_t>(kFlagFirst | (static_cast<std::uint8_t>(spec.node) << 2));
    d.id = spec.id;
    d.sourceIp = spec.sourceIp;
    d.sourcePort = spec.sourcePort;
    d.source = spec.source;
    d.destination = spec.destination;
    d.userData = encodeMailslotWrite(m);
    return encodeDatagram(d);
}

std::string MailslotTarget::transactionName() const { return std::string(kMailslotPrefix) + slot; }

base::Result<MailslotTarget> parseTarget(std::string_view text) {
    const std::string shown(text);
    auto bad = [&](const std::string& why) {
        return base::Error::make(base::Errc::InvalidArgument,
                                 "'" + shown + "' is not a mailslot name: " + why +
                                     " (use \\\\*\\mailslot\\NAME, \\\\DOMAIN\\mailslot\\NAME, \\\\HOST\\mailslot\\NAME or \\\\.\\mailslot\\NAME)");
    };
    if (text.size() < 2 || text[0] != '\\' || text[1] != '\\') return bad("it must start with two backslashes");
    text.remove_prefix(2);
    const auto slash = text.find('\\');
    if (slash == std::string_view::npos) return bad("the \\mailslot\\ part is missing");
    const std::string_view server = text.substr(0, slash);
    text.remove_prefix(slash + 1);
    constexpr std::string_view kWord = "mailslot\\";
    if (!base::startsWithNoCase(text, kWord))
        return bad("the \\mailslot\\ part is missing");
    text.remove_prefix(kWord.size());
    MailslotTarget t;
    t.slot = std::string(text);
    if (auto s = checkSlotName(t.slot); !s) return s.error();
    if (server == ".") {
        t.kind = TargetKind::Local;
    } else if (server == "*") {
        t.kind = TargetKind::PrimaryDomain;
    } else {
        auto n = makeName(server, 0x00);
        if (!n) return bad(n.error().context);
        t.kind = TargetKind::Named;
        t.server = n->name;
    }
    return t;
}

}  // namespace ipcscope::wire
