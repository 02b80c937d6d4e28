#pragma once
// The part every probe shares. A run is two processes started by ipcscope: the receiver opens
// the transport and prints `ready <endpoint>`, the sender connects to that endpoint. Both print
// the probe line protocol (app/wire/probe_line.h) on stdout.
//
// Every message starts with a MessageHeader (sequence number, length, flags, checksum of the
// payload). In bulk mode the sender streams messages and ends with an end marker; the receiver
// checks each one in place. In ping-pong mode the receiver sends every message back and the
// sender checks the echo and times the round trip. A checksum or sequence mismatch ends the
// run with an error line. Every loop is bounded by the message count and the deadline, and a
// watchdog ends a process that outlives its deadline by more than kGraceSeconds.

#include "base/result.h"
#include "wire/probe_line.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <span>
#include <vector>

namespace ipcscope::probe {

using wire::ProbeMode;
using wire::ProbeRole;

inline constexpr std::uint32_t kGraceSeconds = 10;
/// The smallest message: a header and a few payload bytes.
inline constexpr std::uint64_t kMinMessage = 32;

struct ProbeOptions {
    std::string transport;                   ///< "shm", "pipe", "tcp", "udp", "unix"
    ProbeRole role = ProbeRole::Receiver;
    ProbeMode mode = ProbeMode::Bulk;
    std::string endpoint;                    ///< sender: what the receiver printed on its ready line
    std::uint64_t bytes = 64ull << 20;       ///< sender: bytes to move (whole messages, rounded up)
    std::uint64_t messageSize = 64u << 10;   ///< bytes per message, header included
    std::uint32_t intervalMs = 250;          ///< sample period
    double seconds = 10;                     ///< the sender stops sending when it passes
    std::uint64_t corruptMessage = 0;        ///< test fault: the sender damages message N (1-based) after its checksum
    bool spin = false;                       ///< shm: poll instead of sleeping in the kernel
};

/// The head of every message, in the byte order of the machine (both ends run on it).
struct MessageHeader {
    std::uint64_t seq;       ///< 0, 1, 2, ...; in the end marker: the number of messages sent
    std::uint32_t length;    ///< the whole message, header included
    std::uint32_t flags;     ///< kEndFlag on the end marker
    std::uint64_t checksum;  ///< of the payload (the bytes after the header)
};
static_assert(sizeof(MessageHeader) == 24);
inline constexpr std::uint32_t kEndFlag = 1;

/// A checksum that any changed byte changes: four 64-bit lanes of the payload, each summed and
/// weighted by its own odd constant, and the length (probes/payload_checksum.cpp). It runs the
/// fastest of checksumLoops().
[[nodiscard]] std::uint64_t payloadChecksum(const unsigned char* p, std::size_t n) noexcept;
/// The weight of payloadChecksum's first lane (word 0 of every 32-byte block).
inline constexpr std::uint64_t kChecksumLaneWeightA = 0x9e3779b97f4a7c15ull;
/// payloadChecksum in plain C++, for any CPU.
[[nodiscard]] std::uint64_t payloadChecksumPortable(const unsigned char* p, std::size_t n) noexcept;
/// One way to compute payloadChecksum; all give the same value.
struct ChecksumLoop {
    using Fn = std::uint64_t (*)(const unsigned char*, std::size_t) noexcept;
    const char* name;
    Fn fn;
};
/// The loops this CPU can run, slowest first: "portable", then on x86-64 "sse2" and, when the
/// CPU has it, "avx2".
[[nodiscard]] std::vector<ChecksumLoop> checksumLoops();

/// Makes the payload of every message differ from the one before, at the cost of a few stores:
/// the sender writes the sequence number into the first word of every kStampStride-byte block of
/// the payload. A slot or buffer that still holds an older message, whole or in 256-byte parts,
/// then fails the receiver's check, which a payload that never changes would pass. The stamps all
/// fall in the checksum's first lane, and the checksum is linear in its lane sums, so the
/// checksum of a stamped payload follows from the sequence number without reading the payload.
class PayloadStamper {
public:
    static constexpr std::size_t kStampStride = 256;
    /// `payload` (`n` bytes, the bytes after the header) holds the pattern; its stamp words are
    /// zeroed here. It must outlive the stamper.
    PayloadStamper(unsigned char* payload, std::size_t n) noexcept;
    /// Writes `seq` into every stamp word and returns the payload's checksum.
    std::uint64_t stamp(std::uint64_t seq) noexcept;
    [[nodiscard]] std::size_t stamps() const noexcept { return m_stamps; }

private:
    unsigned char* m_payload;
    std::size_t m_stamps;
    std::uint64_t m_zeroChecksum;  ///< with every stamp word 0
};

/// `n` bytes, filled with `fill`, that start `pageOffset` bytes into a page. A copy whose source
/// and destination sit at nearly the same offset within their pages makes each load wait on the
/// store just made there (4K aliasing): a 64 KiB memcpy ran at 55 GB/s instead of 100 GB/s on the
/// machine of docs/benchmarks.md, depending on where malloc had put the two buffers.
class PageOffsetBuffer {
public:
    static constexpr std::size_t kPage = 4096;
    PageOffsetBuffer(std::size_t n, std::size_t pageOffset, unsigned char fill = 0) : m_storage(n + 2 * kPage, fill) {
        const std::size_t toPage = (kPage - reinterpret_cast<std::uintptr_t>(m_storage.data()) % kPage) % kPage;
        m_bytes = std::span<unsigned char>(m_storage.data() + toPage + pageOffset, n);
    }
    // A copy's span would point into the original's storage.
    PageOffsetBuffer(const PageOffsetBuffer&) = delete;
    PageOffsetBuffer& operator=(const PageOffsetBuffer&) = delete;
    [[nodiscard]] std::span<unsigned char> bytes() { return m_bytes; }
    [[nodiscard]] unsigned char* data() { return m_bytes.data(); }

private:
    std::vector<unsigned char> m_storage;
    std::span<unsigned char> m_bytes;
};
/// Where the sender's message starts within its page: half a page off the shm ring's slots,
/// which start on a page.
inline constexpr std::size_t kMessagePageOffset = PageOffsetBuffer::kPage / 2;

/// One received message: `data` points at its first header byte and stays valid until release().
struct MessageView {
    const unsigned char* data = nullptr;
    std::size_t size = 0;
};

/// One end of a transport, already connected. A link moves whole messages.
class Link {
public:
    virtual ~Link() = default;
    /// Sends the `n` bytes of one message.
    virtual base::Status send(const unsigned char* msg, std::size_t n) = 0;
    /// The next message. Errc::Timeout from a datagram link when nothing came within its wait
    /// (the message is counted lost); stream links block until data, end of stream or the watchdog.
    virtual base::Status receive(MessageView& view) = 0;
    /// Done with the view of the last receive.
    virtual void release() {}
    /// True for datagram links: loss and reordering are counted, not errors.
    [[nodiscard]] virtual bool datagrams() const { return false; }
};

/// A link over a byte stream (pipe, stream socket): messages are cut out of a read buffer by
/// the length in their header and checked there; the kernel's copy into the buffer is the only one.
class StreamLink : public Link {
public:
    explicit StreamLink(std::size_t maxMessage);
    base::Status send(const unsigned char* msg, std::size_t n) override { return writeAll(msg, n); }
    base::Status receive(MessageView& view) override;
    void release() override { m_pos += m_taken; m_taken = 0; }

protected:
    /// Reads what is there (blocking until something is); 0 at the end of the stream.
    virtual base::Result<std::size_t> readSome(unsigned char* p, std::size_t n) = 0;
    virtual base::Status writeAll(const unsigned char* p, std::size_t n) = 0;

private:
    base::Status fill(std::size_t n);
    std::vector<unsigned char> m_buffer;
    std::size_t m_maxMessage;
    std::size_t m_pos = 0;
    std::size_t m_end = 0;
    std::size_t m_taken = 0;
};

/// Opens the transport of `o`: as receiver, prints the ready line (via `ready`) and waits for
/// the sender; as sender, connects to o.endpoint.
using OpenFn = std::function<base::Result<std::unique_ptr<Link>>(const ProbeOptions& o, const std::function<void(const std::string&)>& ready)>;

/// Counts what one side moved and prints a sample line per interval.
class Reporter {
public:
    explicit Reporter(const ProbeOptions& options);
    /// Starts the clock (call when both ends are connected).
    void start();
    /// `bytes` moved in one message.
    void add(std::uint64_t bytes) {
        m_total += bytes;
        m_intervalBytes += bytes;
        ++m_intervalMessages;
        ++m_messages;
        if ((m_messages & 63u) == 0 || bytes >= 4096) tick();
    }
    /// True once the deadline has passed at `now`.
    [[nodiscard]] bool expired(std::chrono::steady_clock::time_point now) const;
    /// Prints the last sample and the done line.
    void finish(std::uint64_t lost, std::uint64_t reordered);
    [[nodiscard]] std::uint64_t total() const { return m_total; }
    [[nodiscard]] std::uint64_t messages() const { return m_messages; }

private:
    using Clock = std::chrono::steady_clock;
    void tick();
    void emitSample(Clock::time_point now);
    std::uint64_t usSinceStart(Clock::time_point now) const;

    ProbeOptions m_options;
    Clock::time_point m_start{};
    Clock::time_point m_deadline{};
    Clock::time_point m_nextSample{};
    std::uint64_t m_total = 0;
    std::uint64_t m_messages = 0;
    std::uint64_t m_intervalBytes = 0;
    std::uint64_t m_intervalMessages = 0;
    std::uint64_t m_lastSampleUs = 0;
};

/// Round-trip times in an HDR-style histogram: exact below 128 ns, then 64 buckets per power
/// of two (at most 1.6% above the true value).
class LatencyHistogram {
public:
    void add(std::uint64_t ns);
    /// The value at quantile q (0..1]; 0 when empty.
    [[nodiscard]] std::uint64_t quantile(double q) const;
    [[nodiscard]] std::uint64_t count() const { return m_count; }
    static std::size_t bucketOf(std::uint64_t ns);
    static std::uint64_t valueOf(std::size_t bucket);

private:
    std::vector<std::uint64_t> m_buckets = std::vector<std::uint64_t>(128 + 64 * 58, 0);
    std::uint64_t m_count = 0;
};

/// Parses the options, prints the handshake, opens the link, runs the role and prints done or
/// error. `transports` are the names this executable serves. Exit code: 0 done, 1 error, 2 usage.
int probeMain(int argc, char** argv, const std::vector<std::string>& transports, const OpenFn& open);

/// Writes one protocol line to stdout and flushes it.
void writeLine(const std::string& line);

}  // namespace ipcscope::probe
