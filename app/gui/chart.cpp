#include "gui/chart.h"

#include <SDL.h>
#include <fmt/format.h>
#include <imgui_impl_sdlrenderer.h>
#include <stb_image_write.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>

namespace ipcscope::gui {
namespace {

using core::Errc;
using core::Error;

/// The transports in the order of their colours; another name gets a colour from its hash.
constexpr std::string_view kKnownTransports[] = {"shm", "pipe", "unix", "tcp", "udp"};

}  // namespace

ImU32 transportColour(std::string_view transport) {
    static const ImU32 kColours[] = {IM_COL32(230, 140, 40, 255), IM_COL32(80, 190, 90, 255), IM_COL32(170, 110, 230, 255),
                                     IM_COL32(70, 150, 240, 255), IM_COL32(230, 80, 80, 255),  IM_COL32(40, 180, 180, 255)};
    constexpr std::size_t kCount = sizeof kColours / sizeof kColours[0];
    for (std::size_t i = 0; i < std::size(kKnownTransports); ++i)
        if (kKnownTransports[i] == transport) return kColours[i];
    std::size_t h = 0;
    for (char c : transport) h = h * 31 + static_cast<unsigned char>(c);
    return kColours[h % kCount];
}

double niceStep(double top, int ticks) {
    const double raw = std::max(top, 1e-9) / ticks;
    const double p = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0})
        if (m * p >= raw) return m * p;
    return 10 * p;
}

std::string tickLabel(double value, double step) {
    const int decimals = step >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(step) - 1e-9));
    return fmt::format("{:.{}f}", value, decimals);
}

std::string sizeLabel(std::uint64_t bytes) {
    if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) return fmt::format("{} MiB", bytes >> 20);
    if (bytes >= 1024 && bytes % 1024 == 0) return fmt::format("{} KiB", bytes >> 10);
    return fmt::format("{} B", bytes);
}

void addUiFont(float pixels) {
    for (const char* path : {"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "C:\\Windows\\Fonts\\segoeui.ttf"}) {
        if (FILE* f = std::fopen(path, "rb")) {
            std::fclose(f);
            if (ImGui::GetIO().Fonts->AddFontFromFileTTF(path, pixels)) return;
        }
    }
    ImGui::GetIO().Fonts->AddFontDefault();
}

void drawAxes(ImDrawList* dl, ImVec2 origin, ImVec2 p0, ImVec2 p1, ImU32 colour, const char* xUnit, float xUnitGap) {
    dl->AddLine(p0, ImVec2(p0.x, p1.y), colour);
    dl->AddLine(ImVec2(p0.x, p1.y), p1, colour);
    dl->AddText(ImVec2(origin.x + 4, p0.y), colour, "MiB/s");
    dl->AddText(ImVec2((p0.x + p1.x - ImGui::CalcTextSize(xUnit).x) / 2, p1.y + xUnitGap), colour, xUnit);
}

void drawSweepChart(ImDrawList* dl, ImVec2 origin, ImVec2 size, const std::vector<core::SweepCurve>& curves) {
    const float left = 80, bottom = 40, top = 10, right = 20;
    const ImVec2 p0(origin.x + left, origin.y + top), p1(origin.x + size.x - right, origin.y + size.y - bottom);
    if (p1.x <= p0.x + 10 || p1.y <= p0.y + 10) return;
    const ImU32 axis = ImGui::GetColorU32(ImGuiCol_Text), grid = ImGui::GetColorU32(ImGuiCol_Border);

    // x: log2 of the message size, whole powers of two at the ends.
    double xMin = 1e300, xMax = -1e300, yMax = 1;
    for (const auto& c : curves)
        for (const auto& p : c.points) {
            if (p.messageSize == 0) continue;
            xMin = std::min(xMin, std::log2(static_cast<double>(p.messageSize)));
            xMax = std::max(xMax, std::log2(static_cast<double>(p.messageSize)));
            yMax = std::max(yMax, p.mibPerSecond);
        }
    if (xMin > xMax) xMin = 6, xMax = 22;  // nothing yet: 64 B to 4 MiB
    xMin = std::floor(xMin);
    xMax = std::ceil(xMax);
    if (xMax - xMin < 2) xMin -= 1, xMax += 1;
    const double yStep = niceStep(yMax * 1.05, 5);
    const double yTop = std::ceil(yMax * 1.05 / yStep) * yStep;
    auto toScreen = [&](double lx, double y) {
        return ImVec2(p0.x + static_cast<float>((lx - xMin) / (xMax - xMin)) * (p1.x - p0.x),
                      p1.y - static_cast<float>(y / yTop) * (p1.y - p0.y));
    };
    std::string label;
    for (double y = 0; y <= yTop + yStep / 2; y += yStep) {
        const ImVec2 a = toScreen(xMin, y);
        dl->AddLine(a, ImVec2(p1.x, a.y), grid);
        label = tickLabel(y, yStep);
        const ImVec2 sz = ImGui::CalcTextSize(label.c_str());
        dl->AddText(ImVec2(p0.x - sz.x - 6, a.y - sz.y / 2), axis, label.c_str());
    }
    // A tick at every power of two, a label at every power of four (every one when few).
    const int labelEvery = xMax - xMin > 8 ? 2 : 1;
    for (int e = static_cast<int>(xMin); e <= static_cast<int>(xMax); ++e) {
        const ImVec2 a = toScreen(e, 0);
        dl->AddLine(a, ImVec2(a.x, a.y + 4), axis);
        if ((e - static_cast<int>(xMin)) % labelEvery != 0 || e < 0 || e > 62) continue;
        dl->AddLine(ImVec2(a.x, p0.y), a, grid);
        label = sizeLabel(std::uint64_t{1} << e);
        const ImVec2 sz = ImGui::CalcTextSize(label.c_str());
        dl->AddText(ImVec2(a.x - sz.x / 2, a.y + 6), axis, label.c_str());
    }
    drawAxes(dl, origin, p0, p1, axis, "message size (log scale)", 22);

    std::vector<ImVec2> line;
    for (const auto& c : curves) {
        line.clear();
        for (const auto& p : c.points)
            if (p.messageSize > 0) line.push_back(toScreen(std::log2(static_cast<double>(p.messageSize)), p.mibPerSecond));
        const ImU32 colour = transportColour(c.transport);
        if (line.size() > 1) dl->AddPolyline(line.data(), static_cast<int>(line.size()), colour, ImDrawFlags_None, 2.5f);
        for (const auto& q : line) dl->AddCircleFilled(q, 4.0f, colour);
    }
    // The legend, top left (throughput mostly grows with the message size).
    const float rowH = ImGui::GetTextLineHeight() + 4;
    float legendW = 0;
    for (const auto& c : curves) legendW = std::max(legendW, ImGui::CalcTextSize(c.label.c_str()).x);
    if (curves.empty()) return;
    const ImVec2 l0(p0.x + 10, p0.y + 6), l1(p0.x + 10 + legendW + 44, l0.y + rowH * static_cast<float>(curves.size()) + 6);
    dl->AddRectFilled(l0, l1, ImGui::GetColorU32(ImGuiCol_WindowBg));
    dl->AddRect(l0, l1, grid);
    for (std::size_t i = 0; i < curves.size(); ++i) {
        const float y = l0.y + 4 + rowH * static_cast<float>(i);
        dl->AddRectFilled(ImVec2(l0.x + 6, y + 3), ImVec2(l0.x + 26, y + rowH - 5), transportColour(curves[i].transport));
        dl->AddText(ImVec2(l0.x + 32, y), axis, curves[i].label.c_str());
    }
}

core::Status writeSweepChartPng(const std::vector<core::SweepCurve>& curves, const std::string& title, int width, int height,
                                const std::string& path) {
    if (width < 200 || height < 150 || width > 8192 || height > 8192)
        return Error::make(Errc::InvalidArgument, "the chart size must be 200x150 to 8192x8192");
    std::unique_ptr<SDL_Surface, decltype(&SDL_FreeSurface)> surface(
        SDL_CreateRGBSurfaceWithFormat(0, width, height, 32, SDL_PIXELFORMAT_ABGR8888), SDL_FreeSurface);
    if (!surface) return Error::make(Errc::Io, std::string("cannot create the chart surface: ") + SDL_GetError());
    std::unique_ptr<SDL_Renderer, decltype(&SDL_DestroyRenderer)> renderer(SDL_CreateSoftwareRenderer(surface.get()),
                                                                             SDL_DestroyRenderer);
    if (!renderer) return Error::make(Errc::Io, std::string("cannot create a software renderer: ") + SDL_GetError());

    ImGuiContext* previous = ImGui::GetCurrentContext();
    ImGuiContext* context = ImGui::CreateContext();
    ImGui::SetCurrentContext(context);
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.LogFilename = nullptr;
    io.DisplaySize = ImVec2(static_cast<float>(width), static_cast<float>(height));
    io.DeltaTime = 1.0f / 60.0f;
    ImGui::StyleColorsLight();
    // Thin lines as plain triangles: the software renderer samples the textured ones unevenly.
    ImGui::GetStyle().AntiAliasedLinesUseTex = false;
    addUiFont(16.0f);
    ImGui_ImplSDLRenderer_Init(renderer.get());
    // Two frames: the first lays the window out.
    for (int frame = 0; frame < 2; ++frame) {
        ImGui_ImplSDLRenderer_NewFrame();
        ImGui::NewFrame();
        ImGui::SetNextWindowPos(ImVec2(0, 0));
        ImGui::SetNextWindowSize(io.DisplaySize);
        ImGui::Begin("##sweep chart", nullptr,
                     ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                         ImGuiWindowFlags_NoBringToFrontOnFocus);
        ImGui::TextUnformatted(title.c_str());
        const ImVec2 origin = ImGui::GetCursorScreenPos();
        const ImVec2 avail = ImGui::GetContentRegionAvail();
        ImGui::Dummy(avail);
        drawSweepChart(ImGui::GetWindowDrawList(), origin, avail, curves);
        ImGui::End();
        ImGui::Render();
    }
    SDL_SetRenderDrawColor(renderer.get(), 255, 255, 255, 255);
    SDL_RenderClear(renderer.get());
    ImGui_ImplSDLRenderer_RenderDrawData(ImGui::GetDrawData());
    SDL_RenderPresent(renderer.get());
    ImGui_ImplSDLRenderer_Shutdown();
    ImGui::DestroyContext(context);
    ImGui::SetCurrentContext(previous);

    if (!stbi_write_png(path.c_str(), width, height, 4, surface->pixels, surface->pitch))
        return Error::make(Errc::Io, "cannot write the chart to " + path);
    return core::okStatus();
}

}  // namespace ipcscope::gui
