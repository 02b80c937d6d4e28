#pragma once
// The Changes tab: every object that appeared or went away, newest first ("+ fifo /tmp/x by 812
// sleep", "- posix-shm /bar"), beside the highlighting in the tables. It can be paused, filtered,
// copied and saved.

#include "gui/views.h"

#include <deque>
#include <string>
#include <vector>

namespace ipcscope::gui {

class EventsView {
public:
    /// Adds the changes of one snapshot (ignored while paused).
    void add(const std::vector<ChangeEvent>& changes);
    void draw();
    [[nodiscard]] std::size_t size() const { return m_events.size(); }

private:
    static constexpr std::size_t kMaxEvents = 20000;
    [[nodiscard]] std::string shownText() const;

    std::deque<ChangeEvent> m_events;  // oldest first
    std::uint64_t m_added = 0;
    bool m_paused = false;
    std::size_t m_missed = 0;  // changes not recorded while paused
    char m_filter[128] = {};
    char m_path[512] = "ipcscope-changes.txt";

    std::vector<std::size_t> m_shown;  // indices, newest first
    std::uint64_t m_shownFor = ~std::uint64_t{0};
    std::string m_shownFilter;
};

}  // namespace ipcscope::gui
