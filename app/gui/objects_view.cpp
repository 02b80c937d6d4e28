#include "gui/views.h"

#include "gui/test_hook.h"

#include "base/json.h"
#include "base/utf8.h"

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
        if (m_haveBaseline && !m_previous.count(key)) m_firstSeen[key] = Fresh{o.family(), now};
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
    std::erase_if(m_firstSeen, [&](const auto& kv) { return now - kv.second.since > kNewHighlight; });
    std::erase_if(m_gone, [&](const auto& kv) { return now - kv.second.since > kGoneFade; });
}

bool ObjectsView::animating(core::Family family) const {
    // Only a fade the user can see needs frames: rows scrolled out of view wait for the next event.
    if (!m_fadeOnScreen || family != m_rowsFamily) return false;
    const auto now = std::chrono::steady_clock::now();
    for (const auto& [key, fresh] : m_firstSeen)
        if (fresh.family == family && now - fresh.since < kNewHighlight) return true;
    for (const auto& [key, ghost] : m_gone)
        if (ghost.family == family && now - ghost.since < kGoneFade) return true;
    return false;
}

void ObjectsView::draw(const core::Snapshot& snap, core::Family family) {
    const auto& columns = columnsFor(family);
    ImGui::SetNextItemWidth(320);
    ImGui::InputTextWithHint("##filter", "filter: name, kind, command or pid", m_filter, sizeof m_filter);
    noteItem("filter", m_filter);

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
        m_selectedObject = nullptr;
    }
    if (!m_selected.empty() && (refilter || !m_selectedObject || rowKey(*m_selectedObject) != m_selected)) {
        auto it = std::find_if(snap.objects.begin(), snap.objects.end(),
                               [&](const core::IpcObject& o) { return rowKey(o) == m_selected; });
        m_selectedObject = it != snap.objects.end() ? &*it : nullptr;
    }
    std::size_t gone = 0;
    for (const auto& [key, ghost] : m_gone) gone += ghost.family == family;
    ImGui::SameLine();
    std::string count = std::to_string(m_rows.size()) + " of " + std::to_string(m_total) + " rows";
    if (gone > 0) count += " (" + std::to_string(gone) + " removed)";
    ImGui::TextUnformatted(count.c_str());
    noteItem("rows", count);

    // The detail pane takes two fifths of the height, enough for long flows and peer lists.
    const float detailHeight = m_selected.empty() ? 0.0f : std::max(220.0f, ImGui::GetContentRegionAvail().y * 0.4f);
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

        drawRows(columns);
        drawGhosts(columns, family);
        ImGui::EndTable();
    }
    if (!m_selected.empty()) {
        if (m_selectedObject) drawDetails(*m_selectedObject);
        else ImGui::TextDisabled("the selected object is gone");
    }
    m_sendForm.draw();
}

void ObjectsView::drawRows(const std::vector<Column>& columns) {
    const auto now = std::chrono::steady_clock::now();
    m_fadeOnScreen = false;
    ImGuiListClipper clipper;
    clipper.Begin(static_cast<int>(m_rows.size()));
    while (clipper.Step()) {
        for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
            const core::IpcObject& o = *m_rows[static_cast<std::size_t>(i)];
            const std::string key = rowKey(o);
            ImGui::TableNextRow();
            if (auto it = m_firstSeen.find(key); it != m_firstSeen.end()) {
                m_fadeOnScreen = true;  // the clipper hands out the visible rows only
                const float t = std::chrono::duration<float>(now - it->second.since).count() /
                                std::chrono::duration<float>(kNewHighlight).count();
                ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg1,
                                       ImGui::GetColorU32(ImVec4(0.1f, 0.6f, 0.2f, 0.6f * (1.0f - std::min(t, 1.0f)))));
            }
            for (std::size_t c = 0; c < columns.size(); ++c) {
                if (!ImGui::TableSetColumnIndex(static_cast<int>(c))) continue;
                const std::string cell = columns[c].text(o);
                if (c == 0) {
                    ImGui::PushID(i);
                    if (ImGui::Selectable(cell.empty() ? "-" : cell.c_str(), m_selected == key, ImGuiSelectableFlags_SpanAllColumns)) {
                        m_selected = m_selected == key ? std::string() : key;
                        m_selectedObject = m_selected.empty() ? nullptr : &o;
                    }
                    if (auto target = core::targetOf(o); target && ImGui::BeginPopupContextItem()) {
                        if (ImGui::MenuItem("Send test message...")) m_sendForm.open(*target);
                        ImGui::EndPopup();
                    }
                    ImGui::PopID();
                    noteItem("row", cell);
                } else {
                    ImGui::TextUnformatted(cell.c_str());
                    noteItem("cell", cell);
                }
            }
        }
    }
}

// Rows removed since the last snapshot stay at the bottom for a while, fading out.
void ObjectsView::drawGhosts(const std::vector<Column>& columns, core::Family family) {
    const auto now = std::chrono::steady_clock::now();
    for (const auto& [key, ghost] : m_gone) {
        if (ghost.family != family) continue;
        const float t = std::chrono::duration<float>(now - ghost.since).count() / std::chrono::duration<float>(kGoneFade).count();
        ImGui::TableNextRow();
        if (ImGui::IsRectVisible(ImVec2(1, ImGui::GetTextLineHeight()))) m_fadeOnScreen = true;
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
}

void ObjectsView::copyAsJson(const core::IpcObject& obj) {
    ImGui::SetClipboardText(base::dumpJson(core::toJson(obj), 2).c_str());
}

void ObjectsView::drawDetails(const core::IpcObject& obj) {
    if (!ImGui::BeginChild("details", ImVec2(0, 0), true)) {
        ImGui::EndChild();
        return;
    }
    if (ImGui::SmallButton("Copy as JSON")) copyAsJson(obj);
    ImGui::SameLine();
    const auto target = core::targetOf(obj);
    if (target && ImGui::SmallButton("Send test message...")) m_sendForm.open(*target);
    if (target) ImGui::SameLine();
    const std::string title = std::string(core::kindName(obj.kind)) + "  " + base::escapeInvalidUtf8(obj.name);
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(title.c_str());
    ImGui::PopTextWrapPos();
    if (target) m_sendForm.drawResult(*target);
    noteItem("detail-title", title);
    // The fields on the left (three fifths), the holders on the right, in child windows of fixed
    // shares of the pane: a value always has the room right of the labels and wraps at the pane's
    // edge, from the first frame on (a table would size its columns only after one frame).
    const float width = ImGui::GetContentRegionAvail().x;
    if (ImGui::BeginChild("fields-side", ImVec2(width * 0.6f, 0))) drawFields(obj);
    ImGui::EndChild();
    ImGui::SameLine();
    if (ImGui::BeginChild("holders-side", ImVec2(0, 0))) drawHolders(obj);
    ImGui::EndChild();
    ImGui::EndChild();
}

// Labels in one column, each value right of them, wrapped at the edge of the fields side (a
// child window of known width), so no value is ever squeezed into a column a few pixels wide.
void ObjectsView::drawFields(const core::IpcObject& obj) {
    const auto fields = detailFields(obj);
    float labelWidth = 0;
    for (const auto& f : fields) labelWidth = std::max(labelWidth, ImGui::CalcTextSize(f.first.c_str()).x);
    const float valueX = ImGui::GetCursorPosX() + labelWidth + ImGui::GetStyle().ItemSpacing.x * 2;
    for (const auto& [label, value] : fields) {
        ImGui::TextDisabled("%s", label.c_str());
        noteItem("field-label", label);
        ImGui::SameLine(valueX);
        ImGui::PushTextWrapPos(0.0f);
        ImGui::TextUnformatted(value.c_str());
        ImGui::PopTextWrapPos();
        noteItem("field-value", value);
    }
}

void ObjectsView::drawHolders(const core::IpcObject& obj) {
    ImGui::Text("%zu holders", obj.holders.size());
    const ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_SizingStretchProp;
    if (!ImGui::BeginTable("holders", 3, flags)) return;
    ImGui::TableSetupColumn("PID", ImGuiTableColumnFlags_WidthFixed, ImGui::CalcTextSize("9999999").x);
    ImGui::TableSetupColumn("Command", ImGuiTableColumnFlags_WidthStretch, 2.0f);
    ImGui::TableSetupColumn("How", ImGuiTableColumnFlags_WidthStretch, 1.0f);
    ImGui::TableHeadersRow();
    for (const auto& h : obj.holders) {
        ImGui::TableNextRow();
        ImGui::TableSetColumnIndex(0);
        ImGui::Text("%lld", static_cast<long long>(h.pid));
        ImGui::TableSetColumnIndex(1);
        ImGui::PushTextWrapPos(0.0f);
        ImGui::TextUnformatted(h.command.c_str());
        noteItem("holder", h.command);
        ImGui::TableSetColumnIndex(2);
        ImGui::TextUnformatted(h.how.c_str());
        ImGui::PopTextWrapPos();
    }
    ImGui::EndTable();
}

}  // namespace ipcscope::gui
