#include "probe_main.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string_view>
#include <thread>

#if defined(_WIN32)
#include <fcntl.h>
#include <io.h>
#include <process.h>
#define IPCSCOPE_GETPID _getpid
#else
#include <unistd.h>
#define IPCSCOPE_GETPID getpid
#endif

namespace ipcscope::probe {
namespace {

using base::Errc;
using base::Error;
using base::Status;
using Clock = std::chrono::steady_clock;

constexpr std::uint64_t kMaxBytes = 1ull << 40;
constexpr std::uint64_t kMaxMessage = 16ull << 20;
constexpr std::uint64_t kHeader = sizeof(MessageHeader);
/// A datagram receiver that has seen messages gives up after this much silence without an end marker.
constexpr auto kDatagramSilence = std::chrono::seconds(3);

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

int usage(const char* prog, const std::string& why) {
    std::fprintf(stderr,
                 "%s: %s\nusage: %s --transport T --role sender|receiver [--mode bulk|pingpong] [--endpoint E] [--bytes N]\n"
                 "       [--message-size N] [--interval-ms N] [--seconds N] [--spin] [--corrupt-message N]\n"
                 "One end of an ipcscope probe run; prints ipcscope probe protocol lines on stdout.\n",
                 prog, why.c_str(), prog);
    return 2;
}

MessageHeader headerOf(const MessageView& v) {
    MessageHeader h{};
    std::memcpy(&h, v.data, sizeof h);
    return h;
}

Error mismatch(const std::string& what) { return Error::make(Errc::Malformed, "verification failed: " + what); }

/// Sends message `seq`: its number and checksum in the header, its payload stamped with the
/// number; with --corrupt-message, one payload byte of that message is flipped on the way out.
Status sendMessage(const ProbeOptions& o, Link& link, std::span<unsigned char> msg, PayloadStamper& stamper, std::uint64_t seq) {
    const MessageHeader h{seq, static_cast<std::uint32_t>(msg.size()), 0, stamper.stamp(seq)};
    std::memcpy(msg.data(), &h, sizeof h);
    const bool corrupt = o.corruptMessage == seq + 1;
    const std::size_t at = kHeader + static_cast<std::size_t>(seq % (msg.size() - kHeader));
    if (corrupt) msg[at] ^= 0x5a;
    Status st = link.send(msg.data(), msg.size());
    if (corrupt) msg[at] ^= 0x5a;
    return st;
}

/// The ping-pong sender: each ping waits for its echo. When the echo is there, the next ping goes
/// out first; then the clock is read and the echo checked and its slot handed back, so that this
/// side's checks and bookkeeping overlap the next round trip instead of lengthening it (a
/// mismatch still ends the run). The clock is read once per round trip, right after a ping went
/// out: a round trip is the time from one such reading to the next, the whole cycle of one ping
/// and its echo, this side's work included. Returns the number of pings sent in `sent`.
Status runPingPongSender(const ProbeOptions& o, Link& link, Reporter& reporter, LatencyHistogram& rtt, std::uint64_t& lost,
                         std::uint64_t& reordered, std::span<unsigned char> msg, PayloadStamper& stamper, std::uint64_t count,
                         std::uint64_t& sent) {
    auto sendPing = [&](std::uint64_t seq) { return sendMessage(o, link, msg, stamper, seq); };
    reporter.start();
    sent = 0;
    auto now = Clock::now();
    if (count == 0 || reporter.expired(now)) return base::okStatus();
    if (auto st = sendPing(0); !st) return st;
    sent = 1;
    auto sentAt = Clock::now();
    while (true) {
        const std::uint64_t seq = sent - 1;  // the ping whose echo is awaited
        MessageView v;
        const Status got = link.receive(v);
        if (!got) {
            if (got.error().code != Errc::Timeout || !link.datagrams()) return got;
            ++lost;  // the ping or its echo was dropped; go on with the next one
            if (sent == count || reporter.expired(Clock::now())) return base::okStatus();
            if (auto st = sendPing(sent); !st) return st;
            ++sent;
            sentAt = Clock::now();
            continue;
        }
        const MessageHeader e = headerOf(v);
        if (v.size != msg.size() || e.length != msg.size())
            return mismatch("echo of message " + std::to_string(seq) + " has " + std::to_string(v.size) + " bytes");
        if (e.seq != seq) {
            if (payloadChecksum(v.data + kHeader, v.size - kHeader) != e.checksum)
                return mismatch("the echo of message " + std::to_string(e.seq) + " does not match its checksum");
            link.release();
            if (!link.datagrams() || e.seq > seq)
                return mismatch("echo " + std::to_string(e.seq) + " arrived while waiting for " + std::to_string(seq));
            ++reordered;  // a late echo of a ping already counted lost
            continue;
        }
        // `now` is the previous reading: the deadline is looked at one round trip late.
        const bool more = sent < count && !reporter.expired(now);
        if (more) {
            if (auto st = sendPing(sent); !st) return st;
            ++sent;
        }
        now = Clock::now();
        const auto roundTrip = now - sentAt;
        sentAt = now;
        if (payloadChecksum(v.data + kHeader, v.size - kHeader) != e.checksum)
            return mismatch("the echo of message " + std::to_string(e.seq) + " does not match its checksum");
        link.release();
        rtt.add(static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(roundTrip).count()));
        reporter.add(msg.size());
        if (!more) return base::okStatus();
    }
}

/// The sender: streams messages (bulk) or sends each and waits for its echo (ping-pong).
Status runSender(const ProbeOptions& o, Link& link, Reporter& reporter, LatencyHistogram& rtt, std::uint64_t& lost,
                 std::uint64_t& reordered) {
    const std::uint64_t count = (o.bytes + o.messageSize - 1) / o.messageSize;
    // The message is copied from here into the transport, from half a page off the ring's slots.
    PageOffsetBuffer storage(o.messageSize, kMessagePageOffset);
    const std::span<unsigned char> msg = storage.bytes();
    for (std::size_t i = kHeader; i < msg.size(); ++i) msg[i] = static_cast<unsigned char>(i * 131u + 7u);
    PayloadStamper stamper(msg.data() + kHeader, msg.size() - kHeader);
    std::uint64_t seq = 0;
    if (o.mode == ProbeMode::PingPong) {
        if (auto st = runPingPongSender(o, link, reporter, rtt, lost, reordered, msg, stamper, count, seq); !st) return st;
    } else {
        const bool checkClockEach = o.messageSize >= 4096;
        reporter.start();
        for (; seq < count; ++seq) {
            if ((checkClockEach || (seq & 63u) == 0) && reporter.expired(Clock::now())) break;
            if (auto st = sendMessage(o, link, msg, stamper, seq); !st) return st;
            reporter.add(msg.size());
        }
    }
    const MessageHeader end{seq, static_cast<std::uint32_t>(kHeader), kEndFlag, 0};
    std::memcpy(msg.data(), &end, sizeof end);
    // A datagram may be dropped: the end marker goes three times (the receiver stops at the first).
    for (int i = 0; i < (link.datagrams() ? 3 : 1); ++i) {
        if (auto st = link.send(msg.data(), kHeader); !st) return st;
        if (link.datagrams()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return base::okStatus();
}

/// The receiver: checks every message in place; in ping-pong sends it back.
Status runReceiver(const ProbeOptions& o, Link& link, Reporter& reporter, std::uint64_t& lost, std::uint64_t& reordered) {
    reporter.start();
    std::uint64_t expect = 0;
    std::uint64_t arrived = 0;
    auto lastArrival = Clock::now();
    while (true) {
        MessageView v;
        if (auto st = link.receive(v); !st) {
            if (st.error().code == Errc::Timeout && link.datagrams()) {
                if (arrived > 0 && Clock::now() - lastArrival > kDatagramSilence)
                    return Error::make(Errc::Timeout, "no end marker: the sender fell silent after " + std::to_string(arrived) + " messages");
                continue;
            }
            return st;
        }
        if (link.datagrams()) lastArrival = Clock::now();
        if (v.size < kHeader) return mismatch("a message of " + std::to_string(v.size) + " bytes, shorter than its header");
        const MessageHeader h = headerOf(v);
        if (h.flags & kEndFlag) {
            link.release();
            if (link.datagrams()) {
                lost = h.seq >= arrived ? h.seq - arrived : 0;
            } else if (h.seq != arrived) {
                return mismatch("the end marker counts " + std::to_string(h.seq) + " messages sent, " + std::to_string(arrived) +
                                " arrived");
            }
            return base::okStatus();
        }
        // In ping-pong the echo goes out first and the message is checked while the echo travels
        // (the sender checks the echo as well); a mismatch still ends the run.
        if (o.mode == ProbeMode::PingPong)
            if (auto st = link.send(v.data, v.size); !st) return st;
        if (h.length != v.size || v.size != o.messageSize)
            return mismatch("message " + std::to_string(h.seq) + " has " + std::to_string(v.size) + " bytes (header says " +
                            std::to_string(h.length) + ", expected " + std::to_string(o.messageSize) + ")");
        if (payloadChecksum(v.data + kHeader, v.size - kHeader) != h.checksum)
            return mismatch("message " + std::to_string(h.seq) + " does not match its checksum");
        if (h.seq != expect) {
            if (!link.datagrams())
                return mismatch("message " + std::to_string(h.seq) + " arrived where " + std::to_string(expect) + " was expected");
            if (h.seq > expect) expect = h.seq + 1;
            else ++reordered;
        } else {
            ++expect;
        }
        link.release();
        ++arrived;
        reporter.add(v.size);
    }
}

void startWatchdog(double seconds) {
    const auto limit = std::chrono::milliseconds(static_cast<std::int64_t>((seconds + kGraceSeconds) * 1000.0));
    std::thread([limit] {
        std::this_thread::sleep_for(limit);
        writeLine(wire::formatProbeError("the run did not end within its deadline plus " + std::to_string(kGraceSeconds) + " s"));
        std::_Exit(1);
    }).detach();
}

}  // namespace

// A stamp sits at the start of a whole 32-byte block (word 0 of the block: the first lane), so
// it is summed into `a` of payloadChecksum; blocks that end past the payload are not stamped
// (the tail bytes are weighed differently).
PayloadStamper::PayloadStamper(unsigned char* payload, std::size_t n) noexcept
    : m_payload(payload), m_stamps(n >= 32 ? (n - 32) / kStampStride + 1 : 0) {
    static_assert(kStampStride % 32 == 0);
    for (std::size_t i = 0; i < m_stamps; ++i) std::memset(m_payload + i * kStampStride, 0, sizeof(std::uint64_t));
    m_zeroChecksum = payloadChecksum(payload, n);
}

std::uint64_t PayloadStamper::stamp(std::uint64_t seq) noexcept {
    for (std::size_t i = 0; i < m_stamps; ++i) std::memcpy(m_payload + i * kStampStride, &seq, sizeof seq);
    return m_zeroChecksum + static_cast<std::uint64_t>(m_stamps) * seq * kChecksumLaneWeightA;
}

StreamLink::StreamLink(std::size_t maxMessage)
    : m_buffer(std::max<std::size_t>(std::size_t{1} << 20, 2 * maxMessage)), m_maxMessage(maxMessage) {}

Status StreamLink::fill(std::size_t n) {
    while (m_end - m_pos < n) {
        if (m_pos + n > m_buffer.size()) {
            std::memmove(m_buffer.data(), m_buffer.data() + m_pos, m_end - m_pos);
            m_end -= m_pos;
            m_pos = 0;
        }
        auto got = readSome(m_buffer.data() + m_end, m_buffer.size() - m_end);
        if (!got) return got.error();
        if (*got == 0)
            return Error::make(Errc::Io, "the other end closed the stream " + std::string(m_end > m_pos ? "inside a message" : "before the end marker"));
        m_end += *got;
    }
    return base::okStatus();
}

Status StreamLink::receive(MessageView& view) {
    if (auto st = fill(kHeader); !st) return st;
    MessageHeader h{};
    std::memcpy(&h, m_buffer.data() + m_pos, sizeof h);
    if (h.length < kHeader || h.length > m_maxMessage)
        return mismatch("message " + std::to_string(h.seq) + " claims " + std::to_string(h.length) + " bytes");
    if (auto st = fill(h.length); !st) return st;
    view.data = m_buffer.data() + m_pos;
    view.size = h.length;
    m_taken = h.length;
    return base::okStatus();
}

void writeLine(const std::string& line) {
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fflush(stdout);
}

Reporter::Reporter(const ProbeOptions& options) : m_options(options) { start(); }

void Reporter::start() {
    m_start = Clock::now();
    m_deadline = m_start + std::chrono::milliseconds(static_cast<std::int64_t>(m_options.seconds * 1000.0));
    m_nextSample = m_start + std::chrono::milliseconds(m_options.intervalMs);
    m_total = m_messages = m_intervalBytes = m_intervalMessages = m_lastSampleUs = 0;
}

std::uint64_t Reporter::usSinceStart(Clock::time_point now) const {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(now - m_start).count());
}

void Reporter::tick() {
    const auto now = Clock::now();
    if (now >= m_nextSample) {
        emitSample(now);
        while (m_nextSample <= now) m_nextSample += std::chrono::milliseconds(m_options.intervalMs);
    }
}

bool Reporter::expired(Clock::time_point now) const { return now >= m_deadline; }

void Reporter::emitSample(Clock::time_point now) {
    const std::uint64_t us = std::max(usSinceStart(now), m_lastSampleUs);
    writeLine(wire::formatProbeSample({us, m_intervalBytes, m_intervalMessages}));
    m_lastSampleUs = us;
    m_intervalBytes = m_intervalMessages = 0;
}

void Reporter::finish(std::uint64_t lost, std::uint64_t reordered) {
    const auto now = Clock::now();
    if (m_intervalBytes > 0 || m_intervalMessages > 0 || m_lastSampleUs == 0) emitSample(now);
    writeLine(wire::formatProbeDone({m_total, std::max(usSinceStart(now), m_lastSampleUs), m_messages, lost, reordered}));
}

std::size_t LatencyHistogram::bucketOf(std::uint64_t ns) {
    if (ns < 128) return static_cast<std::size_t>(ns);
    const int shift = static_cast<int>(std::bit_width(ns)) - 7;  // 1.. : keeps the top 7 bits
    return 128 + static_cast<std::size_t>(shift - 1) * 64 + static_cast<std::size_t>((ns >> shift) - 64);
}

std::uint64_t LatencyHistogram::valueOf(std::size_t bucket) {
    if (bucket < 128) return bucket;
    const std::size_t shift = (bucket - 128) / 64 + 1;
    const std::uint64_t top = 64 + (bucket - 128) % 64;
    return (top << shift) + ((std::uint64_t{1} << shift) - 1);  // the highest value of the bucket
}

void LatencyHistogram::add(std::uint64_t ns) {
    ++m_buckets[std::min(bucketOf(ns), m_buckets.size() - 1)];
    ++m_count;
}

std::uint64_t LatencyHistogram::quantile(double q) const {
    if (m_count == 0) return 0;
    const auto want = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(m_count))));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < m_buckets.size(); ++i) {
        seen += m_buckets[i];
        if (seen >= want) return valueOf(i);
    }
    return valueOf(m_buckets.size() - 1);
}

int probeMain(int argc, char** argv, const std::vector<std::string>& transports, const OpenFn& open) {
#if defined(_WIN32)
    _setmode(_fileno(stdout), _O_BINARY);
#else
    std::signal(SIGPIPE, SIG_IGN);
#endif
    const char* prog = argc > 0 ? argv[0] : "ipcscope-probe";
    ProbeOptions o;
    o.transport = transports.front();
    bool haveRole = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--spin") {
            o.spin = true;
            continue;
        }
        if (a == "--help" || a == "-h") return usage(prog, "help"), 0;
        if (i + 1 >= argc) return usage(prog, "unknown option or missing value: " + std::string(a));
        const std::string_view val = argv[++i];
        if (a == "--transport") {
            if (std::find(transports.begin(), transports.end(), val) == transports.end())
                return usage(prog, "this probe does not serve transport '" + std::string(val) + "'");
            o.transport = std::string(val);
            continue;
        }
        if (a == "--role") {
            if (val != "sender" && val != "receiver") return usage(prog, "--role is sender or receiver");
            o.role = val == "sender" ? ProbeRole::Sender : ProbeRole::Receiver;
            haveRole = true;
            continue;
        }
        if (a == "--mode") {
            if (val != "bulk" && val != "pingpong") return usage(prog, "--mode is bulk or pingpong");
            o.mode = val == "pingpong" ? ProbeMode::PingPong : ProbeMode::Bulk;
            continue;
        }
        if (a == "--endpoint") {
            o.endpoint = std::string(val);
            continue;
        }
        std::uint64_t v = 0;
        if (!parseU64(argv[i], v)) return usage(prog, std::string(a) + " takes an unsigned number, got '" + argv[i] + "'");
        if (a == "--bytes") {
            if (v == 0 || v > kMaxBytes) return usage(prog, "--bytes must be 1..2^40");
            o.bytes = v;
        } else if (a == "--message-size") {
            if (v < kMinMessage || v > kMaxMessage) return usage(prog, "--message-size must be 32 bytes..16 MiB");
            o.messageSize = v;
        } else if (a == "--interval-ms") {
            if (v < 10 || v > 60000) return usage(prog, "--interval-ms must be 10..60000");
            o.intervalMs = static_cast<std::uint32_t>(v);
        } else if (a == "--seconds") {
            if (v == 0 || v > 3600) return usage(prog, "--seconds must be 1..3600");
            o.seconds = static_cast<double>(v);
        } else if (a == "--corrupt-message") {
            o.corruptMessage = v;
        } else {
            return usage(prog, "unknown option " + std::string(a));
        }
    }
    if (!haveRole) return usage(prog, "--role is required");
    if (o.role == ProbeRole::Sender && o.endpoint.empty()) return usage(prog, "the sender needs --endpoint");

    wire::ProbeHello hello;
    hello.transport = o.transport;
    hello.messageSize = o.messageSize;
    hello.role = o.role;
    hello.mode = o.mode;
    hello.pid = static_cast<std::uint64_t>(IPCSCOPE_GETPID());
    writeLine(wire::formatProbeHello(hello));
    startWatchdog(o.seconds);

    auto fail = [](const Error& e) {
        writeLine(wire::formatProbeError(e.message()));
        return 1;
    };
    auto link = open(o, [](const std::string& endpoint) { writeLine(wire::formatProbeReady(endpoint)); });
    if (!link) return fail(link.error());
    Reporter reporter(o);
    LatencyHistogram rtt;
    std::uint64_t lost = 0, reordered = 0;
    const Status st = o.role == ProbeRole::Sender ? runSender(o, **link, reporter, rtt, lost, reordered)
                                                  : runReceiver(o, **link, reporter, lost, reordered);
    if (!st) return fail(st.error());
    if (o.role == ProbeRole::Sender && o.mode == ProbeMode::PingPong)
        writeLine(wire::formatProbeLatency({rtt.quantile(0.5), rtt.quantile(0.99), rtt.quantile(0.999), rtt.count()}));
    reporter.finish(lost, reordered);
    std::fflush(stdout);
    // Leave without running destructors of the watchdog's world; the link closes with the process.
    link->reset();
    return 0;
}

}  // namespace ipcscope::probe
