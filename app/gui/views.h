#pragma once
// The views of the monitor window. Each draws from an immutable snapshot; none calls a backend.

#include "core/columns.h"
#include "core/filter.h"
#include "core/model.h"

#include <spdlog/sinks/ringbuffer_sink.h>

#include <chrono>
#include <functional>
#include <future>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace ipcscope::gui {

using core::Column;
using core::columnsFor;
using core::detailFields;

/// One row that appeared or went away between two snapshots.
struct ChangeEvent {
    std::chrono::system_clock::time_point time;
    bool added = false;
    core::Family family{};
    std::string text;  ///< "+ fifo /tmp/x by 812 sleep", "- posix-shm /bar"
};

/// The table of one family with filter, sorting, row count, and a detail pane for the
/// selected row. Rows new since the previous snapshot are highlighted for a few seconds;
/// rows that went away stay for a few seconds, fading out.
class ObjectsView {
public:
    /// What a row's context menu can ask of the rest of the window.
    struct Actions {
        std::function<void(std::int64_t pid)> openProcess;
        /// Set once an inject form exists; the menu item is greyed out until then.
        std::function<void(const core::IpcObject&)> sendTestMessage;
    };
    void setActions(Actions actions) { m_actions = std::move(actions); }

    void draw(const core::Snapshot& snap, core::Family family);
    /// Called when a new snapshot arrives; tracks which rows are new and which went away.
    void onSnapshot(const core::Snapshot& snap);
    [[nodiscard]] std::size_t shownRows() const { return m_shownRows; }
    /// Rows of the last snapshot that were not in the one before (for the highlight).
    [[nodiscard]] std::size_t newRows() const { return m_firstSeen.size(); }
    /// Rows that went away and are still fading out.
    [[nodiscard]] std::size_t goneRows() const { return m_gone.size(); }
    /// Selects the row with this rowKey(), as a click on the row does.
    void select(std::string key) { m_selected = std::move(key); }
    /// The "Copy as JSON" action of the detail pane: the row's JSON on the clipboard.
    static void copyAsJson(const core::IpcObject& obj);
    /// What changed with the last snapshot (empty for the first one).
    [[nodiscard]] const std::vector<ChangeEvent>& changes() const { return m_changes; }
    /// Puts the keyboard focus in the filter field at the next draw (Ctrl+F).
    void focusFilter() { m_focusFilter = true; }
    /// Rows of `family` are still highlighted as new or fading out: the tab needs frames.
    [[nodiscard]] bool animating(core::Family family) const;
    /// A read of shared memory the user asked for is under way: frames are needed to show it.
    [[nodiscard]] bool peeking() const { return m_peek.pending.valid(); }
    /// Takes the result of that read once it is there (every frame, whichever tab is shown).
    void pollPeek();

private:
    // What is left of a row after it went away: enough to show it fading out.
    struct Ghost {
        core::Family family{};
        std::string kind;
        std::string name;
        std::string pids;
        std::chrono::steady_clock::time_point since;
    };
    struct Fresh {
        core::Family family{};
        std::chrono::steady_clock::time_point since;
    };
    void drawDetails(const core::IpcObject& obj);
    void drawFields(const core::IpcObject& obj);
    void drawHolders(const core::IpcObject& obj);
    void drawRows(const std::vector<Column>& columns);
    void clickRow(int index, const std::string& key, const core::IpcObject& obj);
    [[nodiscard]] std::vector<const core::IpcObject*> markedRows() const;
    void drawRowMenu(const std::vector<Column>& columns, const core::IpcObject& obj);
    void drawExport(const std::vector<Column>& columns, core::Family family);
    void drawGhosts(const std::vector<Column>& columns, core::Family family);
    void drawTabState(const core::Snapshot& snap, core::Family family) const;

    // The opt-in look at the first bytes of a shared-memory object, read on a worker.
    struct Peek {
        std::string key;  // rowKey of the object read
        std::uint64_t size = 0;
        std::future<core::Result<std::vector<std::uint8_t>>> pending;
        std::vector<std::uint8_t> bytes;
        std::string error;
        bool done = false;
    };
    void drawPeekButton(const core::IpcObject& obj);
    void drawPeek(const core::IpcObject& obj);

    Actions m_actions;
    Peek m_peek;
    std::vector<ChangeEvent> m_changes;
    std::set<std::string> m_marked;  // keys of rows picked with Ctrl/Shift+click
    int m_anchor = -1;               // row index of the last plain click (Shift+click range)
    char m_exportPath[512] = {};
    char m_filter[256] = {};
    bool m_focusFilter = false;
    core::Filter m_parsedFilter;  // the last filter text that parsed
    std::string m_filterError;
    std::string m_selected;  // key of the selected row
    const core::IpcObject* m_selectedObject = nullptr;  // in m_rowsOf; null when gone
    std::unordered_map<std::string, Fresh> m_firstSeen;
    std::unordered_map<std::string, Ghost> m_gone;
    std::unordered_map<std::string, Ghost> m_previous;
    bool m_haveBaseline = false;
    bool m_fadeOnScreen = false;  // the last draw showed a highlighted or fading row
    std::size_t m_shownRows = 0;

    // The filtered, sorted rows are kept until the snapshot, family, filter or sort changes.
    std::vector<const core::IpcObject*> m_rows;
    std::size_t m_total = 0;
    const core::Snapshot* m_rowsOf = nullptr;
    std::chrono::system_clock::time_point m_rowsTakenAt{};
    core::Family m_rowsFamily{};
    std::string m_rowsFilter;
    std::vector<bool> m_columnUsed;  // per column: some row shows something in it
    int m_rowsSortColumn = -1;
    bool m_rowsSortAscending = true;
};

/// The log pane: the last lines spdlog wrote, newest at the bottom.
class LogView {
public:
    explicit LogView(std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink) : m_sink(std::move(sink)) {}
    void draw();

private:
    std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> m_sink;
    bool m_follow = true;
};

/// Stable identity of a row across snapshots.
[[nodiscard]] std::string rowKey(const core::IpcObject& obj);

}  // namespace ipcscope::gui
