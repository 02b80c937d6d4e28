#include "probe_main.h"

#include "wire/probe_line.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

#if defined(_WIN32)
#include <fcntl.h>
#include <io.h>
#endif

namespace ipcscope::probe {
namespace {

constexpr std::uint64_t kMaxBytes = 1ull << 40;
constexpr std::uint64_t kMaxMessage = 16ull << 20;

bool parseU64(const char* s, std::uint64_t& out) {
    if (!s || !*s) return false;
    std::uint64_t v = 0;
    for (const char* p = s; *p; ++p) {
        if (*p < '0' || *p > '9') return false;
        if (v > (UINT64_MAX - static_cast<std::uint64_t>(*p - '0')) / 10) return false;
        v = v * 10 + static_cast<std::uint64_t>(*p - '0');
    }
    out = v;
    return true;
}

int usage(const char* prog, const std::string& why, bool acceptsUnix) {
    std::fprintf(stderr,
                 "%s: %s\nusage: %s [--bytes N] [--message-size N] [--interval-ms N] [--seconds N]%s\n"
                 "Moves N bytes through one transport and prints ipcscope probe protocol lines on stdout.\n",
                 prog, why.c_str(), prog, acceptsUnix ? " [--unix]" : "");
    return 2;
}

}  // namespace

void writeLine(const std::string& line) {
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fflush(stdout);
}

Reporter::Reporter(const ProbeOptions& options) : m_options(options) { start(); }

void Reporter::start() {
    m_start = Clock::now();
    m_deadline = m_start + std::chrono::milliseconds(static_cast<std::int64_t>(m_options.seconds * 1000.0));
    m_nextSample = m_start + std::chrono::milliseconds(m_options.intervalMs);
    m_total = m_intervalBytes = m_intervalMessages = m_lastSampleUs = 0;
}

std::uint64_t Reporter::usSinceStart(Clock::time_point now) const {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(now - m_start).count());
}

void Reporter::add(std::uint64_t bytes, std::uint64_t messages) {
    m_total += bytes;
    m_intervalBytes += bytes;
    m_intervalMessages += messages;
    const auto now = Clock::now();
    if (now >= m_nextSample) {
        emitSample(now);
        while (m_nextSample <= now) m_nextSample += std::chrono::milliseconds(m_options.intervalMs);
    }
}

bool Reporter::expired() const { return Clock::now() >= m_deadline; }

void Reporter::emitSample(Clock::time_point now) {
    const std::uint64_t us = std::max(usSinceStart(now), m_lastSampleUs);
    writeLine(wire::formatProbeSample({us, m_intervalBytes, m_intervalMessages}));
    m_lastSampleUs = us;
    m_intervalBytes = m_intervalMessages = 0;
}

void Reporter::finish() {
    const auto now = Clock::now();
    if (m_intervalBytes > 0 || m_intervalMessages > 0 || m_lastSampleUs == 0) emitSample(now);
    writeLine(wire::formatProbeDone({m_total, std::max(usSinceStart(now), m_lastSampleUs)}));
}

int probeMain(int argc, char** argv, const std::function<std::string(const ProbeOptions&)>& transport,
              const TransferFn& transfer, bool acceptsUnix) {
#if defined(_WIN32)
    _setmode(_fileno(stdout), _O_BINARY);
#else
    std::signal(SIGPIPE, SIG_IGN);
#endif
    const char* prog = argc > 0 ? argv[0] : "ipcscope-probe";
    ProbeOptions o;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--unix" && acceptsUnix) {
            o.unixSocket = true;
            continue;
        }
        if (a == "--help" || a == "-h") return usage(prog, "help", acceptsUnix), 0;
        if (i + 1 >= argc) return usage(prog, "unknown option or missing value: " + std::string(a), acceptsUnix);
        std::uint64_t v = 0;
        if (!parseU64(argv[i + 1], v)) return usage(prog, std::string(a) + " takes an unsigned number, got '" + argv[i + 1] + "'", acceptsUnix);
        if (a == "--bytes") {
            if (v == 0 || v > kMaxBytes) return usage(prog, "--bytes must be 1..2^40", acceptsUnix);
            o.bytes = v;
        } else if (a == "--message-size") {
            if (v == 0 || v > kMaxMessage) return usage(prog, "--message-size must be 1..16 MiB", acceptsUnix);
            o.messageSize = v;
        } else if (a == "--interval-ms") {
            if (v < 10 || v > 60000) return usage(prog, "--interval-ms must be 10..60000", acceptsUnix);
            o.intervalMs = static_cast<std::uint32_t>(v);
        } else if (a == "--seconds") {
            if (v == 0 || v > 3600) return usage(prog, "--seconds must be 1..3600", acceptsUnix);
            o.seconds = static_cast<double>(v);
        } else {
            return usage(prog, "unknown option " + std::string(a), acceptsUnix);
        }
        ++i;
    }
    writeLine(wire::formatProbeHello(transport(o), o.messageSize));
    Reporter reporter(o);
    const base::Status st = transfer(o, reporter);
    if (!st) {
        writeLine(wire::formatProbeError(st.error().message()));
        return 1;
    }
    reporter.finish();
    return 0;
}

}  // namespace ipcscope::probe
