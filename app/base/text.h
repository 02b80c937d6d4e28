#pragma once
/// Text helpers for every layer: ASCII case, hex, UTF-16 <-> UTF-8. Conversions from other
/// code pages (the OEM code page of NetBIOS names, Windows ANSI) belong here as well.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ipcscope::base {

// --- ASCII case (bytes >= 0x80 are left as they are) ---------------------------------------

[[nodiscard]] constexpr char lowerAscii(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }
[[nodiscard]] constexpr char upperAscii(char c) noexcept { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c; }
[[nodiscard]] constexpr char16_t lowerAscii(char16_t c) noexcept {
    return (c >= u'A' && c <= u'Z') ? static_cast<char16_t>(c + 32) : c;
}

[[nodiscard]] std::string toLowerAscii(std::string_view s);
[[nodiscard]] std::string toUpperAscii(std::string_view s);
[[nodiscard]] std::u16string toLowerAscii(std::u16string_view s);

/// Equal apart from ASCII case.
[[nodiscard]] bool equalsNoCase(std::string_view a, std::string_view b) noexcept;
/// `s` starts with `prefix`, apart from ASCII case.
[[nodiscard]] bool startsWithNoCase(std::string_view s, std::string_view prefix) noexcept;
[[nodiscard]] bool startsWithNoCase(std::u16string_view s, std::u16string_view prefix) noexcept;
/// Case-insensitive substring test (ASCII); an empty needle matches everything.
[[nodiscard]] bool containsNoCase(std::string_view hay, std::string_view needle);

// --- hex -----------------------------------------------------------------------------------

/// Lower-case hex of the bytes, no separators.
[[nodiscard]] std::string toHex(std::span<const std::uint8_t> bytes);
/// Parses hex digits (spaces, colons and a leading "0x" are ignored); false on any other
/// character or an odd number of digits.
[[nodiscard]] bool fromHex(std::string_view text, std::vector<std::uint8_t>& out);

// --- UTF-16 --------------------------------------------------------------------------------

/// UTF-16 to UTF-8; an unpaired surrogate becomes U+FFFD.
[[nodiscard]] std::string utf16ToUtf8(std::u16string_view s);
/// The same from little-endian bytes (an odd last byte is ignored).
[[nodiscard]] std::string utf16leToUtf8(std::span<const std::uint8_t> bytes);
/// UTF-8 to UTF-16; each byte that does not start a valid sequence becomes U+FFFD.
[[nodiscard]] std::u16string utf8ToUtf16(std::string_view s);

}  // namespace ipcscope::base
