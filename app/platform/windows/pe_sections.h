#pragma once
// Reading the section table of a PE image (a DLL or EXE as loaded in memory or on disk).
// Pure code: no OS headers, little-endian fields read byte by byte, never past the buffer.
// Layout: Microsoft PE/COFF specification, "MS-DOS Stub", "COFF File Header", "Section Table".

#include "core/result.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace ipcscope::win {

/// IMAGE_SCN_MEM_SHARED: the section's pages are shared by every process that maps the image.
inline constexpr std::uint32_t kScnMemShared = 0x10000000;
inline constexpr std::uint32_t kScnMemWrite = 0x80000000;

struct PeSection {
    std::string name;  ///< up to 8 bytes, trailing NULs removed
    std::uint32_t virtualSize = 0;
    std::uint32_t virtualAddress = 0;
    std::uint32_t characteristics = 0;
    [[nodiscard]] bool shared() const noexcept { return (characteristics & kScnMemShared) != 0; }
    [[nodiscard]] bool writable() const noexcept { return (characteristics & kScnMemWrite) != 0; }
};

struct PeImage {
    std::uint16_t machine = 0;
    std::vector<PeSection> sections;
};

/// How many leading bytes of the image hold the headers up to the end of the section table,
/// as far as the given prefix tells (at least 64 bytes are needed to know anything).
[[nodiscard]] core::Result<std::size_t> peHeaderBytesNeeded(std::span<const std::uint8_t> prefix);

/// Parses the DOS header, the PE signature, the COFF header and the section table.
/// Malformed when a signature is wrong or the buffer ends before the section table does.
[[nodiscard]] core::Result<PeImage> parsePeHeaders(std::span<const std::uint8_t> bytes);

}  // namespace ipcscope::win
