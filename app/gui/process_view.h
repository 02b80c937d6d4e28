#pragma once
// The Process tab: pick a process (search by name or PID) and see every IPC object it holds
// across families, and the processes at the other end of each: "what does this process talk to?"

#include "core/links.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ipcscope::gui {

class ProcessView {
public:
    /// Called when a new snapshot arrives; the index is built when the tab is next drawn.
    void onSnapshot(std::shared_ptr<const core::Snapshot> snap);
    void draw();
    /// Shows `pid` (from another view: a table's context menu, a graph node).
    void open(std::int64_t pid);
    [[nodiscard]] std::int64_t selected() const { return m_pid; }

private:
    struct Peer {
        std::int64_t pid = 0;
        std::string command;
        std::size_t channels = 0;
        std::string kinds;  ///< distinct kinds, comma-separated
    };
    void rebuild();
    void drawList();
    void drawProcess();
    [[nodiscard]] std::string commandOf(std::int64_t pid) const;

    std::shared_ptr<const core::Snapshot> m_snap;
    std::unique_ptr<core::LinkIndex> m_index;
    bool m_dirty = false;

    char m_search[128] = {};
    std::string m_listFor;  // the search text m_list was built for
    std::vector<const core::ProcessInfo*> m_list;

    std::int64_t m_pid = 0;
    std::vector<core::Link> m_links;
    std::vector<Peer> m_peers;
    bool m_scrollToSelected = false;
};

}  // namespace ipcscope::gui
