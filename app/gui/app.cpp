// The monitor window: SDL2 + Dear ImGui on SDL_Renderer. The UI thread only draws the latest
// snapshot the sampler published; it never enumerates objects itself.
//
// Frames are drawn when something changed, not continuously: the loop sleeps in
// SDL_WaitEventTimeout until input arrives, the sampler publishes or a test message is sent (they
// push an SDL user event from their thread) or an animation runs (fading rows, a live probe graph).

#include "gui/gui.h"
#include "gui/events_view.h"
#include "gui/graph_view.h"
#include "gui/input.h"
#include "gui/mailslots_view.h"
#include "gui/throughput_view.h"
#include "gui/overview_view.h"
#include "gui/process_view.h"
#include "gui/settings.h"
#include "gui/send_form.h"
#include "gui/test_hook.h"
#include "gui/views.h"

#include "platform/collect.h"
#include "core/platform.h"
#include "core/render.h"
#include "platform/sampler.h"
#include "base/version.h"
#include "core/target.h"
#include "gui/chart.h"

#include <SDL.h>
#include <imgui.h>
#include <imgui_impl_sdl.h>
#include <imgui_impl_sdlrenderer.h>
#include <spdlog/spdlog.h>
#include <stb_image_write.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <thread>
#include <utility>
#include <vector>

namespace ipcscope::gui {
namespace {

using Clock = std::chrono::steady_clock;

// Redraw periods when no event arrives.
constexpr auto kGraphPeriod = std::chrono::milliseconds(50);   // a live probe graph
constexpr auto kFadePeriod = std::chrono::milliseconds(200);   // rows highlighted as new or fading out
constexpr auto kCaretPeriod = std::chrono::milliseconds(500);  // a text field has the blinking caret
constexpr auto kIdlePeriod = std::chrono::milliseconds(5000);  // nothing moves: a safety net only
// Dear ImGui settles hover, tab switches and popups one or two frames after the input.
constexpr int kFramesAfterInput = 2;
constexpr auto kScreenshotDeadline = std::chrono::seconds(60);

bool displayAvailable(std::string& why) {
#if defined(__linux__)
    const char* driver = std::getenv("SDL_VIDEODRIVER");
    if ((!driver || !*driver) && !std::getenv("DISPLAY") && !std::getenv("WAYLAND_DISPLAY")) {
        why = "no display found (neither DISPLAY nor WAYLAND_DISPLAY is set)";
        return false;
    }
#endif
    (void)why;
    return true;
}

/// Reads the renderer's current frame and writes it as PNG.
bool writeScreenshot(SDL_Renderer* renderer, const std::string& path, std::string& why) {
    int w = 0, h = 0;
    SDL_GetRendererOutputSize(renderer, &w, &h);
    std::vector<unsigned char> pixels(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 4);
    if (SDL_RenderReadPixels(renderer, nullptr, SDL_PIXELFORMAT_ABGR8888, pixels.data(), w * 4) != 0) {
        why = std::string("cannot read the frame back: ") + SDL_GetError();
        return false;
    }
    if (!stbi_write_png(path.c_str(), w, h, 4, pixels.data(), w * 4)) {
        why = "cannot write the screenshot to " + path;
        return false;
    }
    spdlog::info("wrote {}x{} screenshot to {}", w, h, path);
    return true;
}

std::string clockTime(std::chrono::system_clock::time_point t) {
    const std::time_t tt = std::chrono::system_clock::to_time_t(t);
    char buf[16] = {};
    std::strftime(buf, sizeof buf, "%H:%M:%S", std::localtime(&tt));
    return buf;
}

/// The log pane's sink on the default logger, for as long as the window lives. Everything that
/// logs from other threads (sampler, probe and mailslot workers) ends before this scope does.
class LogSinkScope {
public:
    LogSinkScope() : m_ring(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(500)) {
        m_ring->set_pattern("%H:%M:%S.%e [%l] %v");
        spdlog::default_logger()->sinks().push_back(m_ring);
        if (spdlog::get_level() > spdlog::level::info) spdlog::set_level(spdlog::level::info);
        // The stderr sink keeps the level the user chose; the log pane shows info and above.
        spdlog::default_logger()->sinks().front()->set_level(spdlog::level::warn);
    }
    ~LogSinkScope() {
        auto& sinks = spdlog::default_logger()->sinks();
        sinks.erase(std::remove(sinks.begin(), sinks.end(), m_ring), sinks.end());
    }
    LogSinkScope(const LogSinkScope&) = delete;
    LogSinkScope& operator=(const LogSinkScope&) = delete;
    [[nodiscard]] const std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt>& ring() const { return m_ring; }

private:
    std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> m_ring;
};

/// The SDL window and renderer with Dear ImGui on them.
class Window {
public:
    Window() = default;
    ~Window() {
        if (m_imgui) {
            ImGui_ImplSDLRenderer_Shutdown();
            ImGui_ImplSDL2_Shutdown();
            ImGui::DestroyContext();
        }
        if (m_renderer) SDL_DestroyRenderer(m_renderer);
        if (m_window) SDL_DestroyWindow(m_window);
    }
    Window(const Window&) = delete;
    Window& operator=(const Window&) = delete;

    /// Opens the window; on failure returns the exit code (1 or 2) with `why` set.
    int open(const Options& options, std::string& why) {
        m_window = SDL_CreateWindow("ipcscope", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, options.width,
                                    options.height, SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
        if (!m_window) {
            why = std::string("cannot open a window (") + SDL_GetError() + "); use 'ipcscope list' instead";
            return 2;
        }
        // SDL's software renderer draws into the window surface. On X11, SDL would by default
        // upload that surface to an OpenGL texture every frame to present it; without a GPU
        // (Xvfb, VNC, most VMs) that is Mesa's llvmpipe, which costs more than the drawing
        // itself. Put the surface on screen directly (XShm) instead. The environment variable
        // SDL_FRAMEBUFFER_ACCELERATION still wins.
        SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
        const Uint32 vsync = options.screenshot.empty() ? SDL_RENDERER_PRESENTVSYNC : 0;
        m_renderer = SDL_CreateRenderer(m_window, -1, SDL_RENDERER_ACCELERATED | vsync);
        if (!m_renderer) m_renderer = SDL_CreateRenderer(m_window, -1, SDL_RENDERER_SOFTWARE);
        if (!m_renderer) {
            why = std::string("cannot create a renderer (") + SDL_GetError() + ")";
            return 1;
        }
        SDL_RendererInfo info{};
        SDL_GetRendererInfo(m_renderer, &info);
        spdlog::info("ipcscope {} on {} ({}), renderer {}", base::version(), platform::hostName(),
                     core::platformName(platform::current()), info.name ? info.name : "?");
        IMGUI_CHECKVERSION();
        ImGui::CreateContext();
        m_software = (info.flags & SDL_RENDERER_SOFTWARE) != 0;
        ImGuiIO& io = ImGui::GetIO();
        // Screenshots are taken with the defaults; a normal run keeps its layout and settings.
        m_configDir = options.screenshot.empty() ? Settings::directory() : std::string();
        m_iniPath = m_configDir.empty() ? std::string() : m_configDir + "/imgui.ini";
        io.IniFilename = m_iniPath.empty() ? nullptr : m_iniPath.c_str();
        m_settings = Settings::load(m_configDir);
        applyTheme(m_settings.theme);
        flatOnSoftware();
        loadFont();
        io.FontGlobalScale = m_settings.fontScale;
        ImGui_ImplSDL2_InitForSDLRenderer(m_window);
        ImGui_ImplSDLRenderer_Init(m_renderer);
        m_imgui = true;
        return 0;
    }

    /// `noPointer`: a screenshot without a test script; wherever the display's pointer rests, it
    /// hovers nothing (no tooltip or highlighted card in the picture).
    void beginFrame(InputQueue& input, bool noPointer) {
        ImGui_ImplSDLRenderer_NewFrame();
        ImGui_ImplSDL2_NewFrame();
        input.apply(ImGui::GetIO());
        if (noPointer) ImGui::GetIO().MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
        ImGui::NewFrame();
    }
    void render() {
        ImGui::Render();
        SDL_SetRenderDrawColor(m_renderer, 30, 30, 34, 255);
        SDL_RenderClear(m_renderer);
        ImGui_ImplSDLRenderer_RenderDrawData(ImGui::GetDrawData());
    }
    void present() { SDL_RenderPresent(m_renderer); }
    [[nodiscard]] SDL_Window* sdl() const { return m_window; }
    [[nodiscard]] SDL_Renderer* renderer() const { return m_renderer; }
    [[nodiscard]] Settings& settings() { return m_settings; }
    /// Applies and saves the settings after a change.
    void settingsChanged() {
        applyTheme(m_settings.theme);
        flatOnSoftware();
        ImGui::GetIO().FontGlobalScale = m_settings.fontScale;
        m_settings.save(m_configDir);
    }

private:
    // The software renderer blits rectangles fast but rasterizes other triangles slowly: without
    // anti-aliasing, fills and lines are plain rectangles (frames, borders, backgrounds).
    void flatOnSoftware() {
        if (!m_software) return;
        ImGui::GetStyle().AntiAliasedFill = false;
        ImGui::GetStyle().AntiAliasedLines = false;
    }

    // DejaVu Sans (Debian's fonts-dejavu-core) where it exists, sized for the display's DPI;
    // Dear ImGui's built-in font otherwise.
    void loadFont() {
        float dpi = 96.0f;
        if (SDL_GetDisplayDPI(SDL_GetWindowDisplayIndex(m_window), &dpi, nullptr, nullptr) != 0 || dpi < 48.0f) dpi = 96.0f;
        const float size = std::round(15.0f * std::clamp(dpi / 96.0f, 1.0f, 3.0f));
        spdlog::debug("font at {} px", size);
        addUiFont(size);
    }

    std::string m_configDir;
    std::string m_iniPath;
    Settings m_settings;
    SDL_Window* m_window = nullptr;
    SDL_Renderer* m_renderer = nullptr;
    bool m_imgui = false;
    bool m_software = false;
};

/// The sampler and the views: everything that runs worker threads. Its lifetime ends before
/// logging is torn down and before SDL quits.
class Monitor {
public:
    Monitor(const Options& options, Window& window, const LogSinkScope& logSink, Uint32 wakeEvent)
        : m_options(options), m_window(window), m_sampler(sampledFamilies(), std::chrono::milliseconds(options.intervalMs)),
          m_log(logSink.ring()), m_select(options.tab) {
        if (!options.sendTarget.empty()) m_sendForm.open(options.sendTarget);
        const auto wake = [wakeEvent] {
            SDL_Event e{};
            e.type = wakeEvent;
            SDL_PushEvent(&e);
        };
        m_sampler.setOnPublish(wake);
        m_sendForm.setOnResult(wake);
        m_objects.setActions({[this](std::int64_t pid) {
                                  m_processes.open(pid);
                                  m_select = "processes";
                              },
                              [this](const core::IpcObject& obj) {
                                  if (auto target = core::targetOf(obj)) m_sendForm.open(*target);
                                  else spdlog::warn("{} takes no test message", obj.name);
                              }});
        m_probes.configure(options.probeSweep, options.probePingPong, options.probeMegabytes, options.probeSeconds, options.probeDir);
        if (!options.probe.empty() && !m_probes.start(options.probe))
            spdlog::warn("unknown probe transport {}", options.probe);
    }
    ~Monitor() {
        m_sampler.setOnPublish({});
        m_sendForm.setOnResult({});
    }
    Monitor(const Monitor&) = delete;
    Monitor& operator=(const Monitor&) = delete;

    /// Takes the latest snapshot; true when it is new.
    bool takeSnapshot() {
        m_snap = m_sampler.latest();
        if (!m_snap || m_sampler.generation() == m_seenGeneration) return false;
        m_seenGeneration = m_sampler.generation();
        m_objects.onSnapshot(*m_snap);
        m_overview.onSnapshot(*m_snap);
        m_processes.onSnapshot(m_snap);
        m_graph.onSnapshot(m_snap);
        m_events.add(m_objects.changes());
        if (m_snap->errors.size() != m_lastErrors)
            for (const auto& e : m_snap->errors) spdlog::warn("{}", e.error.message());
        m_lastErrors = m_snap->errors.size();
        spdlog::info("refreshed: {} objects in {:.1f} ms", m_snap->objects.size(),
                     static_cast<double>(m_snap->duration.count()) / 1000.0);
        return true;
    }

    void draw() {
        const ImGuiViewport* vp = ImGui::GetMainViewport();
        ImGui::SetNextWindowPos(vp->WorkPos);
        ImGui::SetNextWindowSize(vp->WorkSize);
        ImGui::Begin("ipcscope", nullptr,
                     ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                         ImGuiWindowFlags_NoBringToFrontOnFocus);
        handleShortcuts();
        m_objects.pollPeek();
        drawToolbar();
        const float logHeight = 140.0f;
        const float statusHeight = ImGui::GetFrameHeightWithSpacing();
        ImGui::BeginChild("main", ImVec2(0, -(logHeight + statusHeight)));
        drawTabs();
        ImGui::EndChild();
        ImGui::BeginChild("log", ImVec2(0, logHeight), true);
        m_log.draw();
        ImGui::EndChild();
        drawStatus();
        ImGui::End();
        m_sendForm.draw();
    }

    /// How soon the next frame is due when no event arrives: something on screen moves by
    /// itself (a live probe graph, a fading row) or nothing does.
    [[nodiscard]] std::chrono::milliseconds redrawPeriod() const {
        if (m_probes.running() || m_objects.peeking()) return kGraphPeriod;
        if (m_shownFamily && m_objects.animating(*m_shownFamily)) return kFadePeriod;
        if (ImGui::GetIO().WantTextInput) return kCaretPeriod;
        return kIdlePeriod;
    }
    [[nodiscard]] bool haveSnapshot() const { return m_snap != nullptr; }
    [[nodiscard]] bool probeRunning() const { return m_probes.running(); }

private:
    static core::Selection sampledFamilies() {
        core::Selection here;  // greyed-out tabs are not sampled
        for (core::Family f : core::kAllFamilies)
            if (core::familySupported(f, platform::current())) here.families.push_back(f);
        return here;
    }

    void drawToolbar() {
        if (ImGui::Button("Refresh")) m_sampler.refreshNow();
        ImGui::SameLine();
        if (ImGui::Checkbox("Pause", &m_paused)) m_sampler.setPaused(m_paused);
        ImGui::SameLine();
        int interval = static_cast<int>(m_sampler.interval().count());
        ImGui::SetNextItemWidth(140);
        if (ImGui::SliderInt("interval ms", &interval, 250, 10000)) m_sampler.setInterval(std::chrono::milliseconds(interval));
        ImGui::SameLine();
        if (m_snap && ImGui::Button("Copy snapshot as JSON")) SDL_SetClipboardText(core::renderJson(*m_snap).c_str());
        ImGui::SameLine();
        if (ImGui::Button("Settings")) ImGui::OpenPopup("settings");
        ImGui::SameLine();
        if (ImGui::Button("About")) ImGui::OpenPopup("About ipcscope");
        noteItem("about-button", "About");
        drawSettings();
        drawAbout();
    }

    void drawSettings() {
        if (!ImGui::BeginPopup("settings")) return;
        Settings& s = m_window.settings();
        bool changed = false;
        ImGui::SetNextItemWidth(160);
        changed |= ImGui::SliderFloat("font scale", &s.fontScale, 0.75f, 2.0f, "%.2f");
        int theme = s.theme == "light" ? 1 : s.theme == "classic" ? 2 : 0;
        ImGui::SetNextItemWidth(160);
        if (ImGui::Combo("theme", &theme, "dark\0light\0classic\0")) {
            s.theme = theme == 1 ? "light" : theme == 2 ? "classic" : "dark";
            changed = true;
        }
        ImGui::TextDisabled("Ctrl+= / Ctrl+- change the font scale. Saved in %s",
                            Settings::directory().empty() ? "(no config directory)" : Settings::directory().c_str());
        if (changed) m_window.settingsChanged();
        ImGui::EndPopup();
    }

    static void drawAbout() {
        if (!ImGui::BeginPopupModal("About ipcscope", nullptr, ImGuiWindowFlags_AlwaysAutoResize)) return;
        SDL_version sdl{};
        SDL_GetVersion(&sdl);
        const std::string text = aboutText(sdl);
        ImGui::TextUnformatted(text.c_str());
        noteItem("about", text);
        if (ImGui::Button("Copy")) SDL_SetClipboardText(text.c_str());
        ImGui::SameLine();
        if (ImGui::Button("Close") || ImGui::IsKeyPressed(SDL_SCANCODE_ESCAPE)) ImGui::CloseCurrentPopup();
        ImGui::EndPopup();
    }

    static std::string aboutText(const SDL_version& sdl) {
        std::string t = "ipcscope " + std::string(base::version()) + "\nSee inter-process communication: pipes, sockets, shared memory, mailslots, clipboard.\n\n";
        t += "platform: " + std::string(core::platformName(platform::current())) + "\n";
#if defined(__clang__)
        t += "compiler: clang " __clang_version__ "\n";
#elif defined(__GNUC__)
        t += "compiler: gcc " __VERSION__ "\n";
#endif
#ifdef NDEBUG
        t += "build: release\n";
#else
        t += "build: debug\n";
#endif
        t += "Dear ImGui " IMGUI_VERSION ", SDL " + std::to_string(sdl.major) + "." + std::to_string(sdl.minor) + "." +
             std::to_string(sdl.patch);
        return t;
    }

    // Ctrl+F filter, F5 refresh, Space pause, Ctrl+1..9 tabs, Ctrl+= / Ctrl+- font scale.
    void handleShortcuts() {
        const ImGuiIO& io = ImGui::GetIO();
        if (ImGui::IsKeyPressed(SDL_SCANCODE_F5, false)) {
            m_sampler.refreshNow();
            spdlog::info("refresh (F5)");
        }
        if (!io.WantTextInput && !io.KeyCtrl && ImGui::IsKeyPressed(SDL_SCANCODE_SPACE, false)) {
            m_paused = !m_paused;
            m_sampler.setPaused(m_paused);
        }
        if (!io.KeyCtrl) return;
        if (ImGui::IsKeyPressed(SDL_SCANCODE_F, false)) {
            m_objects.focusFilter();
            if (!m_shownFamily) m_select = "pipes";
        }
        const std::vector<std::string> tabs = tabNames();
        for (int n = 0; n < 9 && n < static_cast<int>(tabs.size()); ++n)
            if (ImGui::IsKeyPressed(SDL_SCANCODE_1 + n, false)) m_select = tabs[static_cast<std::size_t>(n)];
        Settings& s = m_window.settings();
        const float before = s.fontScale;
        if (ImGui::IsKeyPressed(SDL_SCANCODE_EQUALS, false) || ImGui::IsKeyPressed(SDL_SCANCODE_KP_PLUS, false))
            s.fontScale = std::min(2.0f, s.fontScale + 0.1f);
        if (ImGui::IsKeyPressed(SDL_SCANCODE_MINUS, false) || ImGui::IsKeyPressed(SDL_SCANCODE_KP_MINUS, false))
            s.fontScale = std::max(0.75f, s.fontScale - 0.1f);
        if (s.fontScale != before) m_window.settingsChanged();
    }

    /// The tabs in their order (what Ctrl+1..9 select).
    static std::vector<std::string> tabNames() {
        std::vector<std::string> t{"overview", "processes", "graph"};
        for (core::Family f : core::kAllFamilies)
            if (core::familySupported(f, platform::current()) || f == core::Family::Mailslots) t.emplace_back(core::familyName(f));
        t.emplace_back("changes");
        t.emplace_back("throughput");
        return t;
    }

    void drawTabs() {
        if (!ImGui::BeginTabBar("families")) return;
        // A tab asked for (at start, by a click on an overview card, by a shortcut) is selected once.
        const std::string select = std::exchange(m_select, std::string());
        auto flags = [&](std::string_view label) { return select == label ? ImGuiTabItemFlags_SetSelected : 0; };
        const auto here = platform::current();
        m_shownFamily.reset();
        if (beginTab("Overview", flags("overview"))) {
            if (auto f = m_overview.draw(m_snap.get())) m_select = std::string(core::familyName(*f));
            ImGui::EndTabItem();
        }
        if (beginTab("Processes", flags("processes"))) {
            m_processes.draw();
            ImGui::EndTabItem();
        }
        if (beginTab("Graph", flags("graph"))) {
            if (auto pid = m_graph.draw(m_processes.selected())) {
                m_processes.open(*pid);
                m_select = "processes";
            }
            ImGui::EndTabItem();
        }
        for (core::Family f : core::kAllFamilies) {
            // The mailslot LAN monitor and broadcast form work everywhere, local mailslots only on Windows.
            const bool supported = core::familySupported(f, here) || f == core::Family::Mailslots;
            ImGui::BeginDisabled(!supported);
            const std::string label = std::string(core::familyName(f));
            if (beginTab(label.c_str(), flags(label))) {
                if (f == core::Family::Mailslots) {
                    m_mailslots.draw(m_snap.get(), m_objects);
                } else if (!m_snap) {
                    ImGui::TextDisabled("taking the first snapshot...");
                } else {
                    m_objects.draw(*m_snap, f);
                    m_shownFamily = f;
                }
                ImGui::EndTabItem();
            }
            ImGui::EndDisabled();
            if (!supported && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
                ImGui::SetTooltip("%s: not supported on %s", label.c_str(), std::string(core::platformName(here)).c_str());
        }
        if (beginTab("Changes", flags("changes"))) {
            m_events.draw();
            ImGui::EndTabItem();
        }
        if (beginTab("Throughput", flags("throughput"))) {
            m_probes.draw();
            ImGui::EndTabItem();
        }
        ImGui::EndTabBar();
    }

    /// BeginTabItem, noted for the test hook.
    static bool beginTab(const char* label, ImGuiTabItemFlags flags) {
        const bool open = ImGui::BeginTabItem(label, nullptr, flags);
        noteItem(open ? "tab-selected" : "tab", label);
        return open;
    }

    // Host, platform, elevation, last refresh and its duration.
    void drawStatus() {
        if (!m_snap) {
            ImGui::TextDisabled("%s | waiting for the first snapshot", platform::hostName().c_str());
            return;
        }
        ImGui::Text("%s | %s | %s | refreshed at %s in %.1f ms | %zu objects | %zu errors%s", m_snap->host.c_str(),
                    std::string(core::platformName(m_snap->platform)).c_str(), m_snap->elevated ? "elevated" : "not elevated",
                    clockTime(m_snap->takenAt).c_str(), static_cast<double>(m_snap->duration.count()) / 1000.0,
                    m_snap->objects.size(), m_snap->errors.size(), m_sampler.busy() ? " | refreshing..." : "");
        if (m_snap->deniedProcesses > 0) {
            ImGui::SameLine();
            ImGui::TextColored(ImVec4(1, 0.7f, 0.3f, 1), "| %u processes hidden: run as %s", m_snap->deniedProcesses,
                               m_snap->platform == core::Platform::Windows ? "administrator" : "root");
        }
        if (m_snap->unexaminedHandles > 0) {
            ImGui::SameLine();
            ImGui::TextColored(ImVec4(1, 0.7f, 0.3f, 1), "| %u handles unexamined", m_snap->unexaminedHandles);
            if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", m_snap->unexaminedWhy.c_str());
        }
    }

    const Options& m_options;
    Window& m_window;
    core::Sampler m_sampler;
    ObjectsView m_objects;
    SendForm m_sendForm;  // "Send test message...", from a row's context menu
    MailslotsView m_mailslots;
    ThroughputView m_probes;
    LogView m_log;
    std::shared_ptr<const core::Snapshot> m_snap;
    OverviewView m_overview;
    ProcessView m_processes;
    GraphView m_graph;
    EventsView m_events;
    std::string m_select;  // tab to select in the next frame
    std::optional<core::Family> m_shownFamily;
    bool m_paused = false;
    std::uint64_t m_seenGeneration = 0;
    std::size_t m_lastErrors = 0;
};

struct Pumped {
    int input = 0;  ///< input and window events
    int wakes = 0;  ///< a worker woke the loop (a new snapshot, a send result)
};

/// Drains the SDL events (waiting up to `timeoutMs` for the first); sets `quit` when the window
/// is to close.
Pumped pumpEvents(SDL_Window* window, Uint32 wakeEvent, InputQueue& input, int timeoutMs, bool& quit) {
    SDL_Event ev;
    Pumped n;
    bool got = timeoutMs > 0 ? SDL_WaitEventTimeout(&ev, timeoutMs) != 0 : SDL_PollEvent(&ev) != 0;
    while (got) {
        if (ev.type == wakeEvent) {
            ++n.wakes;
            got = SDL_PollEvent(&ev) != 0;
            continue;
        }
        ++n.input;
        if (!input.take(ev)) ImGui_ImplSDL2_ProcessEvent(&ev);
        if (ev.type == SDL_QUIT) quit = true;
        if (ev.type == SDL_WINDOWEVENT && ev.window.event == SDL_WINDOWEVENT_CLOSE &&
            ev.window.windowID == SDL_GetWindowID(window))
            quit = true;
        got = SDL_PollEvent(&ev) != 0;
    }
    return n;
}

/// The frame loop. Returns the exit code.
int frameLoop(const Options& options, Window& window, Monitor& monitor, TestScript& script, Uint32 wakeEvent) {
    InputQueue input;
    const bool shot = !options.screenshot.empty();
    const auto started = Clock::now();
    auto lastFrame = Clock::time_point{};
    int framesOwed = kFramesAfterInput;
    int framesWithData = 0;
    bool quit = false;
    std::string why;
    // With a test script, the screenshot is of the frame after its last step.
    bool scriptFinished = false;
    while (!quit) {
        if (script.active()) script.beforeFrame(window.sdl(), monitor.haveSnapshot(), monitor.probeRunning());
        if (script.done()) {
            if (!shot || script.exitCode() != 0) return script.exitCode();
            scriptFinished = true;
        }

        // Screenshots and running test steps draw back to back; otherwise wait for a reason to draw.
        const bool drawNow = shot || (script.active() && !script.idling()) || framesOwed > 0 || input.pending();
        const auto period = monitor.redrawPeriod();
        const auto sinceLast = Clock::now() - lastFrame;
        const int timeoutMs = drawNow ? 0
                                      : static_cast<int>(std::max<std::int64_t>(
                                            1, std::chrono::duration_cast<std::chrono::milliseconds>(period - sinceLast).count()));
        const Pumped events = pumpEvents(window.sdl(), wakeEvent, input, sinceLast >= period ? 0 : timeoutMs, quit);
        // Input gets the frames Dear ImGui needs to settle; a new snapshot needs one.
        if (events.input > 0) framesOwed = std::max(framesOwed, kFramesAfterInput + 1);
        const bool fresh = monitor.takeSnapshot();
        // A wake without a new snapshot is a worker's result (a test message sent): draw it.
        if (!drawNow && events.input == 0 && events.wakes == 0 && !fresh && Clock::now() - lastFrame < period) continue;

        // Queued input is fed one share per frame: a click acts in the frame that takes its
        // release, so the frames owed to input count from the last frame that took some.
        const bool takesInput = input.pending();
        window.beginFrame(input, shot && !script.active() && !scriptFinished);
        monitor.draw();
        window.render();
        lastFrame = Clock::now();
        if (framesOwed > 0) --framesOwed;
        if (takesInput) framesOwed = std::max(framesOwed, kFramesAfterInput);

        if (shot) {
            if (monitor.haveSnapshot()) ++framesWithData;
            const bool timedOut = Clock::now() - started > kScreenshotDeadline;
            // A probe started at launch is pictured once it has finished.
            const bool ready = script.done() ? scriptFinished : framesWithData >= options.frames && !monitor.probeRunning();
            if ((ready && !script.active()) || timedOut) {
                if (timedOut && !monitor.haveSnapshot()) {
                    std::fprintf(stderr, "ipcscope: no snapshot arrived within 60 s; the screenshot was not written\n");
                    return 1;
                }
                if (!writeScreenshot(window.renderer(), options.screenshot, why)) {
                    std::fprintf(stderr, "ipcscope: %s\n", why.c_str());
                    return 1;
                }
                return 0;
            }
            if (!monitor.haveSnapshot()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        window.present();
        if (script.active()) script.afterFrame();
    }
    return 0;
}

bool screenshotPathWritable(const std::string& path) {
    if (path.empty()) return true;
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return false;
    std::fclose(f);
    return true;
}

}  // namespace

int run(const Options& options) {
    std::string why;
    if (!displayAvailable(why) || SDL_Init(SDL_INIT_VIDEO | SDL_INIT_TIMER) != 0) {
        if (why.empty()) why = std::string("no display available (") + SDL_GetError() + ")";
        std::fprintf(stderr, "ipcscope: %s; use 'ipcscope list' (or 'ipcscope list --json') to see the same snapshot in the terminal\n",
                     why.c_str());
        return 2;
    }
    // Fail on an unwritable screenshot path or a bad test script before any rendering work.
    TestScript script;
    if (!screenshotPathWritable(options.screenshot)) {
        why = "cannot write the screenshot to " + options.screenshot;
    } else if (!options.testScript.empty()) {
        script.load(options.testScript, options.testOutput, why);
    }
    if (!why.empty()) {
        std::fprintf(stderr, "ipcscope: %s\n", why.c_str());
        SDL_Quit();
        return 1;
    }
    const Uint32 wakeEvent = SDL_RegisterEvents(1);
    int exitCode = 0;
    {
        LogSinkScope logSink;
        Window window;
        if (int rc = window.open(options, why); rc != 0) {
            std::fprintf(stderr, "ipcscope: %s\n", why.c_str());
            exitCode = rc;
        } else {
            // The workers end here, before the window, the log sink and SDL go away.
            Monitor monitor(options, window, logSink, wakeEvent);
            exitCode = frameLoop(options, window, monitor, script, wakeEvent);
        }
    }
    SDL_Quit();
    return exitCode;
}

}  // namespace ipcscope::gui
