#pragma once
// A read-only hex + text view of a byte buffer, 16 bytes a line, drawn with a clipper and capped:
// clipboard data, mailslot payloads, the first bytes of a shared-memory object.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace ipcscope::gui {

inline constexpr std::size_t kHexViewCap = 64 * 1024;

/// One line: "00000010  68 65 6c 6c 6f ...  |hello...|".
[[nodiscard]] std::string hexLine(std::span<const std::uint8_t> bytes, std::size_t offset);

/// Draws the bytes in a child window of `height` (0: the rest); at most `cap` bytes are shown.
void drawHexView(const char* id, std::span<const std::uint8_t> bytes, float height = 0.0f, std::size_t cap = kHexViewCap);

}  // namespace ipcscope::gui
