#include "platform/windows/pe_sections.h"

namespace ipcscope::win {
namespace {

std::uint32_t le16(std::span<const std::uint8_t> b, std::size_t at) {
    return static_cast<std::uint32_t>(b[at]) | (static_cast<std::uint32_t>(b[at + 1]) << 8);
}
std::uint32_t le32(std::span<const std::uint8_t> b, std::size_t at) {
    return le16(b, at) | (le16(b, at + 2) << 16);
}

constexpr std::size_t kDosHeaderSize = 64;
constexpr std::size_t kLfanewOffset = 0x3C;
constexpr std::size_t kCoffHeaderSize = 20;
constexpr std::size_t kSectionHeaderSize = 40;

struct Layout {
    std::size_t peOffset;
    std::size_t sectionTable;
    std::size_t sectionCount;
};

core::Result<Layout> layout(std::span<const std::uint8_t> b) {
    if (b.size() < kDosHeaderSize) return core::Error::make(core::Errc::Malformed, "shorter than a DOS header");
    if (b[0] != 'M' || b[1] != 'Z') return core::Error::make(core::Errc::Malformed, "no MZ signature");
    const std::size_t pe = le32(b, kLfanewOffset);
    if (pe < kDosHeaderSize || pe > (1u << 20))
        return core::Error::make(core::Errc::Malformed, "PE header offset out of range");
    if (b.size() < pe + 4 + kCoffHeaderSize)
        return Layout{pe, 0, 0};  // known offset, the rest is not in the prefix yet
    if (b[pe] != 'P' || b[pe + 1] != 'E' || b[pe + 2] != 0 || b[pe + 3] != 0)
        return core::Error::make(core::Errc::Malformed, "no PE signature");
    const std::size_t coff = pe + 4;
    const std::size_t count = le16(b, coff + 2);
    const std::size_t optionalSize = le16(b, coff + 16);
    return Layout{pe, coff + kCoffHeaderSize + optionalSize, count};
}

}  // namespace

core::Result<std::size_t> peHeaderBytesNeeded(std::span<const std::uint8_t> prefix) {
    auto l = layout(prefix);
    if (!l) return l.error();
    if (l->sectionTable == 0) return l->peOffset + 4 + kCoffHeaderSize;
    return l->sectionTable + l->sectionCount * kSectionHeaderSize;
}

core::Result<PeImage> parsePeHeaders(std::span<const std::uint8_t> bytes) {
    auto l = layout(bytes);
    if (!l) return l.error();
    if (l->sectionTable == 0) return core::Error::make(core::Errc::Malformed, "truncated before the COFF header");
    const std::size_t end = l->sectionTable + l->sectionCount * kSectionHeaderSize;
    if (end > bytes.size())
        return core::Error::make(core::Errc::Malformed, "truncated section table (" + std::to_string(l->sectionCount) +
                                                            " sections need " + std::to_string(end) + " bytes, have " +
                                                            std::to_string(bytes.size()) + ")");
    PeImage img;
    img.machine = static_cast<std::uint16_t>(le16(bytes, l->peOffset + 4));
    img.sections.reserve(l->sectionCount);
    for (std::size_t i = 0; i < l->sectionCount; ++i) {
        const std::size_t at = l->sectionTable + i * kSectionHeaderSize;
        PeSection s;
        for (std::size_t c = 0; c < 8 && bytes[at + c] != 0; ++c) s.name += static_cast<char>(bytes[at + c]);
        s.virtualSize = le32(bytes, at + 8);
        s.virtualAddress = le32(bytes, at + 12);
        s.characteristics = le32(bytes, at + 36);
        img.sections.push_back(std::move(s));
    }
    return img;
}

}  // namespace ipcscope::win
