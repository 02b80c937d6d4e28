#include "gui/graph_view.h"

#include "gui/test_hook.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>

namespace ipcscope::gui {
namespace {

constexpr float kPi = 3.14159265f;

std::string label(const core::LinkIndex& idx, std::int64_t pid) {
    const core::ProcessInfo* p = idx.process(pid);
    return std::to_string(pid) + " " + (p && !p->command.empty() ? p->command : std::string("?"));
}

}  // namespace

void GraphView::onSnapshot(std::shared_ptr<const core::Snapshot> snap) {
    m_snap = std::move(snap);
    m_dirty = true;
}

void GraphView::rebuild(std::int64_t focus) {
    m_dirty = false;
    m_builtFocus = focus;
    m_builtWhole = m_wholeMachine;
    m_index = std::make_unique<core::LinkIndex>(*m_snap);
    m_nodes.clear();
    m_edges.clear();
    m_hiddenNodes = 0;

    // Edges between pairs of processes, with how many channels and of which kinds.
    std::map<std::pair<std::int64_t, std::int64_t>, std::pair<std::size_t, std::set<std::string>>> pairs;
    auto addLinksOf = [&](std::int64_t pid) {
        for (const auto& l : m_index->linksOf(pid))
            for (std::int64_t other : l.others) {
                auto& e = pairs[{std::min(pid, other), std::max(pid, other)}];
                ++e.first;
                e.second.insert(std::string(core::kindName(l.object->kind)));
            }
    };
    std::vector<std::int64_t> pids;
    if (m_wholeMachine || focus == 0) {
        for (const auto& p : m_index->processes()) addLinksOf(p.pid);
        // Each channel was counted from both ends.
        for (auto& [key, e] : pairs) e.first = (e.first + 1) / 2;
        std::unordered_map<std::int64_t, std::size_t> degree;
        for (const auto& [key, e] : pairs) {
            degree[key.first] += e.first;
            degree[key.second] += e.first;
        }
        for (const auto& [pid, d] : degree) pids.push_back(pid);
        std::sort(pids.begin(), pids.end(), [&](auto a, auto b) { return degree[a] > degree[b] || (degree[a] == degree[b] && a < b); });
    } else {
        addLinksOf(focus);
        pids.push_back(focus);
        for (const auto& [key, e] : pairs) pids.push_back(key.first == focus ? key.second : key.first);
    }
    if (pids.size() > kMaxNodes) {
        m_hiddenNodes = pids.size() - kMaxNodes;
        pids.resize(kMaxNodes);
    }
    std::unordered_map<std::int64_t, std::size_t> at;
    for (std::int64_t pid : pids) {
        at[pid] = m_nodes.size();
        m_nodes.push_back({pid, label(*m_index, pid)});
    }
    // The focus in the middle, the others on a circle (the busiest first, clockwise from the top).
    const bool centred = !m_wholeMachine && focus != 0;
    const std::size_t ring = m_nodes.size() - (centred ? 1 : 0);
    for (std::size_t i = centred ? 1 : 0, k = 0; i < m_nodes.size(); ++i, ++k) {
        const float angle = -kPi / 2 + 2 * kPi * static_cast<float>(k) / static_cast<float>(std::max<std::size_t>(1, ring));
        m_nodes[i].x = std::cos(angle);
        m_nodes[i].y = std::sin(angle);
    }
    for (const auto& [key, e] : pairs) {
        auto a = at.find(key.first), b = at.find(key.second);
        if (a == at.end() || b == at.end()) continue;
        Edge edge{a->second, b->second, e.first, {}};
        for (const auto& k : e.second) edge.kinds += (edge.kinds.empty() ? "" : ", ") + k;
        m_edges.push_back(std::move(edge));
    }
}

std::optional<std::int64_t> GraphView::draw(std::int64_t focus) {
    if (!m_snap) {
        ImGui::TextDisabled("taking the first snapshot...");
        return std::nullopt;
    }
    ImGui::Checkbox("whole machine", &m_wholeMachine);
    ImGui::SameLine();
    if (m_dirty || focus != m_builtFocus || m_wholeMachine != m_builtWhole) rebuild(focus);
    if (!m_wholeMachine && focus == 0) ImGui::TextDisabled("no process chosen in the Processes tab: the whole machine");
    else if (!m_wholeMachine) ImGui::Text("%s and the processes it talks to", label(*m_index, focus).c_str());
    else ImGui::Text("the busiest processes and their channels");
    if (m_hiddenNodes > 0) {
        ImGui::SameLine();
        ImGui::TextDisabled("(%zu more processes not shown)", m_hiddenNodes);
    }
    const std::string summary = std::to_string(m_nodes.size()) + " processes, " + std::to_string(m_edges.size()) + " links";
    ImGui::SameLine();
    ImGui::TextDisabled("| %s", summary.c_str());
    noteItem("graph-summary", summary);

    const ImVec2 origin = ImGui::GetCursorScreenPos();
    ImVec2 size = ImGui::GetContentRegionAvail();
    size.x = std::max(size.x, 100.0f);
    size.y = std::max(size.y, 100.0f);
    ImGui::InvisibleButton("graph-canvas", size);
    const bool canvasHovered = ImGui::IsItemHovered();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->PushClipRect(origin, ImVec2(origin.x + size.x, origin.y + size.y), true);
    const ImVec2 centre(origin.x + size.x / 2, origin.y + size.y / 2);
    // The ring is an ellipse as wide as the labels leave room for: on a wide canvas the nodes near
    // the top and bottom are spread apart, so their labels do not run into each other.
    float labelWidth = 0;
    for (const auto& n : m_nodes) labelWidth = std::max(labelWidth, ImGui::CalcTextSize(n.label.c_str()).x);
    const float line = ImGui::GetTextLineHeight();
    const float ry = std::max(20.0f, size.y / 2 - line * 1.5f);
    const float rx = std::max(ry, size.x / 2 - std::min(labelWidth, size.x / 4) - 20);
    auto pos = [&](const Node& n) { return ImVec2(centre.x + n.x * rx, centre.y + n.y * ry); };

    const ImVec2 mouse = ImGui::GetIO().MousePos;
    std::optional<std::size_t> hoveredNode;
    const float nodeRadius = 7.0f;
    for (std::size_t i = 0; i < m_nodes.size(); ++i) {
        const ImVec2 p = pos(m_nodes[i]);
        if (canvasHovered && std::hypot(mouse.x - p.x, mouse.y - p.y) < nodeRadius + 4) hoveredNode = i;
    }
    const ImU32 edgeColour = ImGui::GetColorU32(ImGuiCol_PlotLines, 0.7f);
    const ImU32 hotEdge = ImGui::GetColorU32(ImGuiCol_PlotLinesHovered);
    for (const auto& e : m_edges) {
        const ImVec2 a = pos(m_nodes[e.a]), b = pos(m_nodes[e.b]);
        const bool hot = hoveredNode && (*hoveredNode == e.a || *hoveredNode == e.b);
        dl->AddLine(a, b, hot ? hotEdge : edgeColour, std::min(1.0f + std::log2(static_cast<float>(e.count)), 5.0f));
        const std::string text = std::to_string(e.count) + " " + e.kinds;
        if (hot || m_edges.size() <= 24)
            dl->AddText(ImVec2((a.x + b.x) / 2 + 3, (a.y + b.y) / 2), ImGui::GetColorU32(ImGuiCol_TextDisabled), text.c_str());
    }
    const ImU32 nodeColour = ImGui::GetColorU32(ImGuiCol_Button), focusColour = ImGui::GetColorU32(ImGuiCol_ButtonActive);
    std::optional<std::int64_t> clicked;
    for (std::size_t i = 0; i < m_nodes.size(); ++i) {
        const Node& n = m_nodes[i];
        const ImVec2 p = pos(n);
        const bool hot = hoveredNode == i;
        dl->AddCircleFilled(p, hot ? nodeRadius + 3 : nodeRadius, n.pid == focus ? focusColour : nodeColour);
        // Labels point away from the middle: left of the nodes on the left half, right of the others.
        const float textX = n.x < -0.01f ? p.x - nodeRadius - 3 - ImGui::CalcTextSize(n.label.c_str()).x : p.x + nodeRadius + 3;
        dl->AddText(ImVec2(textX, p.y - line / 2), ImGui::GetColorU32(ImGuiCol_Text), n.label.c_str());
        if (detail::g_recording) {
            // The node's rectangle for the test hook: a click there opens the process.
            ImGui::SetCursorScreenPos(ImVec2(p.x - nodeRadius, p.y - nodeRadius));
            ImGui::Dummy(ImVec2(nodeRadius * 2, nodeRadius * 2));
            noteItem("node", n.label);
        }
    }
    dl->PopClipRect();
    if (hoveredNode) {
        ImGui::SetTooltip("%s: click to open it in the process view", m_nodes[*hoveredNode].label.c_str());
        if (ImGui::IsMouseClicked(ImGuiMouseButton_Left)) clicked = m_nodes[*hoveredNode].pid;
    }
    return clicked;
}

}  // namespace ipcscope::gui
