#pragma once
/// OEM code pages: the 8-bit character sets in which Windows machines put NetBIOS names on
/// the wire (a CP850 'Ü' is byte 0x9a). Names are decoded for display; the bytes themselves
/// are kept by the wire code.

#include <string>
#include <string_view>

namespace ipcscope::base {

/// The OEM code page of Western European Windows, used when nothing else is known.
inline constexpr unsigned kDefaultOemCodePage = 850;

/// True for the single-byte OEM code pages this module carries (437, 720, 737, 775, 850,
/// 852, 855, 857, 858, 860-866, 869).
[[nodiscard]] bool oemCodePageKnown(unsigned codePage) noexcept;

/// "437, 720, ...": for messages that name the choices.
[[nodiscard]] std::string knownOemCodePages();

/// `bytes` decoded from `codePage` (kDefaultOemCodePage when it is not known) to UTF-8.
/// Bytes below 0x80 are ASCII; a byte the page leaves undefined is written as `\xNN`.
[[nodiscard]] std::string decodeOem(std::string_view bytes, unsigned codePage);

}  // namespace ipcscope::base
