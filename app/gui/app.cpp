// The monitor window: SDL2 + Dear ImGui on SDL_Renderer. The UI thread only draws the latest
// snapshot the sampler published; it never enumerates objects itself.

#include "gui/gui.h"
#include "gui/mailslots_view.h"
#include "gui/probes_view.h"
#include "gui/views.h"

#include "core/collect.h"
#include "core/platform.h"
#include "core/render.h"
#include "core/sampler.h"

#include <SDL.h>
#include <imgui.h>
#include <imgui_impl_sdl.h>
#include <imgui_impl_sdlrenderer.h>
#include <spdlog/spdlog.h>
#include <stb_image_write.h>

#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

namespace ipcscope::gui {
namespace {

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
bool writeScreenshot(SDL_Renderer* renderer, int w, int h, const std::string& path, std::string& why) {
    std::vector<unsigned char> pixels(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 4);
    if (SDL_RenderReadPixels(renderer, nullptr, SDL_PIXELFORMAT_ABGR8888, pixels.data(), w * 4) != 0) {
        why = std::string("cannot read the frame back: ") + SDL_GetError();
        return false;
    }
    if (!stbi_write_png(path.c_str(), w, h, 4, pixels.data(), w * 4)) {
        why = "cannot write the screenshot to " + path;
        return false;
    }
    return true;
}

std::string ago(std::chrono::system_clock::time_point t) {
    const auto s = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now() - t).count();
    return std::to_string(s) + " s ago";
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
    // Fail on an unwritable screenshot path before any rendering work.
    if (!options.screenshot.empty()) {
        if (FILE* f = std::fopen(options.screenshot.c_str(), "wb")) {
            std::fclose(f);
        } else {
            std::fprintf(stderr, "ipcscope: cannot write the screenshot to %s\n", options.screenshot.c_str());
            SDL_Quit();
            return 1;
        }
    }

    auto ring = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(500);
    ring->set_pattern("%H:%M:%S.%e [%l] %v");
    spdlog::default_logger()->sinks().push_back(ring);
    if (spdlog::get_level() > spdlog::level::info) spdlog::set_level(spdlog::level::info);
    // The stderr sink keeps the level the user chose; the log pane shows info and above.
    spdlog::default_logger()->sinks().front()->set_level(spdlog::level::warn);

    const bool shot = !options.screenshot.empty();
    SDL_Window* window = SDL_CreateWindow("ipcscope", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, options.width,
                                          options.height, SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
    if (!window) {
        std::fprintf(stderr, "ipcscope: cannot open a window (%s); use 'ipcscope list' instead\n", SDL_GetError());
        SDL_Quit();
        return 2;
    }
    SDL_Renderer* renderer = SDL_CreateRenderer(window, -1, SDL_RENDERER_ACCELERATED | (shot ? 0 : SDL_RENDERER_PRESENTVSYNC));
    if (!renderer) renderer = SDL_CreateRenderer(window, -1, SDL_RENDERER_SOFTWARE);
    if (!renderer) {
        std::fprintf(stderr, "ipcscope: cannot create a renderer (%s)\n", SDL_GetError());
        SDL_DestroyWindow(window);
        SDL_Quit();
        return 1;
    }
    SDL_RendererInfo rinfo{};
    SDL_GetRendererInfo(renderer, &rinfo);
    spdlog::info("ipcscope {} on {} ({}), renderer {}", IPCSCOPE_VERSION, platform::hostName(),
                 core::platformName(platform::current()), rinfo.name ? rinfo.name : "?");

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    ImGui::StyleColorsDark();
    ImGui_ImplSDL2_InitForSDLRenderer(window);
    ImGui_ImplSDLRenderer_Init(renderer);

    core::Selection everythingHere;  // greyed-out tabs are not sampled
    for (core::Family f : core::kAllFamilies)
        if (core::familySupported(f, platform::current())) everythingHere.families.push_back(f);
    core::Sampler sampler(everythingHere, std::chrono::milliseconds(options.intervalMs));
    ObjectsView objects;
    if (!options.sendTarget.empty()) objects.openSendForm(options.sendTarget);
    MailslotsView mailslots;
    ProbesView probes;
    if (!options.probe.empty() && !probes.start(options.probe)) spdlog::warn("unknown probe transport {}", options.probe);
    LogView log(ring);
    const auto here = platform::current();
    core::Family wanted = core::parseFamily(options.tab).value_or(core::Family::Pipes);
    bool selectWanted = true;
    std::uint64_t seenGeneration = 0;
    std::size_t lastErrors = 0;
    int framesWithData = 0;
    const auto started = std::chrono::steady_clock::now();
    int exitCode = 0;
    bool running = true;
    bool paused = false;

    while (running) {
        SDL_Event ev;
        while (SDL_PollEvent(&ev)) {
            ImGui_ImplSDL2_ProcessEvent(&ev);
            if (ev.type == SDL_QUIT) running = false;
            if (ev.type == SDL_WINDOWEVENT && ev.window.event == SDL_WINDOWEVENT_CLOSE &&
                ev.window.windowID == SDL_GetWindowID(window))
                running = false;
        }
        auto snap = sampler.latest();
        if (snap && sampler.generation() != seenGeneration) {
            seenGeneration = sampler.generation();
            objects.onSnapshot(*snap);
            if (snap->errors.size() != lastErrors)
                for (const auto& e : snap->errors) spdlog::warn("{}", e.error.message());
            lastErrors = snap->errors.size();
            spdlog::info("refreshed: {} objects in {:.1f} ms", snap->objects.size(),
                         static_cast<double>(snap->duration.count()) / 1000.0);
        }

        ImGui_ImplSDLRenderer_NewFrame();
        ImGui_ImplSDL2_NewFrame();
        ImGui::NewFrame();
        const ImGuiViewport* vp = ImGui::GetMainViewport();
        ImGui::SetNextWindowPos(vp->WorkPos);
        ImGui::SetNextWindowSize(vp->WorkSize);
        ImGui::Begin("ipcscope", nullptr,
                     ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                         ImGuiWindowFlags_NoBringToFrontOnFocus);

        if (ImGui::Button("Refresh")) sampler.refreshNow();
        ImGui::SameLine();
        if (ImGui::Checkbox("Pause", &paused)) sampler.setPaused(paused);
        ImGui::SameLine();
        int interval = static_cast<int>(sampler.interval().count());
        ImGui::SetNextItemWidth(140);
        if (ImGui::SliderInt("interval ms", &interval, 250, 10000)) sampler.setInterval(std::chrono::milliseconds(interval));
        ImGui::SameLine();
        if (snap && ImGui::Button("Copy snapshot as JSON")) SDL_SetClipboardText(core::renderJson(*snap).c_str());

        const float logHeight = 140.0f;
        const float statusHeight = ImGui::GetFrameHeightWithSpacing();
        ImGui::BeginChild("main", ImVec2(0, -(logHeight + statusHeight)));
        if (ImGui::BeginTabBar("families")) {
            for (core::Family f : core::kAllFamilies) {
                // The mailslot LAN monitor and broadcast form work everywhere, local mailslots only on Windows.
                const bool supported = core::familySupported(f, here) || f == core::Family::Mailslots;
                ImGui::BeginDisabled(!supported);
                ImGuiTabItemFlags tf = (selectWanted && f == wanted) ? ImGuiTabItemFlags_SetSelected : 0;
                const std::string label = std::string(core::familyName(f));
                if (ImGui::BeginTabItem(label.c_str(), nullptr, tf)) {
                    if (f == core::Family::Mailslots) mailslots.draw(snap.get(), objects);
                    else if (!snap) ImGui::TextDisabled("taking the first snapshot...");
                    else objects.draw(*snap, f);
                    ImGui::EndTabItem();
                }
                ImGui::EndDisabled();
                if (!supported && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
                    ImGui::SetTooltip("%s: not supported on %s", label.c_str(), std::string(core::platformName(here)).c_str());
            }
            if (ImGui::BeginTabItem("Throughput", nullptr, (selectWanted && options.tab == "throughput") ? ImGuiTabItemFlags_SetSelected : 0)) {
                probes.draw();
                ImGui::EndTabItem();
            }
            selectWanted = false;
            ImGui::EndTabBar();
        }
        ImGui::EndChild();
        ImGui::BeginChild("log", ImVec2(0, logHeight), true);
        log.draw();
        ImGui::EndChild();

        // Status bar: host, platform, elevation, last refresh and its duration.
        if (snap) {
            ImGui::Text("%s | %s | %s | refreshed %s in %.1f ms | %zu objects | %zu errors%s",
                        snap->host.c_str(), std::string(core::platformName(snap->platform)).c_str(),
                        snap->elevated ? "elevated" : "not elevated", ago(snap->takenAt).c_str(),
                        static_cast<double>(snap->duration.count()) / 1000.0, snap->objects.size(), snap->errors.size(),
                        sampler.busy() ? " | refreshing..." : "");
            if (snap->deniedProcesses > 0) {
                ImGui::SameLine();
                ImGui::TextColored(ImVec4(1, 0.7f, 0.3f, 1), "| %u processes hidden: run as %s",
                                   snap->deniedProcesses, snap->platform == core::Platform::Windows ? "administrator" : "root");
            }
        } else {
            ImGui::TextDisabled("%s | waiting for the first snapshot", platform::hostName().c_str());
        }
        ImGui::End();

        ImGui::Render();
        SDL_SetRenderDrawColor(renderer, 30, 30, 34, 255);
        SDL_RenderClear(renderer);
        ImGui_ImplSDLRenderer_RenderDrawData(ImGui::GetDrawData());

        if (shot) {
            if (snap) ++framesWithData;
            const bool timedOut = std::chrono::steady_clock::now() - started > std::chrono::seconds(60);
            // A probe started at launch is pictured once it has finished.
            if ((framesWithData >= options.frames && !probes.running()) || timedOut) {
                int w = 0, h = 0;
                SDL_GetRendererOutputSize(renderer, &w, &h);
                if (timedOut && !snap) {
                    std::fprintf(stderr, "ipcscope: no snapshot arrived within 60 s; the screenshot was not written\n");
                    exitCode = 1;
                } else if (!writeScreenshot(renderer, w, h, options.screenshot, why)) {
                    std::fprintf(stderr, "ipcscope: %s\n", why.c_str());
                    exitCode = 1;
                } else {
                    spdlog::info("wrote {}x{} screenshot to {}", w, h, options.screenshot);
                }
                running = false;
            }
        }
        SDL_RenderPresent(renderer);
        if (shot && !snap) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }

    ImGui_ImplSDLRenderer_Shutdown();
    ImGui_ImplSDL2_Shutdown();
    ImGui::DestroyContext();
    SDL_DestroyRenderer(renderer);
    SDL_DestroyWindow(window);
    SDL_Quit();
    auto& sinks = spdlog::default_logger()->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), ring), sinks.end());
    return exitCode;
}

}  // namespace ipcscope::gui
