// Pure decoders of NT native API buffers (see nt_parse.h). Layouts: ntifs.h / [MS-FSCC] 2.4.10
// (FILE_DIRECTORY_INFORMATION), and the handle table layouts documented in nt_parse.h.

#include "platform/windows/nt_parse.h"

#include "base/text.h"

namespace ipcscope::win {
namespace {

std::uint64_t readLe(std::span<const std::uint8_t> b, std::size_t at, std::size_t width) noexcept {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < width; ++i) v |= static_cast<std::uint64_t>(b[at + i]) << (8 * i);
    return v;
}

std::uint32_t readU32(std::span<const std::uint8_t> b, std::size_t at) noexcept {
    return static_cast<std::uint32_t>(readLe(b, at, 4));
}

std::uint16_t readU16(std::span<const std::uint8_t> b, std::size_t at) noexcept {
    return static_cast<std::uint16_t>(readLe(b, at, 2));
}

core::Error malformed(const std::string& what) { return core::Error::make(core::Errc::Malformed, what); }

}  // namespace

core::Result<std::vector<DirEntry>> walkFileDirectoryInfo(std::span<const std::uint8_t> buf) {
    std::vector<DirEntry> out;
    std::size_t at = 0;
    while (!buf.empty()) {
        if (buf.size() - at < kFileDirectoryInfoHeader)
            return malformed("directory record at offset " + std::to_string(at) + " is cut short");
        const std::uint32_t next = readU32(buf, at);
        const std::uint32_t nameBytes = readU32(buf, at + 60);
        if (nameBytes % 2 != 0)
            return malformed("directory record at offset " + std::to_string(at) + " has an odd name length");
        if (nameBytes > buf.size() - at - kFileDirectoryInfoHeader)
            return malformed("directory record at offset " + std::to_string(at) + " has a name past the buffer");
        if (next != 0 && next < kFileDirectoryInfoHeader + nameBytes)
            return malformed("directory record at offset " + std::to_string(at) + " overlaps the next one");
        DirEntry e;
        e.endOfFile = static_cast<std::int64_t>(readLe(buf, at + 40, 8));
        e.allocationSize = static_cast<std::int64_t>(readLe(buf, at + 48, 8));
        e.attributes = readU32(buf, at + 56);
        e.name = fromUtf16le(buf.subspan(at + kFileDirectoryInfoHeader, nameBytes));
        out.push_back(std::move(e));
        if (next == 0) break;
        if (next > buf.size() - at)
            return malformed("directory record at offset " + std::to_string(at) + " points past the buffer");
        at += next;
    }
    return out;
}

core::Result<DirectoryPage> readDirectoryPage(std::uint32_t status, std::span<const std::uint8_t> filled,
                                              std::size_t bufferSize) {
    constexpr std::uint32_t kNoMoreFiles = 0x80000006u;
    constexpr std::uint32_t kBufferOverflow = 0x80000005u;
    DirectoryPage page;
    if (status == kNoMoreFiles) {
        page.next = DirectoryPage::Next::Done;
        return page;
    }
    if (status == kBufferOverflow) {
        // The partial first record's FileNameLength gives the size it needs; without one
        // (a driver that wrote nothing) the buffer doubles.
        std::size_t want = 2 * bufferSize;
        if (filled.size() >= kFileDirectoryInfoHeader) {
            const std::size_t need = kFileDirectoryInfoHeader + readU32(filled, 60);
            if (need > bufferSize) want = (need + 7) / 8 * 8;
        }
        if (want > kMaxDirectoryBuffer)
            return core::Error::make(core::Errc::TooLarge, "a directory record needs more than " +
                                                               std::to_string(kMaxDirectoryBuffer) + " bytes");
        page.next = DirectoryPage::Next::Retry;
        page.retrySize = want;
        return page;
    }
    if (status >= 0x80000000u) return core::Error::fromNtStatus(status, "directory query failed");
    if (filled.empty()) {
        page.next = DirectoryPage::Next::Done;
        return page;
    }
    auto entries = walkFileDirectoryInfo(filled);
    if (!entries) return entries.error();
    page.entries = std::move(*entries);
    return page;
}

std::size_t handleEntrySize(HandleInfoClass cls, std::size_t p) noexcept {
    if (cls == HandleInfoClass::Extended) return 3 * p + 16;
    // u16 pid, u16 backtrace, u8 type, u8 attributes, u16 handle, then the pointer-aligned
    // Object and a u32 access, the whole padded to pointer alignment.
    const std::size_t raw = 8 + p + 4;
    return (raw + p - 1) / p * p;
}

std::size_t handleHeaderSize(HandleInfoClass cls, std::size_t p) noexcept {
    return cls == HandleInfoClass::Extended ? 2 * p : p;
}

core::Result<std::vector<HandleEntry>> decodeHandleTable(std::span<const std::uint8_t> buf, HandleInfoClass cls,
                                                         std::size_t p) {
    if (p != 4 && p != 8) return core::Error::make(core::Errc::InvalidArgument, "pointer size must be 4 or 8");
    const std::size_t header = handleHeaderSize(cls, p);
    const std::size_t entry = handleEntrySize(cls, p);
    if (buf.size() < header) return malformed("handle table shorter than its header");
    const std::uint64_t count = cls == HandleInfoClass::Extended ? readLe(buf, 0, p) : readU32(buf, 0);
    if (count > (buf.size() - header) / entry)
        return malformed("handle table claims " + std::to_string(count) + " entries but holds only " +
                         std::to_string((buf.size() - header) / entry));
    std::vector<HandleEntry> out;
    out.reserve(static_cast<std::size_t>(count));
    for (std::size_t i = 0; i < count; ++i) {
        const std::size_t at = header + i * entry;
        HandleEntry e;
        if (cls == HandleInfoClass::Extended) {
            e.object = readLe(buf, at, p);
            e.pid = static_cast<std::uint32_t>(readLe(buf, at + p, p));
            e.handle = readLe(buf, at + 2 * p, p);
            e.access = readU32(buf, at + 3 * p);
            e.typeIndex = readU16(buf, at + 3 * p + 6);
            e.attributes = readU32(buf, at + 3 * p + 8);
        } else {
            e.pid = readU16(buf, at);
            e.typeIndex = buf[at + 4];
            e.attributes = buf[at + 5];
            e.handle = readU16(buf, at + 6);
            e.object = readLe(buf, at + 8, p);
            e.access = readU32(buf, at + 8 + p);
        }
        out.push_back(e);
    }
    return out;
}

std::optional<std::uint16_t> learnTypeIndex(std::span<const HandleEntry> table, std::uint32_t pid,
                                            std::uint64_t handle) noexcept {
    for (const auto& e : table)
        if (e.pid == pid && e.handle == handle) return e.typeIndex;
    return std::nullopt;
}

std::optional<core::Error> legacyTableUnusable(std::uint32_t selfPid) {
    if (selfPid <= 0xFFFF) return std::nullopt;
    return core::Error::make(core::Errc::NotSupported,
                             "the system handle table was read with class 16, whose 16-bit process ids cannot name "
                             "this process (pid " + std::to_string(selfPid) +
                                 " > 65535): handle types cannot be learnt and holders would be wrong, so none are shown");
}

DeviceName splitDeviceName(std::u16string_view ntName) noexcept {
    static constexpr std::u16string_view kPipe = u"\\Device\\NamedPipe\\";
    static constexpr std::u16string_view kMailslot = u"\\Device\\Mailslot\\";
    if (base::startsWithNoCase(ntName, kPipe)) return {NtDevice::NamedPipe, ntName.substr(kPipe.size())};
    if (base::startsWithNoCase(ntName, kMailslot)) return {NtDevice::Mailslot, ntName.substr(kMailslot.size())};
    return {NtDevice::Other, ntName};
}

std::u16string foldCase(std::u16string_view s) { return base::toLowerAscii(s); }

std::u16string fromUtf16le(std::span<const std::uint8_t> bytes) {
    std::u16string out(bytes.size() / 2, u'\0');
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<char16_t>(readU16(bytes, 2 * i));
    return out;
}

std::string toUtf8(std::u16string_view s) { return base::utf16ToUtf8(s); }

}  // namespace ipcscope::win
