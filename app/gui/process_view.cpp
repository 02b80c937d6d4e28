#include "gui/process_view.h"

#include "base/text.h"
#include "gui/test_hook.h"

#include "core/columns.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <set>

namespace ipcscope::gui {

void ProcessView::onSnapshot(std::shared_ptr<const core::Snapshot> snap) {
    m_snap = std::move(snap);
    m_dirty = true;
}

void ProcessView::open(std::int64_t pid) {
    m_pid = pid;
    m_dirty = true;
    m_scrollToSelected = true;
}

std::string ProcessView::commandOf(std::int64_t pid) const {
    const core::ProcessInfo* p = m_index ? m_index->process(pid) : nullptr;
    return p && !p->command.empty() ? p->command : std::string("?");
}

void ProcessView::rebuild() {
    m_dirty = false;
    m_index = m_snap ? std::make_unique<core::LinkIndex>(*m_snap) : nullptr;
    m_listFor = std::string(1, '\0');  // forces the list to be rebuilt
    m_links = m_index ? m_index->linksOf(m_pid) : std::vector<core::Link>{};
    std::map<std::int64_t, Peer> peers;
    std::map<std::int64_t, std::set<std::string>> kinds;
    for (const auto& l : m_links)
        for (std::int64_t other : l.others) {
            auto& p = peers[other];
            p.pid = other;
            ++p.channels;
            kinds[other].insert(std::string(core::kindName(l.object->kind)));
        }
    m_peers.clear();
    for (auto& [pid, p] : peers) {
        p.command = commandOf(pid);
        for (const auto& k : kinds[pid]) p.kinds += (p.kinds.empty() ? "" : ", ") + k;
        m_peers.push_back(std::move(p));
    }
    std::stable_sort(m_peers.begin(), m_peers.end(), [](const Peer& a, const Peer& b) { return a.channels > b.channels; });
}

void ProcessView::draw() {
    if (!m_snap) {
        ImGui::TextDisabled("taking the first snapshot...");
        return;
    }
    if (m_dirty) rebuild();
    if (ImGui::BeginTable("process-layout", 2, ImGuiTableFlags_Resizable | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_SizingStretchProp,
                          ImGui::GetContentRegionAvail())) {
        ImGui::TableSetupColumn("processes", ImGuiTableColumnFlags_WidthStretch, 1.0f);
        ImGui::TableSetupColumn("process", ImGuiTableColumnFlags_WidthStretch, 3.0f);
        ImGui::TableNextRow();
        ImGui::TableSetColumnIndex(0);
        drawList();
        ImGui::TableSetColumnIndex(1);
        drawProcess();
        ImGui::EndTable();
    }
}

void ProcessView::drawList() {
    ImGui::SetNextItemWidth(-FLT_MIN);
    ImGui::InputTextWithHint("##process-search", "search: name or PID", m_search, sizeof m_search);
    noteItem("process-search", m_search);
    if (m_listFor != m_search) {
        m_listFor = m_search;
        m_list.clear();
        for (const auto& p : m_index->processes())
            if (base::containsNoCase(p.command, m_search) || base::containsNoCase(std::to_string(p.pid), m_search)) m_list.push_back(&p);
    }
    ImGui::TextDisabled("%zu of %zu processes", m_list.size(), m_index->processes().size());
    if (!ImGui::BeginChild("process-list")) {
        ImGui::EndChild();
        return;
    }
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(m_list.size()));
    if (m_scrollToSelected) {
        auto it = std::find_if(m_list.begin(), m_list.end(), [&](const core::ProcessInfo* p) { return p->pid == m_pid; });
        if (it != m_list.end()) {
            ImGui::SetScrollY(static_cast<float>(it - m_list.begin()) * ImGui::GetTextLineHeightWithSpacing());
        }
        m_scrollToSelected = false;
    }
    while (clipper.Step())
        for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
            const core::ProcessInfo& p = *m_list[static_cast<std::size_t>(i)];
            const std::string label = std::to_string(p.pid) + "  " + (p.command.empty() ? "?" : p.command) + "  (" +
                                      std::to_string(p.objects) + ")";
            ImGui::PushID(i);
            if (ImGui::Selectable(label.c_str(), p.pid == m_pid)) {
                m_pid = p.pid;
                m_dirty = true;
            }
            ImGui::PopID();
            noteItem("process", label);
        }
    ImGui::EndChild();
}

void ProcessView::drawProcess() {
    if (m_pid == 0) {
        ImGui::TextDisabled("pick a process on the left");
        return;
    }
    const core::ProcessInfo* p = m_index->process(m_pid);
    if (!p) {
        ImGui::TextDisabled("process %lld holds nothing in this snapshot (or is gone)", static_cast<long long>(m_pid));
        return;
    }
    const std::string title = std::to_string(p->pid) + " " + (p->command.empty() ? "?" : p->command) + ": " +
                              std::to_string(m_links.size()) + " objects, talks to " + std::to_string(m_peers.size()) + " processes";
    ImGui::TextUnformatted(title.c_str());
    noteItem("process-title", title);

    std::int64_t openPid = 0;
    const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_Borders | ImGuiTableFlags_Resizable |
                                  ImGuiTableFlags_ScrollY | ImGuiTableFlags_SizingStretchProp;
    // Exactly the header and the peers (plus the outer border); past about a third of the view the table
    // shows as many whole rows as fit there and scrolls.
    const ImGuiStyle& style = ImGui::GetStyle();
    const float rowHeight = ImGui::GetTextLineHeight() + 2.0f * style.CellPadding.y;
    const float borders = 2.0f * style.ChildBorderSize;
    const auto fitting = static_cast<std::size_t>(
        std::max(1.0f, std::floor((ImGui::GetContentRegionAvail().y * 0.35f - borders) / rowHeight) - 1.0f));
    const bool scrolls = m_peers.size() > fitting;
    const float peersHeight = rowHeight * static_cast<float>(std::min(m_peers.size(), fitting) + 1) + borders;
    const ImVec2 peersAt = ImGui::GetCursorScreenPos();
    const float peersWidth = ImGui::GetContentRegionAvail().x;
    if (!m_peers.empty() && ImGui::BeginTable("peers", 4, flags, ImVec2(0, peersHeight))) {
        ImGui::TableSetupScrollFreeze(0, 1);
        ImGui::TableSetupColumn("Talks to (PID)", ImGuiTableColumnFlags_WidthFixed, ImGui::CalcTextSize("Talks to (PID)__").x);
        ImGui::TableSetupColumn("Command", ImGuiTableColumnFlags_WidthStretch, 2.0f);
        ImGui::TableSetupColumn("Channels", ImGuiTableColumnFlags_WidthFixed, ImGui::CalcTextSize("Channels__").x);
        ImGui::TableSetupColumn("Kinds", ImGuiTableColumnFlags_WidthStretch, 3.0f);
        ImGui::TableHeadersRow();
        ImGuiListClipper peerClipper;  // a hub can talk to thousands
        peerClipper.Begin(static_cast<int>(m_peers.size()));
        while (peerClipper.Step())
            for (int k = peerClipper.DisplayStart; k < peerClipper.DisplayEnd; ++k) {
                const Peer& peer = m_peers[static_cast<std::size_t>(k)];
                ImGui::TableNextRow();
                ImGui::TableSetColumnIndex(0);
                const std::string id = std::to_string(peer.pid);
                if (ImGui::Selectable(id.c_str(), false, ImGuiSelectableFlags_SpanAllColumns)) openPid = peer.pid;
                if (ImGui::IsItemHovered()) ImGui::SetTooltip("open %s in the process view", id.c_str());
                noteItem("peer", id + " " + peer.command);
                ImGui::TableSetColumnIndex(1);
                ImGui::TextUnformatted(peer.command.c_str());
                ImGui::TableSetColumnIndex(2);
                ImGui::Text("%zu", peer.channels);
                ImGui::TableSetColumnIndex(3);
                ImGui::TextUnformatted(peer.kinds.c_str());
            }
        ImGui::EndTable();
        noteText("peers-table", std::to_string(m_peers.size()) + (scrolls ? " scrolls" : ""), peersAt.x, peersAt.y, peersAt.x + peersWidth, peersAt.y + peersHeight);
    }
    if (ImGui::BeginTable("held", 4, flags)) {
        ImGui::TableSetupScrollFreeze(0, 1);
        ImGui::TableSetupColumn("Kind", ImGuiTableColumnFlags_WidthFixed, ImGui::CalcTextSize("unix-socket__").x);
        ImGui::TableSetupColumn("Name", ImGuiTableColumnFlags_WidthStretch, 3.0f);
        ImGui::TableSetupColumn("How", ImGuiTableColumnFlags_WidthStretch, 1.0f);
        ImGui::TableSetupColumn("Other end", ImGuiTableColumnFlags_WidthStretch, 2.0f);
        ImGui::TableHeadersRow();
        ImGuiListClipper clipper;
        clipper.Begin(static_cast<int>(m_links.size()));
        while (clipper.Step())
            for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
                const core::Link& l = m_links[static_cast<std::size_t>(i)];
                ImGui::TableNextRow();
                ImGui::TableSetColumnIndex(0);
                ImGui::TextUnformatted(std::string(core::kindName(l.object->kind)).c_str());
                ImGui::TableSetColumnIndex(1);
                ImGui::TextUnformatted(l.object->name.empty() ? "-" : l.object->name.c_str());
                noteItem("held", l.object->name);
                if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", l.object->name.c_str());
                ImGui::TableSetColumnIndex(2);
                ImGui::TextUnformatted(l.how.c_str());
                ImGui::TableSetColumnIndex(3);
                std::string others;
                for (std::int64_t o : l.others) others += (others.empty() ? "" : ", ") + std::to_string(o) + " " + commandOf(o);
                ImGui::TextUnformatted(others.c_str());
                noteItem("other-end", others);
            }
        ImGui::EndTable();
    }
    if (openPid != 0) open(openPid);
}

}  // namespace ipcscope::gui
