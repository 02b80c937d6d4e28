#include "gui/views.h"

#include "gui/hex_view.h"
#include "gui/test_hook.h"

#include "base/json.h"
#include "base/utf8.h"

#include "base/text.h"
#include "core/filter.h"
#include "core/platform.h"
#include "core/render.h"
#include "core/table_export.h"

#include <SDL.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <vector>

namespace ipcscope::gui {
namespace {

constexpr auto kNewHighlight = std::chrono::seconds(5);
constexpr auto kGoneFade = std::chrono::seconds(4);
constexpr std::size_t kPeekCap = 4096;  // bytes of shared memory read on request

using base::containsNoCase;
bool menuItem(const std::string& label, bool enabled = true) {
    const bool clicked = ImGui::MenuItem(label.c_str(), nullptr, false, enabled);
    noteItem("menu", label);
    return clicked;
}

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
    m_changes.clear();
    for (const auto& o : snap.objects) {
        auto key = rowKey(o);
        if (m_haveBaseline && !m_previous.count(key)) {
            m_firstSeen[key] = Fresh{o.family(), now};
            std::string by;
            for (const auto& h : o.holders) {
                by += (by.empty() ? " by " : ", ") + std::to_string(h.pid) + (h.command.empty() ? "" : " " + h.command);
                if (by.size() > 120) break;
            }
            m_changes.push_back({snap.takenAt, true, o.family(), "+ " + std::string(core::kindName(o.kind)) + " " + o.name + by});
        }
        m_gone.erase(key);
        current.emplace(std::move(key), Ghost{o.family(), std::string(core::kindName(o.kind)), o.name, core::pidList(o.pids), {}});
    }
    // Rows of the previous snapshot that are not in this one fade out for a while.
    if (m_haveBaseline)
        for (auto& [key, ghost] : m_previous)
            if (!current.count(key)) {
                m_changes.push_back({snap.takenAt, false, ghost.family, "- " + ghost.kind + " " + ghost.name});
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
    if (m_focusFilter) {
        ImGui::SetKeyboardFocusHere();
        m_focusFilter = false;
    }
    ImGui::InputTextWithHint("##filter", "filter: text  pid:1234  kind:fifo  -name:x", m_filter, sizeof m_filter);
    noteItem("filter", m_filter);
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip("Every term must match. A bare word is a substring of the name, kind, command or PID;\n"
                          "field:value looks at one field (pid, kind, name, family, cmd, or any detail field);\n"
                          "-term excludes; \"double quotes\" keep spaces.");

    // Filter only when the snapshot, family or filter changed: a snapshot can hold tens of
    // thousands of rows, and this runs every frame.
    const bool filterChanged = m_rowsFilter != m_filter;
    if (filterChanged) {
        // A term that does not parse is reported; the last filter that did stays applied.
        auto parsed = core::Filter::parse(m_filter);
        if (parsed) {
            m_parsedFilter = std::move(parsed.value());
            m_filterError.clear();
        } else {
            m_filterError = parsed.error().context;
        }
    }
    const bool refilter = m_rowsOf != &snap || m_rowsTakenAt != snap.takenAt || m_rowsFamily != family || filterChanged;
    if (refilter) {
        m_rows.clear();
        m_total = 0;
        for (const auto& o : snap.objects) {
            if (o.family() != family) continue;
            ++m_total;
            const bool keep = m_parsedFilter.matches(o);
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
        // Marks of rows that are no longer shown are dropped.
        std::set<std::string> shown;
        for (const auto* o : m_rows)
            if (m_marked.count(rowKey(*o))) shown.insert(rowKey(*o));
        m_marked = std::move(shown);
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
    if (!m_filterError.empty()) {
        ImGui::SameLine();
        ImGui::TextColored(ImVec4(1.0f, 0.45f, 0.35f, 1.0f), "%s", m_filterError.c_str());
        noteItem("filter-error", m_filterError);
    }
    ImGui::SameLine();
    drawExport(columns, family);
    drawTabState(snap, family);

    // The detail pane takes two fifths of the height, enough for long flows and peer lists.
    const float detailHeight = m_selected.empty() ? 0.0f : std::max(220.0f, ImGui::GetContentRegionAvail().y * 0.4f);
    const ImGuiTableFlags flags = ImGuiTableFlags_Sortable | ImGuiTableFlags_RowBg | ImGuiTableFlags_Borders |
                                  ImGuiTableFlags_Resizable | ImGuiTableFlags_ScrollY |
                                  ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_Hideable | ImGuiTableFlags_Reorderable;
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
                    const bool marked = m_selected == key || m_marked.count(key) > 0;
                    if (ImGui::Selectable(cell.empty() ? "-" : cell.c_str(), marked, ImGuiSelectableFlags_SpanAllColumns))
                        clickRow(i, key, o);
                    noteItem("row", cell);
                    if (ImGui::BeginPopupContextItem("row-menu")) {
                        if (!marked) clickRow(i, key, o);
                        drawRowMenu(columns, o);
                        ImGui::EndPopup();
                    }
                    ImGui::PopID();
                } else {
                    const float room = ImGui::GetContentRegionAvail().x;
                    ImGui::TextUnformatted(cell.c_str());
                    noteItem("cell", cell);
                    // A cell cut by its column shows its full text on hover.
                    if (ImGui::IsItemHovered() && ImGui::CalcTextSize(cell.c_str()).x > room) {
                        ImGui::SetTooltip("%s", cell.c_str());
                        noteItem("cell-tooltip", cell);
                    }
                }
            }
        }
    }
}

// Click: select one row. Ctrl+click: add or remove a row. Shift+click: the range from the last click.
void ObjectsView::clickRow(int index, const std::string& key, const core::IpcObject& obj) {
    const ImGuiIO& io = ImGui::GetIO();
    if (io.KeyCtrl) {
        // The row picked by a plain click before is part of the selection being extended.
        if (m_marked.empty() && !m_selected.empty()) m_marked.insert(m_selected);
        if (!m_marked.erase(key)) m_marked.insert(key);
    } else if (io.KeyShift && m_anchor >= 0 && m_anchor < static_cast<int>(m_rows.size())) {
        m_marked.clear();
        for (int k = std::min(m_anchor, index); k <= std::max(m_anchor, index); ++k)
            m_marked.insert(rowKey(*m_rows[static_cast<std::size_t>(k)]));
    } else {
        m_marked.clear();
        if (m_selected == key) {
            m_selected.clear();
            m_selectedObject = nullptr;
            return;
        }
    }
    if (!io.KeyShift) m_anchor = index;
    m_selected = key;
    m_selectedObject = &obj;
}

/// The marked rows (or the selected one), in table order.
std::vector<const core::IpcObject*> ObjectsView::markedRows() const {
    std::vector<const core::IpcObject*> out;
    for (const auto* o : m_rows) {
        const std::string key = rowKey(*o);
        if (m_marked.count(key) || (m_marked.empty() && key == m_selected)) out.push_back(o);
    }
    return out;
}

void ObjectsView::drawRowMenu(const std::vector<Column>& columns, const core::IpcObject& obj) {
    const auto rows = markedRows();
    const std::string n = rows.size() == 1 ? std::string("row") : std::to_string(rows.size()) + " rows";
    if (menuItem("Copy name")) SDL_SetClipboardText(obj.name.c_str());
    if (menuItem("Copy " + n + " as JSON")) SDL_SetClipboardText(core::renderJsonRows(rows).c_str());
    if (menuItem("Copy " + n + " as CSV")) SDL_SetClipboardText(core::renderCsv(columns, rows).c_str());
    ImGui::Separator();
    if (menuItem("Show holders")) m_selectedObject = &obj;  // the detail pane lists them
    const bool canOpen = !obj.holders.empty() && static_cast<bool>(m_actions.openProcess);
    const bool openMenu = ImGui::BeginMenu("Open in process view", canOpen);
    noteItem("menu", "Open in process view");
    if (openMenu) {
        for (const auto& h : obj.holders)
            if (menuItem(std::to_string(h.pid) + " " + h.command)) m_actions.openProcess(h.pid);
        ImGui::EndMenu();
    }
    // Actions on the object itself (the inject form's "Send test message") go here.
    if (menuItem("Send test message...", static_cast<bool>(m_actions.sendTestMessage))) m_actions.sendTestMessage(obj);
}

// Writes the shown rows of the table (filtered and sorted as on screen) to a file.
void ObjectsView::drawExport(const std::vector<Column>& columns, core::Family family) {
    const bool exportClicked = ImGui::SmallButton("Export...");
    noteItem("button", "Export...");
    if (exportClicked) {
        const std::time_t now = std::time(nullptr);
        char stamp[32] = {};
        std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
        const auto n = fmt::format_to_n(m_exportPath, sizeof m_exportPath - 1, "ipcscope-{}-{}.csv", core::familyName(family), stamp);
        *n.out = '\0';
        ImGui::OpenPopup("export");
    }
    if (!ImGui::BeginPopup("export")) return;
    ImGui::Text("%zu rows, as the table shows them", m_rows.size());
    ImGui::SetNextItemWidth(420);
    ImGui::InputText("file", m_exportPath, sizeof m_exportPath);
    noteItem("export-path", m_exportPath);
    const std::string path = m_exportPath;
    const bool json = path.size() > 5 && path.compare(path.size() - 5, 5, ".json") == 0;
    ImGui::TextDisabled("a name ending in .json writes JSON, anything else CSV");
    const bool save = ImGui::Button("Save");
    noteItem("button", "Save");
    if (save) {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out << (json ? core::renderJsonRows(m_rows) : core::renderCsv(columns, m_rows));
        if (out) spdlog::info("exported {} rows to {}", m_rows.size(), path);
        else spdlog::warn("export: cannot write {}", path);
        ImGui::CloseCurrentPopup();
    }
    ImGui::SameLine();
    if (ImGui::Button("Cancel")) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
}

// Why a table is empty or short: a source of this family failed (and why), or it found nothing.
void ObjectsView::drawTabState(const core::Snapshot& snap, core::Family family) const {
    const ImVec4 bad(1.0f, 0.45f, 0.35f, 1.0f);
    for (const auto& e : snap.errors) {
        if (e.family != family) continue;
        const std::string text = "failed: " + e.error.message();
        ImGui::PushTextWrapPos(0.0f);
        ImGui::TextColored(bad, "%s", text.c_str());
        ImGui::PopTextWrapPos();
        noteItem("tab-state", text);
    }
    if (m_total == 0) {
        ImGui::TextDisabled("none found");
        noteItem("tab-state", "none found");
    }
    // Permission gaps: what unreadable processes hold is missing from this table too.
    if (snap.deniedProcesses > 0) {
        const std::string text = fmt::format("{} processes could not be read: what they hold is missing here. Run as {} to see everything.",
                                             snap.deniedProcesses, snap.platform == core::Platform::Windows ? "administrator" : "root");
        ImGui::TextColored(ImVec4(1, 0.7f, 0.3f, 1), "%s", text.c_str());
        noteItem("tab-state", text);
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
    drawPeekButton(obj);
    ImGui::SameLine();
    const std::string title = std::string(core::kindName(obj.kind)) + "  " + base::escapeInvalidUtf8(obj.name);
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(title.c_str());
    ImGui::PopTextWrapPos();
    noteItem("detail-title", title);
    // The fields on the left (three fifths), the holders on the right, in child windows of fixed
    // shares of the pane: a value always has the room right of the labels and wraps at the pane's
    // edge, from the first frame on (a table would size its columns only after one frame).
    const float width = ImGui::GetContentRegionAvail().x;
    if (ImGui::BeginChild("fields-side", ImVec2(width * 0.6f, 0))) {
        drawPeek(obj);  // asked for: shown first
        drawFields(obj);
    }
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

void ObjectsView::pollPeek() {
    if (!m_peek.pending.valid() || m_peek.pending.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return;
    auto result = m_peek.pending.get();
    if (result) m_peek.bytes = std::move(result.value());
    else m_peek.error = result.error().message();
    m_peek.done = true;
}

// Shared memory is read only when the user asks, read-only, the first kPeekCap bytes, on a worker.
void ObjectsView::drawPeekButton(const core::IpcObject& obj) {
    if (obj.kind != core::Kind::PosixShm && obj.kind != core::Kind::Section) return;
    const std::string key = rowKey(obj);
    if (m_peek.key == key) return;
    ImGui::SameLine();
    const bool peek = ImGui::SmallButton("Peek at the first bytes");
    noteItem("button", "Peek at the first bytes");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Reads the first %zu bytes, read-only; the object is never written.", kPeekCap);
    if (peek && !m_peek.pending.valid()) {
        m_peek = Peek{};
        m_peek.key = key;
        m_peek.size = obj.size.value_or(0);
        m_peek.pending = std::async(std::launch::async, [copy = obj] { return platform::peekSharedMemory(copy, kPeekCap); });
    }
}

void ObjectsView::drawPeek(const core::IpcObject& obj) {
    if (m_peek.key != rowKey(obj)) return;
    if (!m_peek.done) {
        ImGui::TextDisabled("reading...");
        return;
    }
    if (!m_peek.error.empty()) {
        ImGui::TextColored(ImVec4(1.0f, 0.45f, 0.35f, 1.0f), "%s", m_peek.error.c_str());
        noteItem("peek-info", m_peek.error);
        return;
    }
    const std::string info = "the first " + std::to_string(m_peek.bytes.size()) + " of " + std::to_string(m_peek.size) +
                             " bytes, read once (read-only)";
    ImGui::TextDisabled("%s", info.c_str());
    noteItem("peek-info", info);
    const float lines = static_cast<float>(std::min<std::size_t>(8, (m_peek.bytes.size() + 15) / 16 + 1));
    drawHexView("peek-hex", m_peek.bytes, ImGui::GetTextLineHeightWithSpacing() * lines + ImGui::GetStyle().WindowPadding.y * 2);
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
