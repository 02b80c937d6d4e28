#include "gui/events_view.h"

#include "gui/test_hook.h"

#include "core/columns.h"

#include <SDL.h>
#include <imgui.h>
#include <spdlog/spdlog.h>

#include <ctime>
#include <fstream>

namespace ipcscope::gui {
namespace {

std::string clock(std::chrono::system_clock::time_point t) {
    const std::time_t tt = std::chrono::system_clock::to_time_t(t);
    char buf[16] = {};
    std::strftime(buf, sizeof buf, "%H:%M:%S", std::localtime(&tt));
    return buf;
}

}  // namespace

void EventsView::add(const std::vector<ChangeEvent>& changes) {
    if (m_paused) {
        m_missed += changes.size();
        return;
    }
    for (const auto& c : changes) {
        m_events.push_back(c);
        if (m_events.size() > kMaxEvents) m_events.pop_front();
    }
    m_added += changes.size();
}

std::string EventsView::shownText() const {
    std::string out;
    for (std::size_t i : m_shown) out += clock(m_events[i].time) + " " + m_events[i].text + "\n";
    return out;
}

void EventsView::draw() {
    if (ImGui::Checkbox("pause", &m_paused) && !m_paused && m_missed > 0) {
        spdlog::info("changes: {} not recorded while paused", m_missed);
        m_missed = 0;
    }
    ImGui::SameLine();
    ImGui::SetNextItemWidth(260);
    ImGui::InputTextWithHint("##changes-filter", "filter: text, + or -", m_filter, sizeof m_filter);
    noteItem("changes-filter", m_filter);
    if (m_shownFor != m_added || m_shownFilter != m_filter) {
        m_shown.clear();
        for (std::size_t i = m_events.size(); i-- > 0;)
            if (core::containsNoCase(m_events[i].text, m_filter)) m_shown.push_back(i);
        m_shownFor = m_added;
        m_shownFilter = m_filter;
    }
    ImGui::SameLine();
    ImGui::Text("%zu of %zu changes%s", m_shown.size(), m_events.size(), m_paused ? " (paused)" : "");
    ImGui::SameLine();
    if (ImGui::SmallButton("Copy")) SDL_SetClipboardText(shownText().c_str());
    ImGui::SameLine();
    if (ImGui::SmallButton("Save...")) ImGui::OpenPopup("save-changes");
    ImGui::SameLine();
    if (ImGui::SmallButton("Clear")) {
        m_events.clear();
        ++m_added;
    }
    if (ImGui::BeginPopup("save-changes")) {
        ImGui::SetNextItemWidth(420);
        ImGui::InputText("file", m_path, sizeof m_path);
        if (ImGui::Button("Save")) {
            std::ofstream out(m_path, std::ios::binary | std::ios::trunc);
            out << shownText();
            if (out) spdlog::info("saved {} changes to {}", m_shown.size(), m_path);
            else spdlog::warn("changes: cannot write {}", m_path);
            ImGui::CloseCurrentPopup();
        }
        ImGui::EndPopup();
    }
    if (!ImGui::BeginChild("changes", ImVec2(0, 0), true)) {
        ImGui::EndChild();
        return;
    }
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(m_shown.size()));
    while (clipper.Step())
        for (int k = clipper.DisplayStart; k < clipper.DisplayEnd; ++k) {
            const ChangeEvent& e = m_events[m_shown[static_cast<std::size_t>(k)]];
            ImGui::TextDisabled("%s", clock(e.time).c_str());
            ImGui::SameLine();
            ImGui::TextColored(e.added ? ImVec4(0.4f, 0.85f, 0.45f, 1.0f) : ImVec4(0.9f, 0.45f, 0.4f, 1.0f), "%s", e.text.c_str());
            noteItem("change", e.text);
        }
    ImGui::EndChild();
}

}  // namespace ipcscope::gui
