#include "gui/test_hook.h"

#include <imgui.h>

#include <spdlog/fmt/fmt.h>

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace ipcscope::gui {

namespace {

struct Seen {
    std::string role;
    std::string text;
    ImVec2 min;
    ImVec2 max;
};

std::vector<Seen> g_thisFrame;
std::vector<Seen> g_lastFrame;

constexpr int kFindTries = 600;  // frames to wait for an item to appear (data still loading)

bool known(const std::string& command) {
    for (const char* c : {"wait-data", "wait-probes", "frames", "click", "ctrl-click", "rclick", "type", "key", "idle", "dump", "dump-clipboard", "measure", "hover"})
        if (command == c) return true;
    return false;
}

void pushMouse(SDL_Window* window, Uint32 type, int x, int y, Uint8 button = SDL_BUTTON_LEFT) {
    SDL_Event e{};
    e.type = type;
    if (type == SDL_MOUSEMOTION) {
        e.motion.windowID = SDL_GetWindowID(window);
        e.motion.x = x;
        e.motion.y = y;
    } else {
        e.button.windowID = SDL_GetWindowID(window);
        e.button.button = button;
        e.button.state = type == SDL_MOUSEBUTTONDOWN ? SDL_PRESSED : SDL_RELEASED;
        e.button.clicks = 1;
        e.button.x = x;
        e.button.y = y;
    }
    SDL_PushEvent(&e);
}

void pushKey(SDL_Window* window, Uint32 type, SDL_Keycode key, Uint16 mod) {
    SDL_Event e{};
    e.type = type;
    e.key.windowID = SDL_GetWindowID(window);
    e.key.state = type == SDL_KEYDOWN ? SDL_PRESSED : SDL_RELEASED;
    e.key.keysym.sym = key;
    e.key.keysym.scancode = SDL_GetScancodeFromKey(key);
    e.key.keysym.mod = mod;
    SDL_PushEvent(&e);
}

}  // namespace

namespace detail {
bool g_recording = false;

void record(std::string_view role, std::string_view text) {
    g_thisFrame.push_back({std::string(role), std::string(text), ImGui::GetItemRectMin(), ImGui::GetItemRectMax()});
}
void recordRect(std::string_view role, std::string_view text, float x0, float y0, float x1, float y1) {
    g_thisFrame.push_back({std::string(role), std::string(text), ImVec2(x0, y0), ImVec2(x1, y1)});
}
}  // namespace detail

bool TestScript::load(const std::string& scriptPath, const std::string& outPath, std::string& why) {
    std::ifstream in(scriptPath);
    if (!in) {
        why = "cannot read the test script " + scriptPath;
        return false;
    }
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#') continue;
        const std::string command = line.substr(0, line.find(' '));
        if (!known(command)) {
            why = "unknown test script command: " + line;
            return false;
        }
        m_lines.push_back(line);
    }
    m_out.open(outPath, std::ios::trunc);
    if (!m_out) {
        why = "cannot write the test output to " + outPath;
        return false;
    }
    m_loaded = true;
    detail::g_recording = true;
    return true;
}

void TestScript::fail(const std::string& why) {
    m_out << "FAILED " << why << '\n';
    std::fprintf(stderr, "ipcscope: test script: %s\n", why.c_str());
    m_failed = m_done = true;
}

void TestScript::beforeFrame(SDL_Window* window, bool haveData, bool probesRunning) {
    m_probesRunning = probesRunning;
    if (m_done) return;
    m_frameStart = SDL_GetPerformanceCounter();
    if (m_waitFrames > 0) {
        --m_waitFrames;
        return;
    }
    // Steps that take no frame run back to back.
    while (!m_done && step(window, haveData)) {}
}

void TestScript::afterFrame() {
    ++m_frames;
    if (m_measureLeft > 0) {
        m_frameMs.push_back(static_cast<double>(SDL_GetPerformanceCounter() - m_frameStart) * 1000.0 /
                            static_cast<double>(SDL_GetPerformanceFrequency()));
        if (--m_measureLeft == 0) {
            std::sort(m_frameMs.begin(), m_frameMs.end());
            const auto at = [&](double q) { return m_frameMs[std::min(m_frameMs.size() - 1, static_cast<std::size_t>(q * static_cast<double>(m_frameMs.size())))]; };
            m_out << fmt::format("frame-ms median {:.2f} p99 {:.2f} max {:.2f} over {} frames\n", at(0.5), at(0.99), m_frameMs.back(), m_frameMs.size());
            m_frameMs.clear();
        }
    }
    g_lastFrame.swap(g_thisFrame);
    g_thisFrame.clear();
}

// Returns true when the next step may run in the same frame.
bool TestScript::step(SDL_Window* window, bool haveData) {
    if (m_next >= m_lines.size()) {
        m_out.flush();
        m_done = true;
        return false;
    }
    const std::string& line = m_lines[m_next];
    const auto space = line.find(' ');
    const std::string command = line.substr(0, space);
    const std::string arg = space == std::string::npos ? std::string() : line.substr(space + 1);

    if (command == "wait-data") {
        if (!haveData) return false;
        ++m_next;
        m_waitFrames = 2;
        return false;
    }
    if (command == "wait-probes") {
        if (m_probesRunning) return false;
        ++m_next;
        m_waitFrames = 2;
        return false;
    }
    if (command == "frames") {
        ++m_next;
        m_waitFrames = std::max(0, std::atoi(arg.c_str()) - 1);
        return false;
    }
    if (command == "measure") {
        if (m_measureLeft > 0) return false;  // still measuring
        if (m_frameMs.empty() && m_tries == 0) {
            m_measureLeft = std::max(1, std::atoi(arg.c_str()));
            m_tries = 1;
            return false;
        }
        m_tries = 0;
        ++m_next;
        return true;
    }
    if (command == "idle") {
        const auto now = SDL_GetTicks64();
        if (m_idleUntil == 0) {
            m_idleUntil = now + static_cast<std::uint64_t>(std::max(1, std::atoi(arg.c_str())));
            m_idleFramesAtStart = m_frames;
            m_idleStartedAt = now;
            return false;
        }
        if (now < m_idleUntil) return false;
        m_out << fmt::format("idle-frames {} in {} ms\n", m_frames - m_idleFramesAtStart, now - m_idleStartedAt);
        m_idleUntil = 0;
        ++m_next;
        return true;
    }
    if (command == "dump") {
        m_out << "== " << arg << '\n' << fmt::format("line-height {:.0f}\n", ImGui::GetTextLineHeight());
        for (const auto& s : g_lastFrame)
            m_out << fmt::format("{}\t{:.0f}\t{:.0f}\t{:.0f}\t{:.0f}\t{}\n", s.role, s.min.x, s.min.y, s.max.x, s.max.y, s.text);
        m_out.flush();
        ++m_next;
        return true;
    }
    if (command == "dump-clipboard") {
        // The clipboard as another program would paste it, one "clipboard" item per line.
        m_out << "== " << arg << '\n';
        char* text = SDL_GetClipboardText();
        std::istringstream lines(text ? text : "");
        SDL_free(text);
        for (std::string l; std::getline(lines, l);) m_out << "clipboard\t0\t0\t0\t0\t" << l << '\n';
        m_out.flush();
        ++m_next;
        return true;
    }
    if (command == "click" || command == "ctrl-click" || command == "rclick" || command == "hover") {
        const auto roleEnd = arg.find(' ');
        const std::string role = arg.substr(0, roleEnd), text = roleEnd == std::string::npos ? "" : arg.substr(roleEnd + 1);
        const Seen* hit = nullptr;
        // "TEXT*" matches any text that starts with TEXT.
        const bool prefix = !text.empty() && text.back() == '*';
        const std::string want = prefix ? text.substr(0, text.size() - 1) : text;
        for (const auto& s : g_lastFrame)
            if (s.role == role && (prefix ? s.text.rfind(want, 0) == 0 : s.text == want)) hit = &s;
        if (!hit) {
            if (++m_tries > kFindTries) fail("no " + role + " '" + text + "' on screen to click");
            return false;
        }
        m_tries = 0;
        // A row spans every column: its middle can fall on a column border, where a press grabs
        // the resize handle instead of selecting. Aim at the row's own label, as a user does. A
        // cell's text may run past its column (clipped there): aim at its start too.
        const float aimX = role == "row" || role == "cell" ? std::min(hit->min.x + 12.0f, (hit->min.x + hit->max.x) / 2)
                                         : (hit->min.x + hit->max.x) / 2;
        const int x = static_cast<int>(aimX), y = static_cast<int>((hit->min.y + hit->max.y) / 2);
        // Move, press and release inside one frame, as a tap or a remote desktop delivers them.
        const bool ctrl = command == "ctrl-click";
        if (ctrl) pushKey(window, SDL_KEYDOWN, SDLK_LCTRL, KMOD_LCTRL);
        pushMouse(window, SDL_MOUSEMOTION, x, y);
        if (command != "hover") {
            const Uint8 button = command == "rclick" ? SDL_BUTTON_RIGHT : SDL_BUTTON_LEFT;
            pushMouse(window, SDL_MOUSEBUTTONDOWN, x, y, button);
            pushMouse(window, SDL_MOUSEBUTTONUP, x, y, button);
        }
        if (ctrl) pushKey(window, SDL_KEYUP, SDLK_LCTRL, KMOD_NONE);
        ++m_next;
        return false;
    }
    if (command == "type") {
        for (std::size_t i = 0; i < arg.size();) {
            SDL_Event e{};
            e.type = SDL_TEXTINPUT;
            e.text.windowID = SDL_GetWindowID(window);
            const std::size_t n = std::min(arg.size() - i, sizeof e.text.text - 1);
            arg.copy(e.text.text, n, i);
            SDL_PushEvent(&e);
            i += n;
        }
        ++m_next;
        return false;
    }
    // key [ctrl+]NAME
    std::string name = arg;
    Uint16 mod = KMOD_NONE;
    if (name.rfind("ctrl+", 0) == 0) {
        mod = KMOD_LCTRL;
        name = name.substr(5);
    }
    const SDL_Keycode key = SDL_GetKeyFromName(name.c_str());
    if (key == SDLK_UNKNOWN) {
        fail("unknown key " + arg);
        return false;
    }
    // As a keyboard sends them: Ctrl down, the key down and up, Ctrl up.
    auto push = [&](Uint32 type, SDL_Keycode k, Uint16 m) { pushKey(window, type, k, m); };
    if (mod) push(SDL_KEYDOWN, SDLK_LCTRL, mod);
    push(SDL_KEYDOWN, key, mod);
    push(SDL_KEYUP, key, mod);
    if (mod) push(SDL_KEYUP, SDLK_LCTRL, KMOD_NONE);
    ++m_next;
    return false;
}

}  // namespace ipcscope::gui
