#pragma once
// Mouse and keyboard input for Dear ImGui 1.86, fed from SDL events in their order and spread
// over frames: at most one button change, and no move after it, per frame.
//
// The 1.86 SDL backend polls the pointer position and the buttons at the start of a frame and
// latches a press so that a press and release inside one frame still count. When a move and a
// press arrive within one frame (a tap on a touchpad, a remote desktop or VNC client, xdotool),
// the press lands in the very frame the widget first becomes hovered. Widgets that allow overlap,
// tab labels among them, ignore a press in that frame when another item was hovered the frame
// before (ButtonBehavior, ImGuiButtonFlags_AllowItemOverlap), so the click is lost and the tab
// only shows its hover colour. Later Dear ImGui versions queue input events and trickle them;
// this class does the same for 1.86: the move in one frame, the press in the next, the release
// in the one after.

#include <SDL.h>

#include <array>
#include <deque>

struct ImGuiIO;

namespace ipcscope::gui {

class InputQueue {
public:
    /// Keeps the mouse motion, button, key, text and window-leave events; returns false for the
    /// others (and the window-leave event), which go to the backend as they are.
    bool take(const SDL_Event& ev);
    /// Call after the backend's NewFrame and before ImGui::NewFrame: applies this frame's share
    /// of the queued events and overrides the polled mouse state.
    void apply(ImGuiIO& io);
    /// Events are left for later frames: render another frame without waiting.
    [[nodiscard]] bool pending() const { return !m_events.empty(); }

private:
    std::deque<SDL_Event> m_events;
    float m_x = 0;
    float m_y = 0;
    bool m_inside = false;
    std::array<bool, 3> m_down{};
};

}  // namespace ipcscope::gui
