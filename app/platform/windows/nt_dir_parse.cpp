#include "platform/windows/nt_dir_parse.h"

#include "platform/windows/nt_parse.h"
#include "base/text.h"

namespace ipcscope::win {
namespace {

std::uint64_t readLe(std::span<const std::uint8_t> b, std::size_t at, unsigned width) {
    std::uint64_t v = 0;
    for (unsigned i = 0; i < width; ++i) v |= static_cast<std::uint64_t>(b[at + i]) << (8 * i);
    return v;
}

// UNICODE_STRING: Length (bytes, u16), MaximumLength (u16), padding to pointer alignment, Buffer.
struct RawString {
    std::uint16_t length;
    std::uint64_t address;
};

RawString readUnicodeString(std::span<const std::uint8_t> b, std::size_t at, unsigned ptr) {
    return {static_cast<std::uint16_t>(readLe(b, at, 2)), readLe(b, at + ptr, ptr)};
}

core::Result<std::span<const std::uint8_t>> resolve(std::span<const std::uint8_t> b, std::uint64_t base, RawString s,
                                                     const char* what) {
    if (s.length == 0) return std::span<const std::uint8_t>();
    if (s.length % 2 != 0)
        return core::Error::make(core::Errc::Malformed, std::string(what) + " has an odd byte length");
    if (s.address < base || s.address - base > b.size() || b.size() - (s.address - base) < s.length)
        return core::Error::make(core::Errc::Malformed, std::string(what) + " points outside the buffer");
    return b.subspan(static_cast<std::size_t>(s.address - base), s.length);
}

}  // namespace

core::Result<std::vector<ObjectDirEntry>> parseObjectDirectoryBuffer(std::span<const std::uint8_t> buffer,
                                                                     std::uint64_t baseAddress, unsigned pointerSize) {
    if (pointerSize != 4 && pointerSize != 8)
        return core::Error::make(core::Errc::InvalidArgument, "pointer size must be 4 or 8");
    const std::size_t stringSize = 2 * pointerSize;  // u16 + u16 + padding, then the pointer
    const std::size_t recordSize = 2 * stringSize;
    std::vector<ObjectDirEntry> out;
    for (std::size_t at = 0; buffer.size() - at >= recordSize; at += recordSize) {
        const RawString name = readUnicodeString(buffer, at, pointerSize);
        const RawString type = readUnicodeString(buffer, at + stringSize, pointerSize);
        if (name.length == 0 && name.address == 0 && type.length == 0 && type.address == 0) break;
        auto n = resolve(buffer, baseAddress, name, "object name");
        if (!n) return n.error();
        auto t = resolve(buffer, baseAddress, type, "type name");
        if (!t) return t.error();
        out.push_back({base::utf16leToUtf8(*n), base::utf16leToUtf8(*t), fromUtf16le(*n)});
    }
    return out;
}

}  // namespace ipcscope::win
