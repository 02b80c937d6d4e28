#include "gui/throughput_view.h"

#include "gui/chart.h"
#include "gui/test_hook.h"

#include "probe_runner/runner.h"
#include "wire/probe_line.h"

#include <fmt/format.h>
#include <imgui.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace ipcscope::gui {
namespace {
constexpr std::size_t kMaxPoints = 4000;
constexpr int kIntervalMs = 50;
/// The sliders' ranges: a run stops at whichever limit it reaches first.
constexpr int kMaxMegabytes = static_cast<int>(probe::kMaxRunBytes >> 20);
constexpr int kMaxSeconds = 60;
/// stderr lines shown under a failed row.
constexpr std::size_t kStderrLines = 4;

std::size_t transportIndex(const std::string& name) {
    const auto& ts = probe::transports();
    for (std::size_t i = 0; i < ts.size(); ++i)
        if (name == ts[i].name) return i;
    return ts.size();
}
}  // namespace

ThroughputView::ThroughputView() : m_selected(probe::transports().size(), 0) {
    if (!m_selected.empty()) m_selected[0] = 1;
}

ThroughputView::~ThroughputView() {
    m_cancel = true;
    if (m_worker.joinable()) m_worker.join();
}

std::size_t ThroughputView::points() const {
    std::lock_guard lock(m_mutex);
    std::size_t n = 0;
    for (const auto& r : m_runs) n += r.mibps.size();
    return n;
}

bool ThroughputView::start(const std::string& transports) {
    std::vector<std::size_t> picked;
    std::size_t from = 0;
    while (from <= transports.size()) {
        const std::size_t comma = std::min(transports.find(',', from), transports.size());
        const std::size_t i = transportIndex(transports.substr(from, comma - from));
        if (i >= probe::transports().size()) return false;
        picked.push_back(i);
        from = comma + 1;
    }
    if (m_running.load()) return true;
    if (m_worker.joinable()) m_worker.join();  // the previous runs have finished
    std::fill(m_selected.begin(), m_selected.end(), 0);
    for (std::size_t i : picked) m_selected[i] = 1;
    probe::RunSpec spec;
    spec.mode = m_mode == 1 ? wire::ProbeMode::PingPong : wire::ProbeMode::Bulk;
    spec.bytes = static_cast<std::uint64_t>(m_megabytes) << 20;
    spec.messageSize = static_cast<std::uint64_t>(m_messageKiB) << 10;
    spec.seconds = static_cast<std::uint32_t>(m_seconds);
    spec.intervalMs = kIntervalMs;
    spec.probeDir = m_probeDir;
    const bool sweep = m_sweep;
    {
        std::lock_guard lock(m_mutex);
        m_runs.clear();
        for (std::size_t i : picked) m_runs.push_back(Run{i, {}, {}, {}, "waiting", {}, false});
        m_sweepShown = sweep;
    }
    m_cancel = false;
    m_running = true;
    if (sweep)
        spdlog::info("probe {}: {} sweep, {} MiB per message size, at most {} s each", transports, wire::probeModeName(spec.mode), m_megabytes,
                     m_seconds);
    else
        spdlog::info("probe {}: {} {} MiB in messages of {} KiB, at most {} s each", transports, wire::probeModeName(spec.mode), m_megabytes,
                     m_messageKiB, m_seconds);
    m_worker = std::thread([this, spec, sweep] {
        std::size_t count = 0;
        {
            std::lock_guard lock(m_mutex);
            count = m_runs.size();
        }
        for (std::size_t k = 0; k < count && !m_cancel.load(); ++k) {
            probe::RunSpec s = spec;
            std::size_t transport = 0;
            {
                std::lock_guard lock(m_mutex);
                transport = m_runs[k].transport;
                m_runs[k].status = "starting...";
            }
            s.transport = probe::transports()[transport].name;
            if (s.transport == "udp") s.messageSize = std::min<std::uint64_t>(s.messageSize, 60u << 10);  // one datagram
            // One run, or one per message size of the sweep (udp up to what a datagram holds).
            std::vector<std::uint64_t> sizes{s.messageSize};
            if (sweep) {
                sizes.clear();
                for (std::uint64_t z = 64; z <= (std::uint64_t{4} << 20) && (s.transport != "udp" || z <= (60u << 10)); z *= 4) sizes.push_back(z);
            }
            std::string status;
            bool failed = false;
            std::string stderrTail;
            for (std::size_t n = 0; n < sizes.size() && !m_cancel.load() && !failed; ++n) {
                s.messageSize = sizes[n];
                auto onLine = [&](const core::ThroughputSeries& series) {
                    std::lock_guard lock(m_mutex);
                    Run& run = m_runs[k];
                    if (sweep) {
                        run.status = fmt::format("sweep: {} of {} message sizes, now {}", n + 1, sizes.size(), sizeLabel(sizes[n]));
                        return;
                    }
                    for (std::size_t i = run.mibps.size(); i < series.settledPoints() && run.mibps.size() < kMaxPoints; ++i) {
                        run.t.push_back(static_cast<float>(series.points()[i].tSeconds));
                        run.mibps.push_back(static_cast<float>(series.points()[i].mibPerSecond));
                    }
                    run.status = "running: " + std::to_string(series.sampledBytes() >> 20) + " MiB so far";
                };
                probe::RunResult result;
                const auto st = probe::runProbe(s, result, onLine, &m_cancel);
                if (st) {
                    const auto& d = *result.receiver.done();
                    status = fmt::format("{}{:.1f} MiB in {:.3f} s = {:.1f} MiB/s, peak {:.1f} MiB/s, {}", sweep ? sizeLabel(sizes[n]) + ": " : "",
                                         static_cast<double>(d.totalBytes) / core::kMiB, static_cast<double>(d.elapsedUs) / 1e6,
                                         result.receiver.averageMiBps(), result.receiver.peakMiBps(),
                                         result.verified ? "verified" : "NOT verified");
                    if (const auto& l = result.sender.latency()) {
                        status += fmt::format("; round trip p50 {:.1f} us, p99 {:.1f} us, p99.9 {:.1f} us",
                                              static_cast<double>(l->p50Ns) / 1e3, static_cast<double>(l->p99Ns) / 1e3,
                                              static_cast<double>(l->p999Ns) / 1e3);
                    }
                    spdlog::info("probe {}: {}", s.transport, status);
                    std::lock_guard lock(m_mutex);
                    if (sweep) m_runs[k].sweep.push_back({sizes[n], result.receiver.averageMiBps()});
                } else {
                    failed = true;
                    status = "failed" + (sweep ? " at " + sizeLabel(sizes[n]) : std::string()) + ": " + st.error().message();
                    for (const auto* tail : {&result.receiverStderr, &result.senderStderr}) stderrTail += *tail;
                    spdlog::warn("probe {}: {}", s.transport, status);
                }
            }
            std::lock_guard lock(m_mutex);
            m_runs[k].status = status;
            m_runs[k].failed = failed;
            m_runs[k].stderrTail = stderrTail;
        }
        m_running = false;
    });
    return true;
}

void ThroughputView::configure(bool sweep, bool pingPong, int megabytes, int seconds, const std::string& probeDir) {
    if (m_running.load()) return;
    m_sweep = sweep;
    m_mode = pingPong ? 1 : 0;
    if (megabytes > 0) m_megabytes = std::min(megabytes, kMaxMegabytes);
    if (seconds > 0) m_seconds = std::min(seconds, kMaxSeconds);
    m_probeDir = probeDir;
}

void ThroughputView::stop() { m_cancel = true; }

void ThroughputView::drawChart(float height) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    const float width = ImGui::GetContentRegionAvail().x;
    ImGui::Dummy(ImVec2(width, height));
    if (m_sweepShown) {
        std::vector<core::SweepCurve> curves;
        for (const auto& r : m_runs) {
            const std::string name = probe::transports()[r.transport].name;
            curves.push_back({name, m_mode == 1 ? name + " pingpong" : name, r.sweep});
        }
        drawSweepChart(ImGui::GetWindowDrawList(), origin, ImVec2(width, height), curves);
        std::string points;
        for (const auto& c : curves) points += fmt::format("{}{} {} points", points.empty() ? "" : ", ", c.label, c.points.size());
        noteItem("chart", "MiB/s by message size, log x axis: " + points);
        return;
    }
    const float left = 80, bottom = 36, top = 10, right = 16;
    const ImVec2 p0(origin.x + left, origin.y + top), p1(origin.x + width - right, origin.y + height - bottom);
    if (p1.x <= p0.x + 10 || p1.y <= p0.y + 10) return;
    const ImU32 axis = ImGui::GetColorU32(ImGuiCol_Text), grid = ImGui::GetColorU32(ImGuiCol_Border);

    float tMax = 1, yMax = 1;
    for (const auto& r : m_runs) {
        if (!r.t.empty()) tMax = std::max(tMax, r.t.back());
        for (float v : r.mibps) yMax = std::max(yMax, v);
    }
    const double yStep = niceStep(yMax * 1.05, 5), tStep = niceStep(tMax, 8);
    const double yTop = std::ceil(yMax * 1.05 / yStep) * yStep, tRight = std::ceil(tMax / tStep) * tStep;
    auto toScreen = [&](double t, double y) {
        return ImVec2(p0.x + static_cast<float>(t / tRight) * (p1.x - p0.x), p1.y - static_cast<float>(y / yTop) * (p1.y - p0.y));
    };
    std::string label;
    for (double y = 0; y <= yTop + yStep / 2; y += yStep) {
        const ImVec2 a = toScreen(0, y);
        dl->AddLine(a, ImVec2(p1.x, a.y), grid);
        label = tickLabel(y, yStep);
        const ImVec2 sz = ImGui::CalcTextSize(label.c_str());
        dl->AddText(ImVec2(p0.x - sz.x - 6, a.y - sz.y / 2), axis, label.c_str());
    }
    for (double t = 0; t <= tRight + tStep / 2; t += tStep) {
        const ImVec2 a = toScreen(t, 0);
        dl->AddLine(a, ImVec2(a.x, a.y + 4), axis);
        label = tickLabel(t, tStep);
        const ImVec2 sz = ImGui::CalcTextSize(label.c_str());
        dl->AddText(ImVec2(a.x - sz.x / 2, a.y + 6), axis, label.c_str());
    }
    drawAxes(dl, origin, p0, p1, axis, "seconds since the run started", 20);

    std::vector<ImVec2> line;
    for (const auto& r : m_runs) {
        line.clear();
        for (std::size_t i = 0; i < r.mibps.size(); ++i) line.push_back(toScreen(r.t[i], r.mibps[i]));
        const ImU32 colour = transportColour(probe::transports()[r.transport].name);
        // A run shorter than one sample period (1 GiB through shm takes about 45 ms) is one
        // point: a dot of its own, or it would be two pixels wide.
        if (line.size() == 1) dl->AddCircleFilled(line[0], 5.0f, colour);
        if (line.size() > 1) dl->AddPolyline(line.data(), static_cast<int>(line.size()), colour, ImDrawFlags_None, 2.5f);
    }
    // The legend, top right.
    const float rowH = ImGui::GetTextLineHeight() + 4;
    float legendW = 0;
    for (const auto& r : m_runs) legendW = std::max(legendW, ImGui::CalcTextSize(probe::transports()[r.transport].name).x);
    const ImVec2 l0(p1.x - legendW - 44, p0.y + 6);
    if (!m_runs.empty()) {
        dl->AddRectFilled(l0, ImVec2(p1.x - 6, l0.y + rowH * static_cast<float>(m_runs.size()) + 6), ImGui::GetColorU32(ImGuiCol_WindowBg));
        dl->AddRect(l0, ImVec2(p1.x - 6, l0.y + rowH * static_cast<float>(m_runs.size()) + 6), grid);
    }
    for (std::size_t i = 0; i < m_runs.size(); ++i) {
        const float y = l0.y + 4 + rowH * static_cast<float>(i);
        dl->AddRectFilled(ImVec2(l0.x + 6, y + 3), ImVec2(l0.x + 26, y + rowH - 5), transportColour(probe::transports()[m_runs[i].transport].name));
        dl->AddText(ImVec2(l0.x + 32, y), axis, probe::transports()[m_runs[i].transport].name);
    }
}

void ThroughputView::draw() {
    const auto& ts = probe::transports();
    const bool busy = m_running.load();
    ImGui::BeginDisabled(busy);
    for (std::size_t i = 0; i < ts.size(); ++i) {
        bool on = m_selected[i] != 0;
        if (ImGui::Checkbox(ts[i].name, &on)) m_selected[i] = on ? 1 : 0;
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", ts[i].description);
        ImGui::SameLine();
    }
    ImGui::SetNextItemWidth(110);
    ImGui::Combo("mode", &m_mode, "bulk\0pingpong\0");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(140);
    ImGui::SliderInt("MiB", &m_megabytes, 1, kMaxMegabytes, "%d", ImGuiSliderFlags_Logarithmic);
    ImGui::SameLine();
    ImGui::BeginDisabled(m_sweep);
    ImGui::SetNextItemWidth(130);
    ImGui::SliderInt("KiB/message", &m_messageKiB, 1, 4096, "%d", ImGuiSliderFlags_Logarithmic);
    ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::Checkbox("sweep", &m_sweep);
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Every message size from 64 B to 4 MiB (powers of 4), MiB per size as set");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(100);
    ImGui::SliderInt("s max", &m_seconds, 1, kMaxSeconds);
    ImGui::EndDisabled();
    ImGui::SameLine();
    if (!busy) {
        std::string names;
        for (std::size_t i = 0; i < ts.size(); ++i)
            if (m_selected[i]) names += std::string(names.empty() ? "" : ",") + ts[i].name;
        ImGui::BeginDisabled(names.empty());
        if (ImGui::Button("Start")) start(names);
        ImGui::EndDisabled();
    } else if (ImGui::Button("Stop")) {
        stop();
    }

    std::lock_guard lock(m_mutex);
    std::size_t stderrLines = 0;
    for (const auto& r : m_runs)
        if (r.failed) stderrLines += std::min<std::size_t>(kStderrLines, static_cast<std::size_t>(std::count(r.stderrTail.begin(), r.stderrTail.end(), '\n')) + 1);
    const float rows = ImGui::GetTextLineHeightWithSpacing() * static_cast<float>(std::max<std::size_t>(1, m_runs.size()) + stderrLines);
    drawChart(std::max(140.0f, ImGui::GetContentRegionAvail().y - rows - 30.0f));
    if (m_runs.empty()) ImGui::TextDisabled("no run yet: pick transports and press Start");
    for (const auto& r : m_runs) {
        ImGui::ColorButton(ts[r.transport].name, ImGui::ColorConvertU32ToFloat4(transportColour(probe::transports()[r.transport].name)),
                           ImGuiColorEditFlags_NoTooltip, ImVec2(12, 12));
        ImGui::SameLine();
        ImGui::Text("%-5s", ts[r.transport].name);
        ImGui::SameLine();
        if (r.failed) ImGui::TextColored(ImVec4(1.0f, 0.45f, 0.4f, 1.0f), "%s", r.status.c_str());
        else ImGui::TextUnformatted(r.status.c_str());
        noteItem("probe-row", std::string(ts[r.transport].name) + ": " + r.status);
        if (r.failed && !r.stderrTail.empty()) {
            // The last lines the probes wrote on stderr, under the row.
            std::vector<std::string_view> lines;
            std::string_view rest = r.stderrTail;
            while (!rest.empty()) {
                const std::size_t nl = std::min(rest.find('\n'), rest.size());
                if (nl > 0) lines.push_back(rest.substr(0, nl));
                rest.remove_prefix(std::min(nl + 1, rest.size()));
            }
            for (std::size_t i = lines.size() > kStderrLines ? lines.size() - kStderrLines : 0; i < lines.size(); ++i) {
                ImGui::Indent(24);
                ImGui::TextDisabled("stderr: %.*s", static_cast<int>(lines[i].size()), lines[i].data());
                ImGui::Unindent(24);
                noteItem("probe-stderr", lines[i]);
            }
        }
    }
    ImGui::TextDisabled("MiB/s per %d ms sample, two processes per run; traffic stays on this machine (loopback, pipes, shared memory)",
                        kIntervalMs);
}

}  // namespace ipcscope::gui
