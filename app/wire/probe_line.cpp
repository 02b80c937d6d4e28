#include "wire/probe_line.h"

#include <array>
#include <optional>

namespace ipcscope::wire {
namespace {

constexpr std::uint64_t kMaxNumber = (std::uint64_t{1} << 63) - 1;
constexpr std::size_t kMaxFields = 8;

ProbeLineError fail(ProbeLineErrc code, std::string detail) { return ProbeLineError{code, std::move(detail)}; }

/// Short excerpt of a field for error messages, in single quotes.
std::string excerpt(std::string_view s) {
    constexpr std::size_t kMax = 24;
    std::string out;
    out.reserve(kMax + 5);
    out.push_back('\'');
    out.append(s.substr(0, kMax));
    if (s.size() > kMax) out.append("...");
    out.push_back('\'');
    return out;
}

bool parseNumber(std::string_view s, std::uint64_t& out) {
    if (s.empty() || s.size() > 19) return false;
    std::uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
        const auto digit = static_cast<std::uint64_t>(c - '0');
        if (v > (kMaxNumber - digit) / 10) return false;
        v = v * 10 + digit;
    }
    out = v;
    return true;
}

bool validTransport(std::string_view s) {
    if (s.empty() || s.size() > kMaxProbeTransportLength) return false;
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
    return true;
}

struct Fields {
    std::array<std::string_view, kMaxFields> f{};
    std::size_t n = 0;
    bool more = false;  ///< more than kMaxFields fields
};

/// Splits on single spaces; an empty field (two spaces, leading or trailing space) is kept
/// as empty so that it is rejected as a bad number or transport.
Fields split(std::string_view line) {
    Fields out;
    std::size_t start = 0;
    while (true) {
        const std::size_t sp = line.find(' ', start);
        const std::string_view field = line.substr(start, sp == std::string_view::npos ? std::string_view::npos : sp - start);
        if (out.n == kMaxFields) {
            out.more = true;
            break;
        }
        out.f[out.n++] = field;
        if (sp == std::string_view::npos) break;
        start = sp + 1;
    }
    return out;
}

std::optional<ProbeLineError> numbers(const Fields& fs, std::size_t want, std::array<std::uint64_t, 5>& out) {
    if (fs.n < want + 1)
        return fail(ProbeLineErrc::MissingField, std::string(fs.f[0]) + " takes " + std::to_string(want) + " fields, got " +
                                                     std::to_string(fs.n - 1));
    if (fs.n > want + 1 || fs.more)
        return fail(ProbeLineErrc::ExtraField, std::string(fs.f[0]) + " takes " + std::to_string(want) + " fields");
    for (std::size_t i = 0; i < want; ++i)
        if (!parseNumber(fs.f[i + 1], out[i]))
            return fail(ProbeLineErrc::BadNumber,
                        "field " + std::to_string(i + 1) + " (" + excerpt(fs.f[i + 1]) + ") is not a number below 2^63");
    return std::nullopt;
}

}  // namespace

std::string_view probeLineErrcName(ProbeLineErrc code) noexcept {
    switch (code) {
        case ProbeLineErrc::Empty: return "empty";
        case ProbeLineErrc::TooLong: return "too-long";
        case ProbeLineErrc::BadCharacter: return "bad-character";
        case ProbeLineErrc::UnknownKeyword: return "unknown-keyword";
        case ProbeLineErrc::UnsupportedVersion: return "unsupported-version";
        case ProbeLineErrc::BadTransport: return "bad-transport";
        case ProbeLineErrc::BadRole: return "bad-role";
        case ProbeLineErrc::BadMode: return "bad-mode";
        case ProbeLineErrc::BadEndpoint: return "bad-endpoint";
        case ProbeLineErrc::MissingField: return "missing-field";
        case ProbeLineErrc::ExtraField: return "extra-field";
        case ProbeLineErrc::BadNumber: return "bad-number";
    }
    return "unknown";
}

std::string_view probeRoleName(ProbeRole role) noexcept { return role == ProbeRole::Sender ? "sender" : "receiver"; }
std::string_view probeModeName(ProbeMode mode) noexcept { return mode == ProbeMode::PingPong ? "pingpong" : "bulk"; }

std::string ProbeLineError::message() const {
    std::string m = "malformed probe line: ";
    m += probeLineErrcName(code);
    if (!detail.empty()) m += " (" + detail + ")";
    return m;
}

core::Error ProbeLineError::toError() const { return core::Error::make(core::Errc::Malformed, message()); }

ProbeLineResult parseProbeLine(std::string_view line) {
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) return fail(ProbeLineErrc::Empty, "");
    if (line.size() > kMaxProbeLineLength)
        return fail(ProbeLineErrc::TooLong, std::to_string(line.size()) + " bytes, at most " + std::to_string(kMaxProbeLineLength));
    for (std::size_t i = 0; i < line.size(); ++i) {
        const auto c = static_cast<unsigned char>(line[i]);
        if (c < 0x20 || c > 0x7e) return fail(ProbeLineErrc::BadCharacter, "byte " + std::to_string(c) + " at offset " + std::to_string(i));
    }

    if (line.starts_with("error ") || line == "error") {
        const std::string_view text = line.size() > 6 ? line.substr(6) : std::string_view{};
        return ProbeLine{ProbeFailure{std::string(text)}};
    }

    if (line.starts_with("ready")) {
        const std::string_view endpoint = line.size() > 6 && line[5] == ' ' ? line.substr(6) : std::string_view{};
        if (line.size() > 5 && line[5] != ' ') return fail(ProbeLineErrc::UnknownKeyword, excerpt(line.substr(0, line.find(' '))));
        if (endpoint.empty() || endpoint.find(' ') != std::string_view::npos)
            return fail(ProbeLineErrc::BadEndpoint, "ready takes one endpoint token");
        return ProbeLine{ProbeReady{std::string(endpoint)}};
    }

    const Fields fs = split(line);
    const std::string_view keyword = fs.f[0];
    std::array<std::uint64_t, 5> v{};
    if (keyword == kProbeProtocolName) {
        constexpr const char* kTakes = "the handshake takes version, transport, message size, role, mode and pid";
        if (fs.n >= 2) {
            std::uint64_t version = 0;
            if (!parseNumber(fs.f[1], version)) return fail(ProbeLineErrc::BadNumber, "version " + excerpt(fs.f[1]) + " is not a number");
            if (version != kProbeProtocolVersion)
                return fail(ProbeLineErrc::UnsupportedVersion,
                            "version " + std::to_string(version) + ", this build speaks " + std::to_string(kProbeProtocolVersion));
        }
        if (fs.n < 7) return fail(ProbeLineErrc::MissingField, kTakes);
        if (fs.n > 7 || fs.more) return fail(ProbeLineErrc::ExtraField, kTakes);
        if (!validTransport(fs.f[2])) return fail(ProbeLineErrc::BadTransport, excerpt(fs.f[2]));
        ProbeHello h;
        h.transport = std::string(fs.f[2]);
        if (!parseNumber(fs.f[3], h.messageSize))
            return fail(ProbeLineErrc::BadNumber, "message size " + excerpt(fs.f[3]) + " is not a number");
        if (fs.f[4] == "sender") h.role = ProbeRole::Sender;
        else if (fs.f[4] == "receiver") h.role = ProbeRole::Receiver;
        else return fail(ProbeLineErrc::BadRole, excerpt(fs.f[4]));
        if (fs.f[5] == "bulk") h.mode = ProbeMode::Bulk;
        else if (fs.f[5] == "pingpong") h.mode = ProbeMode::PingPong;
        else return fail(ProbeLineErrc::BadMode, excerpt(fs.f[5]));
        if (!parseNumber(fs.f[6], h.pid)) return fail(ProbeLineErrc::BadNumber, "pid " + excerpt(fs.f[6]) + " is not a number");
        return ProbeLine{std::move(h)};
    }
    if (keyword == "sample") {
        if (auto e = numbers(fs, 3, v)) return *e;
        return ProbeLine{ProbeSample{v[0], v[1], v[2]}};
    }
    if (keyword == "latency") {
        if (auto e = numbers(fs, 4, v)) return *e;
        return ProbeLine{ProbeLatency{v[0], v[1], v[2], v[3]}};
    }
    if (keyword == "done") {
        if (auto e = numbers(fs, 5, v)) return *e;
        return ProbeLine{ProbeDone{v[0], v[1], v[2], v[3], v[4]}};
    }
    return fail(ProbeLineErrc::UnknownKeyword, excerpt(keyword));
}

std::string formatProbeHello(const ProbeHello& h) {
    return std::string(kProbeProtocolName) + " " + std::to_string(kProbeProtocolVersion) + " " + h.transport + " " +
           std::to_string(h.messageSize) + " " + std::string(probeRoleName(h.role)) + " " + std::string(probeModeName(h.mode)) + " " +
           std::to_string(h.pid) + "\n";
}

std::string formatProbeReady(std::string_view endpoint) { return "ready " + std::string(endpoint) + "\n"; }

std::string formatProbeSample(const ProbeSample& s) {
    return "sample " + std::to_string(s.tUs) + " " + std::to_string(s.bytes) + " " + std::to_string(s.messages) + "\n";
}

std::string formatProbeLatency(const ProbeLatency& l) {
    return "latency " + std::to_string(l.p50Ns) + " " + std::to_string(l.p99Ns) + " " + std::to_string(l.p999Ns) + " " +
           std::to_string(l.roundTrips) + "\n";
}

std::string formatProbeDone(const ProbeDone& d) {
    return "done " + std::to_string(d.totalBytes) + " " + std::to_string(d.elapsedUs) + " " + std::to_string(d.messages) + " " +
           std::to_string(d.lost) + " " + std::to_string(d.reordered) + "\n";
}

std::string formatProbeError(std::string_view text) {
    std::string out = "error ";
    const std::size_t room = kMaxProbeLineLength - out.size();
    for (std::size_t i = 0; i < text.size() && i < room; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        out += (c < 0x20 || c > 0x7e) ? '?' : static_cast<char>(c);
    }
    return out + "\n";
}

}  // namespace ipcscope::wire
