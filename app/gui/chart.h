#pragma once
// Charts of probe results, drawn with Dear ImGui draw lists: the Throughput tab draws them live,
// and writeSweepChartPng() draws the same chart off screen (an SDL software renderer on a
// memory surface, no window or display) and writes it as PNG for 'ipcscope probe chart'.

#include "core/result.h"
#include "core/throughput.h"

#include <imgui.h>

#include <string>
#include <string_view>
#include <vector>

namespace ipcscope::gui {

/// The colour of a transport on every chart (the same name, the same colour).
[[nodiscard]] ImU32 transportColour(std::string_view transport);

/// A round step for an axis from 0 to `top` with about `ticks` ticks: 1, 2 or 5 times a power of 10.
[[nodiscard]] double niceStep(double top, int ticks);
/// The label of an axis tick at `value`, with the decimals its niceStep `step` needs, so that no
/// two ticks read the same: "40" with a step of 20, "1.5" with 0.5, "0.15" with 0.05.
[[nodiscard]] std::string tickLabel(double value, double step);

/// "64 B", "16 KiB", "4 MiB".
[[nodiscard]] std::string sizeLabel(std::uint64_t bytes);

/// Adds the UI font at `pixels`: DejaVu Sans (Debian's fonts-dejavu-core) or Segoe UI where
/// they exist, Dear ImGui's built-in font otherwise.
void addUiFont(float pixels);

/// The two axis lines of a plot area p0..p1, "MiB/s" beside the y axis and `xUnit` centred
/// `xUnitGap` pixels below the x axis.
void drawAxes(ImDrawList* dl, ImVec2 origin, ImVec2 p0, ImVec2 p1, ImU32 colour, const char* xUnit, float xUnitGap);

/// Draws MiB/s against message size (log x axis, powers of two) for each curve in its
/// transport's colour, with axes, units and a legend, in the rectangle at `origin` of `size`.
void drawSweepChart(ImDrawList* dl, ImVec2 origin, ImVec2 size, const std::vector<core::SweepCurve>& curves);

/// Renders `curves` under `title` into a `width` x `height` PNG at `path`, without a display.
[[nodiscard]] core::Status writeSweepChartPng(const std::vector<core::SweepCurve>& curves, const std::string& title, int width,
                                              int height, const std::string& path);

}  // namespace ipcscope::gui
