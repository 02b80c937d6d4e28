#pragma once
/// The probe line protocol: how a probe executable reports throughput to ipcscope.
///
/// A probe writes ASCII lines (LF, an optional CR before it is tolerated) on its stdout:
///
///     ipcscope-probe 1 <transport> <message-size>     handshake: protocol name and version
///     sample <t_us> <bytes> <messages>                 one per interval
///     done <total_bytes> <elapsed_us>                  last line of a finished transfer
///     error <text>                                     last line of a failed transfer
///
/// `t_us` is the time in microseconds since the transfer started, at the end of the interval. `bytes` and
/// `messages` count what arrived during the interval (since the previous sample or the start;
/// messages for shared memory, read calls for pipes and sockets),
/// so the samples of a complete run add up to `total_bytes`. Numbers are unsigned decimal
/// integers below 2^63. Fields are separated by single spaces. A line is at most
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
inline constexpr std::uint32_t kProbeProtocolVersion = 1;
/// Longest accepted line, without its line end.
inline constexpr std::size_t kMaxProbeLineLength = 512;
/// Longest transport name (lower-case letters, digits and '-').
inline constexpr std::size_t kMaxProbeTransportLength = 32;

/// Handshake: the first line of every probe.
struct ProbeHello {
    std::uint32_t version = kProbeProtocolVersion;
    std::string transport;          ///< e.g. "shm", "pipe", "tcp", "unix"
    std::uint64_t messageSize = 0;  ///< bytes per message (write or send call)
    friend bool operator==(const ProbeHello&, const ProbeHello&) = default;
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
    friend bool operator==(const ProbeDone&, const ProbeDone&) = default;
};

/// The transfer failed; `text` says why (printable ASCII, possibly empty).
struct ProbeFailure {
    std::string text;
    friend bool operator==(const ProbeFailure&, const ProbeFailure&) = default;
};

/// One parsed line.
using ProbeLine = std::variant<ProbeHello, ProbeSample, ProbeDone, ProbeFailure>;

/// Each way a line can be malformed.
enum class ProbeLineErrc : std::uint8_t {
    Empty,               ///< nothing on the line
    TooLong,             ///< longer than kMaxProbeLineLength
    BadCharacter,        ///< a control or non-ASCII byte
    UnknownKeyword,      ///< the first word is none of the known ones
    UnsupportedVersion,  ///< handshake with a version other than kProbeProtocolVersion
    BadTransport,        ///< transport name empty, too long, or with other characters
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
[[nodiscard]] std::string formatProbeHello(std::string_view transport, std::uint64_t messageSize);
[[nodiscard]] std::string formatProbeSample(const ProbeSample& sample);
[[nodiscard]] std::string formatProbeDone(const ProbeDone& done);
/// Control characters and non-ASCII bytes in `text` become '?'; the text is cut to fit a line.
[[nodiscard]] std::string formatProbeError(std::string_view text);

}  // namespace ipcscope::wire
