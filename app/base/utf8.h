#pragma once
/// UTF-8 checks for text that comes from outside: file and socket names, names on the LAN,
/// clipboard targets. Such names are bytes, not text; they are shown, never trusted.

#include <string>
#include <string_view>

namespace ipcscope::base {

/// True when `s` is well-formed UTF-8 (no overlong forms, no surrogates, at most U+10FFFF).
[[nodiscard]] bool isValidUtf8(std::string_view s) noexcept;

/// `s` with every byte that is not part of a well-formed UTF-8 sequence written as the four
/// characters `\xNN` (lower-case hex). Well-formed text comes back unchanged.
[[nodiscard]] std::string escapeInvalidUtf8(std::string_view s);

/// Width in code points (continuation bytes not counted), so UTF-8 names keep columns of a
/// text table aligned.
[[nodiscard]] std::size_t displayWidth(std::string_view s) noexcept;

}  // namespace ipcscope::base
