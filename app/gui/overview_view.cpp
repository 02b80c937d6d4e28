#include "gui/overview_view.h"

#include "gui/test_hook.h"

#include "core/platform.h"

#include <fmt/format.h>
#include <imgui.h>

#include <algorithm>
#include <unordered_map>

namespace ipcscope::gui {
namespace {

std::size_t indexOf(core::Family f) {
    for (std::size_t i = 0; i < core::kAllFamilies.size(); ++i)
        if (core::kAllFamilies[i] == f) return i;
    return 0;
}

// A sparkline drawn straight into the draw list: no widget, so a click falls through to the card.
void sparkline(const std::deque<float>& values, ImVec2 min, ImVec2 max) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(min, max, ImGui::GetColorU32(ImGuiCol_FrameBg), 2.0f);
    const ImU32 colour = ImGui::GetColorU32(ImGuiCol_PlotLines);
    if (values.empty()) return;
    if (values.size() == 1) {
        // One refresh so far: a level line, so the card shows its count from the first snapshot on.
        const float y = (min.y + max.y) / 2;
        dl->AddLine(ImVec2(min.x + 2, y), ImVec2(max.x - 2, y), colour, 1.5f);
        noteText("sparkline", "1 point", min.x + 2, y, max.x - 2, y);
        return;
    }
    const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
    const float range = std::max(1.0f, *hi - *lo);
    std::vector<ImVec2> points;
    points.reserve(values.size());
    const float step = (max.x - min.x - 4) / static_cast<float>(values.size() - 1);
    for (std::size_t i = 0; i < values.size(); ++i)
        points.emplace_back(min.x + 2 + step * static_cast<float>(i),
                            max.y - 2 - (values[i] - *lo) / range * (max.y - min.y - 4));
    dl->AddPolyline(points.data(), static_cast<int>(points.size()), colour, 0, 1.5f);
    noteText("sparkline", std::to_string(points.size()) + " points", points.front().x, min.y, points.back().x, max.y);
}

}  // namespace

void OverviewView::onSnapshot(const core::Snapshot& snap) {
    std::array<std::size_t, core::kAllFamilies.size()> counts{};
    std::array<std::unordered_map<std::int64_t, Busy>, core::kAllFamilies.size()> holders;
    for (const auto& o : snap.objects) {
        const std::size_t f = indexOf(o.family());
        ++counts[f];
        for (const auto& h : o.holders) {
            auto& b = holders[f][h.pid];
            b.pid = h.pid;
            if (b.command.empty()) b.command = h.command;
            ++b.objects;
        }
    }
    for (std::size_t f = 0; f < m_cards.size(); ++f) {
        Card& c = m_cards[f];
        c.change = static_cast<long long>(counts[f]) - static_cast<long long>(c.count);
        c.haveChange = m_haveBaseline;
        c.count = counts[f];
        c.history.push_back(static_cast<float>(counts[f]));
        if (c.history.size() > kHistory) c.history.pop_front();
        c.busiest.clear();
        for (auto& [pid, b] : holders[f]) c.busiest.push_back(std::move(b));
        const std::size_t top = std::min(kBusiest, c.busiest.size());
        std::partial_sort(c.busiest.begin(), c.busiest.begin() + static_cast<std::ptrdiff_t>(top), c.busiest.end(),
                          [](const Busy& a, const Busy& b) { return a.objects > b.objects || (a.objects == b.objects && a.pid < b.pid); });
        c.busiest.resize(top);
        c.errors.clear();
    }
    for (const auto& e : snap.errors)
        if (e.family) m_cards[indexOf(*e.family)].errors.push_back(e.error.message());
    m_haveBaseline = true;
}

std::optional<core::Family> OverviewView::draw(const core::Snapshot* snap) {
    if (!snap) {
        ImGui::TextDisabled("taking the first snapshot...");
        return std::nullopt;
    }
    if (snap->deniedProcesses > 0) {
        const std::string text = fmt::format("{} processes could not be read: what they hold is missing. Run as {} to see everything.",
                                             snap->deniedProcesses, snap->platform == core::Platform::Windows ? "administrator" : "root");
        ImGui::TextColored(ImVec4(1, 0.7f, 0.3f, 1), "%s", text.c_str());
        noteItem("permission-gap", text);
    }
    constexpr int kColumns = 3;
    const float spacing = ImGui::GetStyle().ItemSpacing.x;
    const float width = (ImGui::GetContentRegionAvail().x - spacing * (kColumns - 1)) / kColumns;
    const float height = ImGui::GetTextLineHeightWithSpacing() * 7.5f;
    std::optional<core::Family> clicked;
    int n = 0;
    for (core::Family f : core::kAllFamilies) {
        if (n++ % kColumns != 0) ImGui::SameLine();
        if (drawCard(f, m_cards[indexOf(f)], *snap, width, height)) clicked = f;
    }
    return clicked;
}

bool OverviewView::drawCard(core::Family family, const Card& card, const core::Snapshot& snap, float width, float height) const {
    const std::string name(core::familyName(family));
    const bool supported = core::familySupported(family, snap.platform) || family == core::Family::Mailslots;
    ImGui::PushID(name.c_str());
    const ImVec2 min = ImGui::GetCursorScreenPos();
    const ImVec2 max(min.x + width, min.y + height);
    // The whole card is one button; what is drawn on it is text and lines, not widgets.
    const bool pressed = ImGui::InvisibleButton("card", ImVec2(width, height));
    noteItem("card", name);
    const bool hovered = ImGui::IsItemHovered();
    if (hovered) {
        std::string tip = "open the " + name + " tab";
        for (const auto& e : card.errors) tip += "\nfailed: " + e;
        ImGui::SetTooltip("%s", tip.c_str());
    }
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(min, max, ImGui::GetColorU32(hovered ? ImGuiCol_FrameBgHovered : ImGuiCol_ChildBg), 4.0f);
    dl->AddRect(min, max, ImGui::GetColorU32(ImGuiCol_Border), 4.0f);

    const float pad = ImGui::GetStyle().FramePadding.x * 2;
    const float line = ImGui::GetTextLineHeightWithSpacing();
    ImGui::PushClipRect(min, max, true);
    ImVec2 at(min.x + pad, min.y + pad / 2);
    // Text wraps at the card's right edge (at word boundaries where it can); what does not fit
    // in the card is in the card's tooltip.
    ImFont* font = ImGui::GetFont();
    const float fontSize = ImGui::GetFontSize();
    const float wrapWidth = max.x - pad - at.x;
    auto text = [&](ImU32 colour, const std::string& s) {
        const char* begin = s.c_str();
        const char* const end = begin + s.size();
        do {
            const char* cut = font->CalcWordWrapPositionA(fontSize / font->FontSize, begin, end, wrapWidth);
            if (cut == begin) cut = begin + 1;  // always progress, even on a glyph wider than the card
            dl->AddText(font, fontSize, at, colour, begin, cut);
            const ImVec2 size = font->CalcTextSizeA(fontSize, FLT_MAX, 0.0f, begin, cut);
            noteText("card-text", std::string_view(begin, static_cast<std::size_t>(cut - begin)), at.x, at.y, at.x + size.x, at.y + size.y);
            at.y += line;
            begin = cut;
            while (begin < end && (*begin == ' ' || *begin == '\n')) ++begin;
        } while (begin < end);
    };
    const ImU32 normal = ImGui::GetColorU32(ImGuiCol_Text), dim = ImGui::GetColorU32(ImGuiCol_TextDisabled);
    const ImU32 bad = ImGui::GetColorU32(ImVec4(1.0f, 0.45f, 0.35f, 1.0f)), warn = ImGui::GetColorU32(ImVec4(1, 0.7f, 0.3f, 1));
    std::string head = name + "   " + std::to_string(card.count) + (card.count == 1 ? " object" : " objects");
    if (card.haveChange && card.change != 0) head += card.change > 0 ? "   +" + std::to_string(card.change) : "   " + std::to_string(card.change);
    text(supported ? normal : dim, head);
    if (!supported) {
        text(dim, "not supported on " + std::string(core::platformName(snap.platform)));
    } else {
        sparkline(card.history, ImVec2(at.x, at.y), ImVec2(max.x - pad, at.y + line * 1.5f));
        at.y += line * 1.8f;
        if (!card.errors.empty()) {
            text(bad, "failed: " + card.errors.front());
            if (card.errors.size() > 1) text(bad, "and " + std::to_string(card.errors.size() - 1) + " more errors");
        } else if (card.count == 0) {
            text(dim, "none found");
        }
        for (const auto& b : card.busiest)
            text(normal, std::to_string(b.pid) + " " + (b.command.empty() ? "?" : b.command) + ": " + std::to_string(b.objects));
        if (card.busiest.empty() && card.count > 0) {
            if (snap.deniedProcesses > 0) text(warn, "no holder readable");
            else text(dim, "held by no process");
        }
    }
    ImGui::PopClipRect();
    ImGui::PopID();
    return pressed;
}

}  // namespace ipcscope::gui
