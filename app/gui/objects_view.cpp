#include "gui/views.h"

#include "core/render.h"
#include "core/target.h"

#include <SDL.h>
#include <imgui.h>

#include <algorithm>
#include <vector>

namespace ipcscope::gui {
namespace {

constexpr auto kNewHighlight = std::chrono::seconds(5);
constexpr auto kGoneFade = std::chrono::seconds(4);

using core::containsNoCase;

}  // namespace

std::string rowKey(const core::IpcObject& obj) {
    std::string key(core::kindName(obj.kind));
    key += '\x1f';
    key += obj.name;
    if (obj.details.is_object())
        if (auto it = obj.details.find("inode"); it != obj.details.end()) key += '\x1f' + it->dump();
    return key;
}

void ObjectsView::onSnapshot(const core::Snapshot& snap) {
    const auto now = std::chrono::steady_clock::now();
    std::unordered_map<std::string, Ghost> current;
    current.reserve(snap.objects.size());
    for (const auto& o : snap.objects) {
        auto key = rowKey(o);
        if (m_haveBaseline && !m_previous.count(key)) m_firstSeen[key] = now;
        m_gone.erase(key);
        current.emplace(std::move(key), Ghost{o.family(), std::string(core::kindName(o.kind)), o.name, core::pidList(o.pids), {}});
    }
    // Rows of the previous snapshot that are not in this one fade out for a while.
    if (m_haveBaseline)
        for (auto& [key, ghost] : m_previous)
            if (!current.count(key)) {
                ghost.since = now;
                m_gone[key] = std::move(ghost);
            }
    m_previous = std::move(current);
    m_haveBaseline = true;
    std::erase_if(m_firstSeen, [&](const auto& kv) { return now - kv.second > kNewHighlight; });
    std::erase_if(m_gone, [&](const auto& kv) { return now - kv.second.since > kGoneFade; });
}

void ObjectsView::draw(const core::Snapshot& snap, core::Family family) {
    const auto& columns = columnsFor(family);
    ImGui::SetNextItemWidth(320);
    ImGui::InputTextWithHint("##filter", "filter: name, kind, command or pid", m_filter, sizeof m_filter);

    // Filter only when the snapshot, family or filter changed: a snapshot can hold tens of
    // thousands of rows, and this runs every frame.
    const bool refilter = m_rowsOf != &snap || m_rowsTakenAt != snap.takenAt || m_rowsFamily != family || m_rowsFilter != m_filter;
    if (refilter) {
        m_rows.clear();
        m_total = 0;
        for (const auto& o : snap.objects) {
            if (o.family() != family) continue;
            ++m_total;
            bool keep = containsNoCase(o.name, m_filter) || containsNoCase(std::string(core::kindName(o.kind)), m_filter);
            for (const auto& h : o.holders)
                keep = keep || containsNoCase(h.command, m_filter) || containsNoCase(std::to_string(h.pid), m_filter);
            if (keep) m_rows.push_back(&o);
        }
        // Columns empty in every row (instances of FIFOs, queues of named pipes) are hidden.
        m_columnUsed.assign(columns.size(), m_rows.empty());
        for (std::size_t c = 0; c < columns.size(); ++c)
            for (const auto* o : m_rows)
                if (!columns[c].text(*o).empty()) {
                    m_columnUsed[c] = true;
                    break;
                }
        m_rowsOf = &snap;
        m_rowsTakenAt = snap.takenAt;
        m_rowsFamily = family;
        m_rowsFilter = m_filter;
    }
    std::size_t gone = 0;
    for (const auto& [key, ghost] : m_gone) gone += ghost.family == family;
    ImGui::SameLine();
    if (gone > 0) ImGui::Text("%zu of %zu rows (%zu removed)", m_rows.size(), m_total, gone);
    else ImGui::Text("%zu of %zu rows", m_rows.size(), m_total);

    const float detailHeight = m_selected.empty() ? 0.0f : 220.0f;
    const ImGuiTableFlags flags = ImGuiTableFlags_Sortable | ImGuiTableFlags_RowBg | ImGuiTableFlags_Borders |
                                  ImGuiTableFlags_Resizable | ImGuiTableFlags_ScrollY |
                                  ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_Hideable;
    const std::string tableId = "objects-" + std::string(core::familyName(family));
    if (ImGui::BeginTable(tableId.c_str(), static_cast<int>(columns.size()), flags, ImVec2(0, -detailHeight))) {
        ImGui::TableSetupScrollFreeze(0, 1);
        for (std::size_t c = 0; c < columns.size(); ++c) {
            ImGuiTableColumnFlags cf = columns[c].stretch ? ImGuiTableColumnFlags_WidthStretch : 0;
            if (c == 0) cf |= ImGuiTableColumnFlags_DefaultSort;
            if (columns[c].number) cf |= ImGuiTableColumnFlags_PreferSortDescending;
            if (c < m_columnUsed.size() && !m_columnUsed[c]) cf |= ImGuiTableColumnFlags_Disabled;
            ImGui::TableSetupColumn(columns[c].header, cf, 0, static_cast<ImGuiID>(c));
        }
        ImGui::TableHeadersRow();

        int sortColumn = -1;
        bool ascending = true;
        if (ImGuiTableSortSpecs* specs = ImGui::TableGetSortSpecs(); specs && specs->SpecsCount > 0) {
            sortColumn = static_cast<int>(specs->Specs[0].ColumnUserID);
            ascending = specs->Specs[0].SortDirection == ImGuiSortDirection_Ascending;
        }
        if ((refilter || m_rowsSortColumn != sortColumn || m_rowsSortAscending != ascending) && sortColumn >= 0 &&
            static_cast<std::size_t>(sortColumn) < columns.size()) {
            const Column& col = columns[static_cast<std::size_t>(sortColumn)];
            if (col.number) {
                std::stable_sort(m_rows.begin(), m_rows.end(), [&](const core::IpcObject* a, const core::IpcObject* b) {
                    const auto x = col.number(*a), y = col.number(*b);
                    return ascending ? x < y : x > y;
                });
            } else {
                std::vector<std::pair<std::string, const core::IpcObject*>> keyed;
                keyed.reserve(m_rows.size());
                for (const auto* o : m_rows) keyed.emplace_back(col.text(*o), o);
                std::stable_sort(keyed.begin(), keyed.end(),
                                 [&](const auto& a, const auto& b) { return ascending ? a.first < b.first : a.first > b.first; });
                for (std::size_t i = 0; i < keyed.size(); ++i) m_rows[i] = keyed[i].second;
            }
        }
        m_rowsSortColumn = sortColumn;
        m_rowsSortAscending = ascending;
        m_shownRows = m_rows.size();

        const auto now = std::chrono::steady_clock::now();
        ImGuiListClipper clipper;
        clipper.Begin(static_cast<int>(m_rows.size()));
        while (clipper.Step()) {
            for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
                const core::IpcObject& o = *m_rows[static_cast<std::size_t>(i)];
                const std::string key = rowKey(o);
                ImGui::TableNextRow();
                if (auto it = m_firstSeen.find(key); it != m_firstSeen.end()) {
                    const float t = std::chrono::duration<float>(now - it->second).count() /
                                    std::chrono::duration<float>(kNewHighlight).count();
                    ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg1,
                                           ImGui::GetColorU32(ImVec4(0.1f, 0.6f, 0.2f, 0.6f * (1.0f - std::min(t, 1.0f)))));
                }
                for (std::size_t c = 0; c < columns.size(); ++c) {
                    if (!ImGui::TableSetColumnIndex(static_cast<int>(c))) continue;
                    const std::string cell = columns[c].text(o);
                    if (c == 0) {
                        ImGui::PushID(i);
                        if (ImGui::Selectable(cell.empty() ? "-" : cell.c_str(), m_selected == key,
                                              ImGuiSelectableFlags_SpanAllColumns))
                            m_selected = m_selected == key ? std::string() : key;
                        if (auto target = core::targetOf(o); target && ImGui::BeginPopupContextItem()) {
                            if (ImGui::MenuItem("Send test message...")) m_sendForm.open(*target);
                            ImGui::EndPopup();
                        }
                        ImGui::PopID();
                    } else {
                        ImGui::TextUnformatted(cell.c_str());
                    }
                }
            }
        }
        // Rows removed since the last snapshot stay at the bottom for a while, fading out.
        for (const auto& [key, ghost] : m_gone) {
            if (ghost.family != family) continue;
            const float t = std::chrono::duration<float>(now - ghost.since).count() /
                            std::chrono::duration<float>(kGoneFade).count();
            ImGui::TableNextRow();
            ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.85f, 0.35f, 0.35f, 1.0f - std::min(t, 1.0f)));
            for (std::size_t c = 0; c < columns.size(); ++c) {
                if (!ImGui::TableSetColumnIndex(static_cast<int>(c))) continue;
                const std::string_view header = columns[c].header;
                if (c == 0) ImGui::TextUnformatted(header == "Kind" ? ghost.kind.c_str() : "(gone)");
                else if (columns[c].stretch && (header == "Name" || header == "Local" || header == "Target"))
                    ImGui::TextUnformatted(ghost.name.c_str());
                else if (header == "PIDs") ImGui::TextUnformatted(ghost.pids.c_str());
                else if (c + 1 == columns.size()) ImGui::TextUnformatted("(gone)");
            }
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
    m_sendForm.draw();
}

void ObjectsView::drawDetails(const core::IpcObject& obj) {
    if (!ImGui::BeginChild("details", ImVec2(0, 0), true)) {
        ImGui::EndChild();
        return;
    }
    ImGui::Text("%s  %s", std::string(core::kindName(obj.kind)).c_str(), obj.name.c_str());
    ImGui::SameLine();
    if (ImGui::SmallButton("Copy as JSON")) SDL_SetClipboardText(core::toJson(obj).dump(2).c_str());
    if (const auto target = core::targetOf(obj)) {
        ImGui::SameLine();
        if (ImGui::SmallButton("Send test message...")) m_sendForm.open(*target);
        m_sendForm.drawResult(*target);
    }
    // Every field on the left, the holders on the right.
    if (ImGui::BeginTable("detail-layout", 2, ImGuiTableFlags_Resizable | ImGuiTableFlags_BordersInnerV)) {
        ImGui::TableNextRow();
        ImGui::TableSetColumnIndex(0);
        if (ImGui::BeginTable("fields", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingFixedFit)) {
            for (const auto& [label, value] : detailFields(obj)) {
                ImGui::TableNextRow();
                ImGui::TableSetColumnIndex(0);
                ImGui::TextDisabled("%s", label.c_str());
                ImGui::TableSetColumnIndex(1);
                ImGui::TextWrapped("%s", value.c_str());
            }
            ImGui::EndTable();
        }
        ImGui::TableSetColumnIndex(1);
        ImGui::Text("%zu holders", obj.holders.size());
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
        ImGui::EndTable();
    }
    ImGui::EndChild();
}

}  // namespace ipcscope::gui
