// libFuzzer target: the probe line parser and the throughput series on arbitrary bytes. The
// parser must never read past the view or crash; a line that parses must format back to a line
// that parses to the same value.

#include "core/throughput.h"
#include "wire/probe_line.h"

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ipcscope;
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    auto one = wire::parseProbeLine(text);
    if (one) {
        std::string again;
        std::visit(
            [&](const auto& v) {
                using T = std::decay_t<decltype(v)>;
                if constexpr (std::is_same_v<T, wire::ProbeHello>) again = wire::formatProbeHello(v);
                else if constexpr (std::is_same_v<T, wire::ProbeReady>) again = wire::formatProbeReady(v.endpoint);
                else if constexpr (std::is_same_v<T, wire::ProbeSample>) again = wire::formatProbeSample(v);
                else if constexpr (std::is_same_v<T, wire::ProbeLatency>) again = wire::formatProbeLatency(v);
                else if constexpr (std::is_same_v<T, wire::ProbeDone>) again = wire::formatProbeDone(v);
                else again = wire::formatProbeError(v.text);
            },
            *one);
        auto back = wire::parseProbeLine(again);
        if (!back || !(*back == *one)) __builtin_trap();
    } else {
        (void)one.error().message();
    }

    // The same bytes as a whole probe output, line by line.
    core::ThroughputSeries series;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t nl = text.find('\n', start);
        const std::string_view line = text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
        (void)series.feed(line);
        if (nl == std::string_view::npos) break;
        start = nl + 1;
    }
    (void)series.finish();
    (void)series.averageMiBps();
    (void)series.peakMiBps();
    return 0;
}
