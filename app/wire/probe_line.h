#pragma once
/// The probe line protocol: how a probe executable reports throughput to ipcscope.
///
/// A run has two probe processes, a sender and a receiver; each writes ASCII lines (LF, an
/// optional CR before it is tolerated) on its stdout:
///
///     ipcscope-probe 2 <transport> <message-size> <role> <mode> <pid>   handshake
///     ready <endpoint>                     receiver only: where the sender connects
///     sample <t_us> <bytes> <messages>     one per interval
///     latency <p50_ns> <p99_ns> <p999_ns> <round_trips>   sender in ping-pong, before done
///     done <total_bytes> <elapsed_us> <messages> <lost> <reordered>   last line of a finished run
///     error <text>                         last line of a failed run
///
/// `role` is `sender` or `receiver`, `mode` is `bulk` or `pingpong`, `pid` the process id.
/// `endpoint` is one token of printable ASCII (a port, a path, an object name).
/// `t_us` is the time in microseconds since the transfer started, at the end of the interval.
/// `bytes` and `messages` count what the side sent (sender) or received and verified (receiver)
/// during the interval, so the samples of a complete run add up to `total_bytes`. `lost` and
/// `reordered` count messages (datagram transports only; 0 elsewhere). Numbers are unsigned
/// decimal integers below 2^63. Fields are separated by single spaces. A line is at most
/// kMaxProbeLineLength bytes.
///
/// The parser is pure: it takes one line of text and returns a typed value or a typed error;
/// it never reads outside the view it is given.

#include "base/result.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace ipcscope::wire {

/// The first word of the handshake line.
inline constexpr std::string_view kProbeProtocolName = "ipcscope-probe";
/// The version this build speaks and accepts.
inline constexpr std::uint32_t kProbeProtocolVersion = 2;
/// Longest accepted line, without its line end.
inline constexpr std::size_t kMaxProbeLineLength = 512;
/// Longest transport name (lower-case letters, digits and '-').
inline constexpr std::size_t kMaxProbeTransportLength = 32;

/// Which end of a run a probe process is.
enum class ProbeRole : std::uint8_t { Sender, Receiver };
/// What a run measures: a one-way stream, or round trips of one message.
enum class ProbeMode : std::uint8_t { Bulk, PingPong };

[[nodiscard]] std::string_view probeRoleName(ProbeRole role) noexcept;
[[nodiscard]] std::string_view probeModeName(ProbeMode mode) noexcept;

/// One slot of the shm probe's ring: a message rounded up to whole 64-byte cache lines, so that
/// no two slots share a line.
[[nodiscard]] constexpr std::uint64_t probeShmSlotBytes(std::uint64_t messageSize) noexcept {
    return (messageSize + 63) / 64 * 64;
}

/// The shm probe's ring, one per direction: whole slots, at least 4. In bulk mode at least 8 MiB;
/// in ping-pong, where one message at a time is under way each way, at least 4 KiB, which stays
/// in the caches (a ping-pong walking through 8 MiB of slots ran ten times slower on the 2-vCPU
/// EPYC of docs/benchmarks.md).
[[nodiscard]] constexpr std::uint64_t probeShmRingBytes(std::uint64_t messageSize, ProbeMode mode) noexcept {
    const std::uint64_t minRing = mode == ProbeMode::PingPong ? std::uint64_t{4} << 10 : std::uint64_t{8} << 20;
    const std::uint64_t slot = probeShmSlotBytes(messageSize);
    if (slot == 0) return 0;
    const std::uint64_t slots = (minRing + slot - 1) / slot;
    return (slots < 4 ? 4 : slots) * slot;
}

/// Handshake: the first line of every probe.
struct ProbeHello {
    std::uint32_t version = kProbeProtocolVersion;
    std::string transport;          ///< e.g. "shm", "pipe", "tcp", "udp", "unix"
    std::uint64_t messageSize = 0;  ///< bytes per message, header included
    ProbeRole role = ProbeRole::Receiver;
    ProbeMode mode = ProbeMode::Bulk;
    std::uint64_t pid = 0;
    friend bool operator==(const ProbeHello&, const ProbeHello&) = default;
};

/// The receiver listens: the sender is started with this endpoint.
struct ProbeReady {
    std::string endpoint;
    friend bool operator==(const ProbeReady&, const ProbeReady&) = default;
};

/// Round-trip latency of a ping-pong run, from the sender.
struct ProbeLatency {
    std::uint64_t p50Ns = 0;
    std::uint64_t p99Ns = 0;
    std::uint64_t p999Ns = 0;
    std::uint64_t roundTrips = 0;
    friend bool operator==(const ProbeLatency&, const ProbeLatency&) = default;
};

/// What arrived during one interval.
struct ProbeSample {
    std::uint64_t tUs = 0;       ///< microseconds since the start, at the end of the interval
    std::uint64_t bytes = 0;     ///< bytes received during the interval
    std::uint64_t messages = 0;  ///< messages received during the interval
    friend bool operator==(const ProbeSample&, const ProbeSample&) = default;
};

/// The transfer finished.
struct ProbeDone {
    std::uint64_t totalBytes = 0;
    std::uint64_t elapsedUs = 0;
    std::uint64_t messages = 0;
    std::uint64_t lost = 0;       ///< messages that never arrived (datagrams)
    std::uint64_t reordered = 0;  ///< messages that arrived after a later one (datagrams)
    friend bool operator==(const ProbeDone&, const ProbeDone&) = default;
};

/// The transfer failed; `text` says why (printable ASCII, possibly empty).
struct ProbeFailure {
    std::string text;
    friend bool operator==(const ProbeFailure&, const ProbeFailure&) = default;
};

/// One parsed line.
using ProbeLine = std::variant<ProbeHello, ProbeReady, ProbeSample, ProbeLatency, ProbeDone, ProbeFailure>;

/// Each way a line can be malformed.
enum class ProbeLineErrc : std::uint8_t {
    Empty,               ///< nothing on the line
    TooLong,             ///< longer than kMaxProbeLineLength
    BadCharacter,        ///< a control or non-ASCII byte
    UnknownKeyword,      ///< the first word is none of the known ones
    UnsupportedVersion,  ///< handshake with a version other than kProbeProtocolVersion
    BadTransport,        ///< transport name empty, too long, or with other characters
    BadRole,             ///< handshake role other than sender / receiver
    BadMode,             ///< handshake mode other than bulk / pingpong
    BadEndpoint,         ///< ready line without exactly one endpoint token
    MissingField,        ///< fewer fields than the keyword takes
    ExtraField,          ///< more fields than the keyword takes
    BadNumber,           ///< a field is not an unsigned decimal below 2^63
};

[[nodiscard]] std::string_view probeLineErrcName(ProbeLineErrc code) noexcept;

/// What was wrong with a line.
struct ProbeLineError {
    ProbeLineErrc code = ProbeLineErrc::Empty;
    std::string detail;  ///< one short phrase, e.g. "field 2 ('12x') is not a number"

    /// "malformed probe line: bad-number (field 2 ('12x') is not a number)".
    [[nodiscard]] std::string message() const;
    /// As a portable error (Errc::Malformed).
    [[nodiscard]] base::Error toError() const;
};

/// A parsed line or the reason it was rejected.
using ProbeLineResult = base::Expected<ProbeLine, ProbeLineError>;

/// Parses one line (without or with its trailing "\n" / "\r\n").
[[nodiscard]] ProbeLineResult parseProbeLine(std::string_view line);

/// Each format function returns one complete line, ending in "\n".
[[nodiscard]] std::string formatProbeHello(const ProbeHello& hello);
[[nodiscard]] std::string formatProbeReady(std::string_view endpoint);
[[nodiscard]] std::string formatProbeSample(const ProbeSample& sample);
[[nodiscard]] std::string formatProbeLatency(const ProbeLatency& latency);
[[nodiscard]] std::string formatProbeDone(const ProbeDone& done);
/// Control characters and non-ASCII bytes in `text` become '?'; the text is cut to fit a line.
[[nodiscard]] std::string formatProbeError(std::string_view text);

}  // namespace ipcscope::wire
