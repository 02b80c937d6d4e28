#include "gui/views.h"

#include "core/render.h"

#include <SDL.h>
#include <imgui.h>

#include <algorithm>
#include <vector>

namespace ipcscope::gui {
namespace {

constexpr auto kNewHighlight = std::chrono::seconds(5);
constexpr auto kGoneFade = std::chrono::seconds(4);

bool containsNoCase(const std::string& hay, const char* needle) {
    if (!*needle) return true;
    const std::string n(needle);
    return std::search(hay.begin(), hay.end(), n.begin(), n.end(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
           }) != hay.end();
}

enum Column { ColKind, ColName, ColPids, ColSize, ColDetails };

}  // namespace

std::string rowKey(const core::IpcObject& obj) {
    std::string key(core::kindName(obj.kind));
    key += '\x1f';
    key += obj.name;
    if (obj.details.is_object() && obj.details.contains("inode")) key += '\x1f' + obj.details["inode"].dump();
    return key;
}

void ObjectsView::onSnapshot(const core::Snapshot& snap) {
    const auto now = std::chrono::steady_clock::now();
    std::set<std::string> current;
    for (const auto& o : snap.objects) {
        auto key = rowKey(o);
        if (m_haveBaseline && !m_previous.count(key)) m_firstSeen[key] = now;
        m_gone.erase(key);
        current.insert(std::move(key));
    }
    if (m_haveBaseline)
        for (const auto& key : m_previous)
            if (!current.count(key)) m_gone[key] = Gone{{}, now};
    // Remember the removed rows' content from the previous snapshot for the fade-out.
    m_previous = std::move(current);
    m_haveBaseline = true;
    std::erase_if(m_firstSeen, [&](const auto& kv) { return now - kv.second > kNewHighlight; });
    std::erase_if(m_gone, [&](const auto& kv) { return now - kv.second.since > kGoneFade; });
}

void ObjectsView::draw(const core::Snapshot& snap, core::Family family) {
    ImGui::SetNextItemWidth(320);
    ImGui::InputTextWithHint("##filter", "filter: name, kind, command or pid", m_filter, sizeof m_filter);

    std::vector<const core::IpcObject*> rows;
    std::size_t total = 0;
    for (const auto& o : snap.objects) {
        if (o.family() != family) continue;
        ++total;
        bool keep = containsNoCase(o.name, m_filter) || containsNoCase(std::string(core::kindName(o.kind)), m_filter);
        for (const auto& h : o.holders)
            keep = keep || containsNoCase(h.command, m_filter) || containsNoCase(std::to_string(h.pid), m_filter);
        if (keep) rows.push_back(&o);
    }
    ImGui::SameLine();
    ImGui::Text("%zu of %zu rows", rows.size(), total);
    if (!m_gone.empty()) {
        ImGui::SameLine();
        ImGui::TextDisabled("(%zu removed)", m_gone.size());
    }
    m_shownRows = rows.size();

    const float detailHeight = m_selected.empty() ? 0.0f : 180.0f;
    const ImGuiTableFlags flags = ImGuiTableFlags_Sortable | ImGuiTableFlags_RowBg | ImGuiTableFlags_Borders |
                                  ImGuiTableFlags_Resizable | ImGuiTableFlags_ScrollY | ImGuiTableFlags_ScrollX |
                                  ImGuiTableFlags_SizingFixedFit;
    const ImVec2 size(0, -detailHeight);
    if (ImGui::BeginTable("objects", 5, flags, size)) {
        ImGui::TableSetupScrollFreeze(0, 1);
        ImGui::TableSetupColumn("Kind", ImGuiTableColumnFlags_DefaultSort, 0, ColKind);
        ImGui::TableSetupColumn("Name", ImGuiTableColumnFlags_WidthStretch, 0, ColName);
        ImGui::TableSetupColumn("PIDs", 0, 0, ColPids);
        ImGui::TableSetupColumn("Size", ImGuiTableColumnFlags_PreferSortDescending, 0, ColSize);
        ImGui::TableSetupColumn("Details", ImGuiTableColumnFlags_WidthStretch, 0, ColDetails);
        ImGui::TableHeadersRow();

        if (ImGuiTableSortSpecs* specs = ImGui::TableGetSortSpecs(); specs && specs->SpecsCount > 0) {
            const auto& s = specs->Specs[0];
            const bool asc = s.SortDirection == ImGuiSortDirection_Ascending;
            std::stable_sort(rows.begin(), rows.end(), [&](const core::IpcObject* a, const core::IpcObject* b) {
                int c = 0;
                switch (s.ColumnUserID) {
                case ColKind: c = core::kindName(a->kind).compare(core::kindName(b->kind)); break;
                case ColName: c = a->name.compare(b->name); break;
                case ColPids: {
                    auto pa = a->pids.empty() ? -1 : a->pids.front(), pb = b->pids.empty() ? -1 : b->pids.front();
                    c = pa < pb ? -1 : pa > pb;
                    break;
                }
                case ColSize: {
                    auto sa = a->size.value_or(0), sb = b->size.value_or(0);
                    c = sa < sb ? -1 : sa > sb;
                    break;
                }
                default: c = core::detailSummary(*a).compare(core::detailSummary(*b)); break;
                }
                return asc ? c < 0 : c > 0;
            });
        }

        const auto now = std::chrono::steady_clock::now();
        ImGuiListClipper clipper;
        clipper.Begin(static_cast<int>(rows.size()));
        while (clipper.Step()) {
            for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
                const core::IpcObject& o = *rows[static_cast<std::size_t>(i)];
                const std::string key = rowKey(o);
                ImGui::TableNextRow();
                if (auto it = m_firstSeen.find(key); it != m_firstSeen.end()) {
                    const float t = std::chrono::duration<float>(now - it->second).count() / 5.0f;
                    ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg1,
                                           ImGui::GetColorU32(ImVec4(0.1f, 0.6f, 0.2f, 0.6f * (1.0f - std::min(t, 1.0f)))));
                }
                ImGui::TableSetColumnIndex(ColKind);
                ImGui::PushID(i);
                if (ImGui::Selectable(std::string(core::kindName(o.kind)).c_str(), m_selected == key,
                                      ImGuiSelectableFlags_SpanAllColumns))
                    m_selected = m_selected == key ? std::string() : key;
                ImGui::PopID();
                ImGui::TableSetColumnIndex(ColName);
                ImGui::TextUnformatted(o.name.c_str());
                ImGui::TableSetColumnIndex(ColPids);
                ImGui::TextUnformatted(core::pidList(o.pids).c_str());
                ImGui::TableSetColumnIndex(ColSize);
                ImGui::TextUnformatted(core::humanSize(o.size).c_str());
                ImGui::TableSetColumnIndex(ColDetails);
                const std::string summary = core::detailSummary(o);
                ImGui::TextUnformatted(summary.c_str());
            }
        }
        // Rows removed since the last snapshot fade out at the bottom.
        for (const auto& [key, gone] : m_gone) {
            const float t = std::chrono::duration<float>(now - gone.since).count() / 4.0f;
            ImGui::TableNextRow();
            ImGui::TableSetColumnIndex(ColKind);
            ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.8f, 0.3f, 0.3f, 1.0f - std::min(t, 1.0f)));
            auto sep = key.find('\x1f');
            ImGui::TextUnformatted(key.substr(0, sep).c_str());
            ImGui::TableSetColumnIndex(ColName);
            auto rest = key.substr(sep + 1);
            ImGui::TextUnformatted(rest.substr(0, rest.find('\x1f')).c_str());
            ImGui::TableSetColumnIndex(ColDetails);
            ImGui::TextUnformatted("(gone)");
            ImGui::PopStyleColor();
        }
        ImGui::EndTable();
    }

    if (!m_selected.empty()) {
        auto it = std::find_if(snap.objects.begin(), snap.objects.end(),
                               [&](const core::IpcObject& o) { return rowKey(o) == m_selected; });
        if (it != snap.objects.end()) drawDetails(*it);
        else ImGui::TextDisabled("the selected object is gone");
    }
}

void ObjectsView::drawDetails(const core::IpcObject& obj) {
    if (!ImGui::BeginChild("details", ImVec2(0, 0), true)) {
        ImGui::EndChild();
        return;
    }
    const std::string json = core::toJson(obj).dump(2);
    ImGui::Text("%s  %s", std::string(core::kindName(obj.kind)).c_str(), obj.name.c_str());
    ImGui::SameLine();
    if (ImGui::SmallButton("Copy as JSON")) SDL_SetClipboardText(json.c_str());
    if (ImGui::BeginTable("holders", 3, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingFixedFit)) {
        ImGui::TableSetupColumn("PID");
        ImGui::TableSetupColumn("Command");
        ImGui::TableSetupColumn("How");
        ImGui::TableHeadersRow();
        for (const auto& h : obj.holders) {
            ImGui::TableNextRow();
            ImGui::TableSetColumnIndex(0);
            ImGui::Text("%lld", static_cast<long long>(h.pid));
            ImGui::TableSetColumnIndex(1);
            ImGui::TextUnformatted(h.command.c_str());
            ImGui::TableSetColumnIndex(2);
            ImGui::TextUnformatted(h.how.c_str());
        }
        ImGui::EndTable();
    }
    ImGui::TextUnformatted(json.c_str());
    ImGui::EndChild();
}

}  // namespace ipcscope::gui
