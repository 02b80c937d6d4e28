#include "gui/views.h"

#include <imgui.h>

namespace ipcscope::gui {

void LogView::draw() {
    ImGui::Checkbox("follow", &m_follow);
    ImGui::SameLine();
    ImGui::TextDisabled("log");
    if (ImGui::BeginChild("loglines", ImVec2(0, 0), false, ImGuiWindowFlags_HorizontalScrollbar)) {
        for (const auto& line : m_sink->last_formatted()) {
            std::string_view l(line);
            while (!l.empty() && (l.back() == '\n' || l.back() == '\r')) l.remove_suffix(1);
            const bool bad = l.find("[error]") != std::string_view::npos || l.find("[warning]") != std::string_view::npos;
            if (bad) ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.6f, 0.3f, 1.0f));
            ImGui::TextUnformatted(l.data(), l.data() + l.size());
            if (bad) ImGui::PopStyleColor();
        }
        if (m_follow) ImGui::SetScrollHereY(1.0f);
    }
    ImGui::EndChild();
}

}  // namespace ipcscope::gui
