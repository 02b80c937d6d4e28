#include "gui/input.h"

#include <imgui.h>

#include <cfloat>

namespace ipcscope::gui {
namespace {

int buttonIndex(Uint8 button) {
    switch (button) {
    case SDL_BUTTON_LEFT: return 0;
    case SDL_BUTTON_RIGHT: return 1;
    case SDL_BUTTON_MIDDLE: return 2;
    default: return -1;
    }
}

}  // namespace

bool InputQueue::take(const SDL_Event& ev) {
    switch (ev.type) {
    case SDL_MOUSEMOTION:
    case SDL_KEYDOWN:
    case SDL_KEYUP:
    case SDL_TEXTINPUT:
        m_events.push_back(ev);
        return true;
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP:
        if (buttonIndex(ev.button.button) < 0) return false;
        m_events.push_back(ev);
        return true;
    case SDL_WINDOWEVENT:
        if (ev.window.event != SDL_WINDOWEVENT_LEAVE) return false;
        m_events.push_back(ev);
        return false;  // the backend sees it too
    default: return false;
    }
}

void InputQueue::apply(ImGuiIO& io) {
    bool moved = false, clicked = false, keyed = false;
    while (!m_events.empty()) {
        const SDL_Event& ev = m_events.front();
        if (ev.type == SDL_MOUSEMOTION) {
            if (clicked) break;  // the press or release is seen where it happened
            m_x = static_cast<float>(ev.motion.x);
            m_y = static_cast<float>(ev.motion.y);
            m_inside = moved = true;
        } else if (ev.type == SDL_MOUSEBUTTONDOWN || ev.type == SDL_MOUSEBUTTONUP) {
            if (clicked) break;
            const auto x = static_cast<float>(ev.button.x), y = static_cast<float>(ev.button.y);
            if (!m_inside || x != m_x || y != m_y) {
                // The pointer moves to the press first; the press comes in the next frame.
                if (moved) break;
                m_x = x;
                m_y = y;
                m_inside = moved = true;
                break;
            }
            if (moved) break;  // hover one frame before the press
            m_down[static_cast<std::size_t>(buttonIndex(ev.button.button))] = ev.type == SDL_MOUSEBUTTONDOWN;
            clicked = true;
        } else if (ev.type == SDL_KEYDOWN || ev.type == SDL_KEYUP) {
            // A press and release inside one frame would cancel out; a modifier released in the
            // frame of a button release would hide the Ctrl of a Ctrl+click.
            if (keyed || clicked) break;
            const int key = ev.key.keysym.scancode;
            if (key >= 0 && key < IM_ARRAYSIZE(io.KeysDown)) io.KeysDown[key] = ev.type == SDL_KEYDOWN;
            const Uint16 mod = ev.key.keysym.mod;
            io.KeyShift = (mod & KMOD_SHIFT) != 0;
            io.KeyCtrl = (mod & KMOD_CTRL) != 0;
            io.KeyAlt = (mod & KMOD_ALT) != 0;
#ifdef _WIN32
            io.KeySuper = false;
#else
            io.KeySuper = (mod & KMOD_GUI) != 0;
#endif
            keyed = true;
        } else if (ev.type == SDL_TEXTINPUT) {
            if (keyed) break;  // typed text comes after the key changes before it (Ctrl released)
            io.AddInputCharactersUTF8(ev.text.text);
        } else {  // the pointer left the window
            if (clicked) break;
            m_inside = false;
            moved = true;
        }
        m_events.pop_front();
    }
    io.MousePos = m_inside ? ImVec2(m_x, m_y) : ImVec2(-FLT_MAX, -FLT_MAX);
    for (std::size_t i = 0; i < m_down.size(); ++i) io.MouseDown[i] = m_down[i];
}

}  // namespace ipcscope::gui
