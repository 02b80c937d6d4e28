#include "gui/hex_view.h"

#include "gui/test_hook.h"

#include <imgui.h>

#include <algorithm>

namespace ipcscope::gui {

std::string hexLine(std::span<const std::uint8_t> bytes, std::size_t offset) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string line(8, '0');
    for (std::size_t i = 0, v = offset; i < 8; ++i, v >>= 4) line[7 - i] = kDigits[v & 0xf];
    line += "  ";
    const std::size_t n = std::min<std::size_t>(16, bytes.size() - std::min(offset, bytes.size()));
    for (std::size_t i = 0; i < 16; ++i) {
        if (i == 8) line += ' ';
        if (i < n) {
            const std::uint8_t b = bytes[offset + i];
            line += kDigits[b >> 4];
            line += kDigits[b & 0xf];
            line += ' ';
        } else {
            line += "   ";
        }
    }
    line += " |";
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint8_t b = bytes[offset + i];
        line += b >= 0x20 && b < 0x7f ? static_cast<char>(b) : '.';
    }
    line += '|';
    return line;
}

void drawHexView(const char* id, std::span<const std::uint8_t> bytes, float height, std::size_t cap) {
    const std::size_t shown = std::min(bytes.size(), cap);
    if (shown < bytes.size()) ImGui::TextDisabled("the first %zu of %zu bytes", shown, bytes.size());
    if (!ImGui::BeginChild(id, ImVec2(0, height), true, ImGuiWindowFlags_HorizontalScrollbar)) {
        ImGui::EndChild();
        return;
    }
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>((shown + 15) / 16));
    while (clipper.Step())
        for (int row = clipper.DisplayStart; row < clipper.DisplayEnd; ++row) {
            const std::string line = hexLine(bytes.first(shown), static_cast<std::size_t>(row) * 16);
            ImGui::TextUnformatted(line.c_str());
            noteItem("hex", line);
        }
    ImGui::EndChild();
}

}  // namespace ipcscope::gui
