#include "core/throughput.h"

#include <algorithm>
#include <cmath>
#include <type_traits>

namespace ipcscope::core {

double mibPerSecond(std::uint64_t bytes, std::uint64_t us) noexcept {
    if (us == 0) return 0;
    return static_cast<double>(bytes) / kMiB / (static_cast<double>(us) / 1e6);
}

Status ThroughputSeries::reject(Error e) {
    m_state = ProbeState::Failed;
    m_failure = e.context;
    return e;
}

Status ThroughputSeries::feed(std::string_view line) {
    const std::string where = "probe line " + std::to_string(m_lines + 1) + ": ";
    if (m_state == ProbeState::Done || m_state == ProbeState::Failed)
        return Error::make(Errc::Malformed, where + "output after the end of the run");
    auto parsed = wire::parseProbeLine(line);
    if (!parsed) return reject(Error::make(Errc::Malformed, where + parsed.error().message()));
    ++m_lines;
    return std::visit(
        [&](const auto& v) -> Status {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, wire::ProbeHello>) {
                if (m_state != ProbeState::WaitingForHello) return reject(Error::make(Errc::Malformed, where + "a second handshake"));
                m_hello = v;
                m_state = ProbeState::Running;
                return okStatus();
            } else {
                if (m_state == ProbeState::WaitingForHello && !std::is_same_v<T, wire::ProbeFailure>)
                    return reject(Error::make(Errc::Malformed,
                                              where + "expected the handshake '" + std::string(wire::kProbeProtocolName) + " " +
                                                  std::to_string(wire::kProbeProtocolVersion) + " ...' first"));
                if constexpr (std::is_same_v<T, wire::ProbeSample>) {
                    if (v.tUs < m_lastUs)
                        return reject(Error::make(Errc::Malformed, where + "sample time " + std::to_string(v.tUs) +
                                                                       " us goes back from " + std::to_string(m_lastUs) + " us"));
                    const double t = static_cast<double>(v.tUs) / 1e6;
                    m_points.push_back(ThroughputPoint{t, mibPerSecond(v.bytes, v.tUs - m_lastUs), v.bytes, v.messages});
                    m_lastUs = v.tUs;
                    m_sampledBytes += v.bytes;
                    m_sampledMessages += v.messages;
                    return okStatus();
                } else if constexpr (std::is_same_v<T, wire::ProbeReady>) {
                    if (m_ready) return reject(Error::make(Errc::Malformed, where + "a second ready line"));
                    m_ready = v;
                    return okStatus();
                } else if constexpr (std::is_same_v<T, wire::ProbeLatency>) {
                    m_latency = v;
                    return okStatus();
                } else if constexpr (std::is_same_v<T, wire::ProbeDone>) {
                    if (v.totalBytes != m_sampledBytes)
                        return reject(Error::make(Errc::Malformed, where + "done reports " + std::to_string(v.totalBytes) +
                                                                       " bytes, the samples add up to " +
                                                                       std::to_string(m_sampledBytes)));
                    m_done = v;
                    m_state = ProbeState::Done;
                    foldShortTail();
                    return okStatus();
                } else {
                    m_state = ProbeState::Failed;
                    m_failure = v.text.empty() ? std::string("the probe reported an error") : v.text;
                    return okStatus();
                }
            }
        },
        *parsed);
}

Status ThroughputSeries::finish() {
    switch (m_state) {
        case ProbeState::Done:
        case ProbeState::Failed: return okStatus();
        case ProbeState::WaitingForHello: return reject(Error::make(Errc::Malformed, "the probe ended without a handshake line"));
        case ProbeState::Running:
            return reject(Error::make(Errc::Malformed, "the probe ended after " + std::to_string(m_points.size()) +
                                                           " samples without a done line"));
    }
    return okStatus();
}

void ThroughputSeries::foldShortTail() {
    const std::size_t n = m_points.size();
    if (n < 2) return;
    const double prevStart = n >= 3 ? m_points[n - 3].tSeconds : 0.0;
    ThroughputPoint& prev = m_points[n - 2];
    const ThroughputPoint& last = m_points[n - 1];
    if (last.tSeconds - prev.tSeconds >= (prev.tSeconds - prevStart) / 2) return;
    prev.bytes += last.bytes;
    prev.messages += last.messages;
    prev.tSeconds = last.tSeconds;
    prev.mibPerSecond = mibPerSecond(prev.bytes, static_cast<std::uint64_t>(std::llround((prev.tSeconds - prevStart) * 1e6)));
    m_points.pop_back();
}

double ThroughputSeries::averageMiBps() const noexcept {
    if (m_done) return mibPerSecond(m_done->totalBytes, m_done->elapsedUs);
    return mibPerSecond(m_sampledBytes, m_lastUs);
}

double ThroughputSeries::peakMiBps() const noexcept {
    double peak = 0;
    for (const auto& p : m_points) peak = std::max(peak, p.mibPerSecond);
    return peak;
}

}  // namespace ipcscope::core
