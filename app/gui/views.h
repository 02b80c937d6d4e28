#pragma once
// The views of the monitor window. Each draws from an immutable snapshot; none calls a backend.

#include "core/model.h"

#include <spdlog/sinks/ringbuffer_sink.h>

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>

namespace ipcscope::gui {

/// The table of one family with filter, sorting, row count, and a detail pane for the
/// selected row. Rows new since the previous snapshot are highlighted for a few seconds.
class ObjectsView {
public:
    void draw(const core::Snapshot& snap, core::Family family);
    /// Called when a new snapshot arrives; tracks which rows are new and which went away.
    void onSnapshot(const core::Snapshot& snap);
    [[nodiscard]] std::size_t shownRows() const { return m_shownRows; }

private:
    struct Gone {
        core::IpcObject object;
        std::chrono::steady_clock::time_point since;
    };
    void drawDetails(const core::IpcObject& obj);

    char m_filter[256] = {};
    std::string m_selected;  // key of the selected row
    std::unordered_map<std::string, std::chrono::steady_clock::time_point> m_firstSeen;
    std::unordered_map<std::string, Gone> m_gone;
    std::set<std::string> m_previous;
    bool m_haveBaseline = false;
    std::size_t m_shownRows = 0;
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
