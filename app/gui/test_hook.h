#pragma once
// A test hook that acts like a user: a script injects real SDL input events (clicks as a press
// and release inside one frame, typed text, keys) and dumps what the window shows, item by item,
// with each item's rectangle. Views call noteItem() after drawing text a user reads; it costs one
// branch when no script runs.

#include <SDL.h>

#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace ipcscope::gui {

namespace detail {
extern bool g_recording;
void record(std::string_view role, std::string_view text);
void recordRect(std::string_view role, std::string_view text, float x0, float y0, float x1, float y1);
}  // namespace detail

/// Records the last ImGui item (its rectangle) with the role and text a user would read.
/// Roles: tab, tab-selected, filter, rows, row, cell, detail-title, field-label, field-value, holder,
/// menu (context menu items), button, export-path, card, process, peer, held, other-end, node, change,
/// send-input, send-option, send-button, send-result, probe-row, probe-stderr, peers-table (the peer table's
/// box), monitor-port, datagram.
inline void noteItem(std::string_view role, std::string_view text) {
    if (detail::g_recording) detail::record(role, text);
}

/// Records text drawn straight into a draw list (no ImGui item) with the rectangle it covers.
inline void noteText(std::string_view role, std::string_view text, float x0, float y0, float x1, float y1) {
    if (detail::g_recording) detail::recordRect(role, text, x0, y0, x1, y1);
}

/// One test script, run one step per frame. Commands, one per line:
///   wait-data          until a snapshot is drawn
///   wait-probes        until the Throughput tab's probe runs have ended
///   frames N           render N frames
///   click ROLE TEXT    move to the item and press and release the left button in one frame
///                      (TEXT* matches a text that starts with TEXT)
///   ctrl-click ROLE TEXT  the same with Ctrl held (adds a row to a multi-selection)
///   rclick ROLE TEXT   the same with the right button (opens a context menu)
///   hover ROLE TEXT    move the pointer onto the item
///   type TEXT          text input, as typed on a keyboard
///   key [ctrl+]NAME    a key press and release (SDL key names: F5, Space, 1, F)
///   idle MS            let the window wait for events for MS ms; dumps the frames it drew
///   dump NAME          write what the last frame showed under "== NAME"
///   dump-clipboard NAME  write the clipboard text under "== NAME", a "clipboard" item per line
///   measure N          render N frames back to back; write their median and p99 time
class TestScript {
public:
    /// Loads the script; false with `why` set when it cannot be read or has an unknown command.
    bool load(const std::string& scriptPath, const std::string& outPath, std::string& why);
    [[nodiscard]] bool active() const { return m_loaded && !m_done; }
    /// Runs the script until the next frame is due. `haveData`: a snapshot was drawn.
    void beforeFrame(SDL_Window* window, bool haveData, bool probesRunning);
    /// True while an `idle` step lets the window wait for events as a user would see it.
    [[nodiscard]] bool idling() const { return m_idleUntil != 0; }
    /// Counts a drawn frame and keeps its items for the next step.
    void afterFrame();
    /// Finished (or failed): the window should close. Exit code 1 on failure.
    [[nodiscard]] bool done() const { return m_done; }
    [[nodiscard]] int exitCode() const { return m_failed ? 1 : 0; }

private:
    bool step(SDL_Window* window, bool haveData);
    bool m_probesRunning = false;
    void fail(const std::string& why);

    std::vector<std::string> m_lines;
    std::size_t m_next = 0;
    std::ofstream m_out;
    bool m_loaded = false;
    bool m_done = false;
    bool m_failed = false;
    int m_waitFrames = 0;
    int m_tries = 0;
    std::uint64_t m_frames = 0;
    std::uint64_t m_idleUntil = 0;  // SDL ticks
    std::uint64_t m_idleFramesAtStart = 0;
    std::uint64_t m_idleStartedAt = 0;
    int m_measureLeft = 0;
    std::uint64_t m_frameStart = 0;  // SDL performance counter
    std::vector<double> m_frameMs;
};

}  // namespace ipcscope::gui
