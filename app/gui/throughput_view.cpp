#include "gui/throughput_view.h"

#include "probe_runner/runner.h"

#include <fmt/format.h>
#include <imgui.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>

namespace ipcscope::gui {
namespace {
constexpr std::size_t kMaxPoints = 4000;
constexpr int kIntervalMs = 50;
}

ThroughputView::~ThroughputView() {
    m_cancel = true;
    if (m_worker.joinable()) m_worker.join();
}

std::size_t ThroughputView::points() const {
    std::lock_guard lock(m_mutex);
    return m_mibps.size();
}

bool ThroughputView::start(const std::string& transport) {
    const auto& ts = probe::transports();
    const auto it = std::find_if(ts.begin(), ts.end(), [&](const probe::TransportInfo& t) { return transport == t.name; });
    if (it == ts.end()) return false;
    if (m_running.load()) return true;
    if (m_worker.joinable()) m_worker.join();  // the previous run has finished
    m_transport = static_cast<int>(it - ts.begin());
    probe::RunSpec spec;
    spec.transport = transport;
    spec.bytes = static_cast<std::uint64_t>(m_megabytes) << 20;
    spec.messageSize = static_cast<std::uint64_t>(m_messageKiB) << 10;
    spec.seconds = static_cast<std::uint32_t>(m_seconds);
    spec.intervalMs = kIntervalMs;
    {
        std::lock_guard lock(m_mutex);
        m_mibps.clear();
        m_status = "starting the " + transport + " probe...";
        m_summary.clear();
        m_average = m_peak = 0;
        m_bytes = 0;
    }
    m_cancel = false;
    m_running = true;
    spdlog::info("probe {}: {} MiB in messages of {} KiB, at most {} s", transport, m_megabytes, m_messageKiB, m_seconds);
    m_worker = std::thread([this, spec] {
        core::ThroughputSeries series;
        auto onLine = [&](const core::ThroughputSeries& s) {
            std::lock_guard lock(m_mutex);
            for (std::size_t i = m_mibps.size(); i < s.points().size() && m_mibps.size() < kMaxPoints; ++i)
                m_mibps.push_back(static_cast<float>(s.points()[i].mibPerSecond));
            m_status = "running: " + std::to_string(s.sampledBytes() >> 20) + " MiB so far";
            m_bytes = s.sampledBytes();
            m_peak = s.peakMiBps();
        };
        const auto st = probe::runProbe(spec, series, onLine, &m_cancel);
        {
            std::lock_guard lock(m_mutex);
            m_average = series.averageMiBps();
            m_peak = series.peakMiBps();
            if (st) {
                m_status = "done";
                m_summary = fmt::format("{}: {:.1f} MiB in {:.3f} s = {:.1f} MiB/s average, peak {:.1f} MiB/s", spec.transport,
                                        static_cast<double>(series.done()->totalBytes) / core::kMiB,
                                        static_cast<double>(series.done()->elapsedUs) / 1e6, m_average, m_peak);
            } else {
                m_status = "failed: " + st.error().message();
            }
        }
        if (st) spdlog::info("probe {}", m_summary);
        else spdlog::warn("probe {}: {}", spec.transport, st.error().message());
        m_running = false;
    });
    return true;
}

void ThroughputView::stop() { m_cancel = true; }

void ThroughputView::draw() {
    const auto& ts = probe::transports();
    const bool busy = m_running.load();
    ImGui::BeginDisabled(busy);
    ImGui::SetNextItemWidth(260);
    if (ImGui::BeginCombo("transport", ts[static_cast<std::size_t>(m_transport)].name)) {
        for (std::size_t i = 0; i < ts.size(); ++i) {
            const std::string label = std::string(ts[i].name) + " - " + ts[i].description;
            if (ImGui::Selectable(label.c_str(), static_cast<int>(i) == m_transport)) m_transport = static_cast<int>(i);
        }
        ImGui::EndCombo();
    }
    ImGui::SameLine();
    ImGui::SetNextItemWidth(160);
    ImGui::SliderInt("MiB", &m_megabytes, 1, 16384, "%d", ImGuiSliderFlags_Logarithmic);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(140);
    ImGui::SliderInt("KiB/message", &m_messageKiB, 1, 4096, "%d", ImGuiSliderFlags_Logarithmic);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(120);
    ImGui::SliderInt("s max", &m_seconds, 1, 60);
    ImGui::EndDisabled();
    ImGui::SameLine();
    if (!busy) {
        if (ImGui::Button("Start")) start(ts[static_cast<std::size_t>(m_transport)].name);
    } else if (ImGui::Button("Stop")) {
        stop();
    }

    std::lock_guard lock(m_mutex);
    ImGui::TextUnformatted(m_status.c_str());
    if (!m_summary.empty()) ImGui::TextUnformatted(m_summary.c_str());
    const float latest = m_mibps.empty() ? 0.0f : m_mibps.back();
    const std::string overlay = fmt::format("{:.1f} MiB/s (peak {:.1f})", static_cast<double>(latest), m_peak);
    const float top = m_mibps.empty() ? 1.0f : *std::max_element(m_mibps.begin(), m_mibps.end()) * 1.1f;
    ImGui::PlotLines("##mibps", m_mibps.data(), static_cast<int>(m_mibps.size()), 0, overlay.c_str(), 0.0f, std::max(top, 1.0f),
                     ImVec2(ImGui::GetContentRegionAvail().x, std::max(120.0f, ImGui::GetContentRegionAvail().y - 30.0f)));
    ImGui::TextDisabled("MiB/s per %d ms sample; probes move data on this machine only (loopback, pipes, shared memory)", kIntervalMs);
}

}  // namespace ipcscope::gui
