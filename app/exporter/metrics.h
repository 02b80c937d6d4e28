#pragma once
/// The Prometheus exporter's metrics as pure functions over snapshots: what accumulates from one
/// snapshot to the next (a duration histogram, error counters, mailslot datagram counters), and
/// the text exposition format (version 0.0.4) rendered from it. No sockets, no threads.

#include "core/datagram_render.h"
#include "core/model.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ipcscope::exporter {

/// The Content-Type of the text exposition format.
inline constexpr std::string_view kExpositionContentType = "text/plain; version=0.0.4; charset=utf-8";

/// Default cap of `ipcscope_process_objects` series (one per process and family).
inline constexpr std::size_t kDefaultMaxSeries = 500;

/// Upper bounds (seconds) of the snapshot duration histogram's buckets; +Inf is implied.
inline constexpr std::array kDurationBuckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0};

/// A Prometheus histogram with the fixed buckets above.
struct DurationHistogram {
    std::array<std::uint64_t, kDurationBuckets.size()> buckets{};  ///< non-cumulative counts
    std::uint64_t count = 0;
    double sum = 0;

    void observe(double seconds);
};

/// What accumulates over the snapshots the exporter has seen. Call record() once per new snapshot.
class SnapshotStats {
public:
    void record(const core::Snapshot& snap);

    [[nodiscard]] const DurationHistogram& duration() const noexcept { return m_duration; }
    /// Errors per (family or "snapshot", portable code) since start.
    [[nodiscard]] const std::map<std::pair<std::string, std::string>, std::uint64_t>& errors() const noexcept {
        return m_errors;
    }
    [[nodiscard]] std::uint64_t snapshots() const noexcept { return m_snapshots; }

private:
    DurationHistogram m_duration;
    std::map<std::pair<std::string, std::string>, std::uint64_t> m_errors;
    std::uint64_t m_snapshots = 0;
};

/// Mailslot datagram counters by slot and result. Slot names come from the network, so the
/// number of slots is capped: datagrams for slots past the cap count under kOtherSlot, and the
/// set of distinct senders stops growing at kMaxSenders.
class MailslotStats {
public:
    static constexpr std::size_t kMaxSlots = 64;
    static constexpr std::size_t kMaxSenders = 65536;
    static constexpr std::string_view kOtherSlot = "(other)";
    static constexpr std::string_view kNoSlot = "(none)";  ///< malformed before the slot name, or dropped

    /// Counts one received datagram: ok, malformed or oversized, under its slot.
    void record(const core::ReceivedDatagram& d);
    /// The receiver's totals of datagrams it never decoded: dropped while the queue was full,
    /// and dropped by the kernel (socket buffer overflow), where the platform reports them.
    void setDropped(std::uint64_t dropped, std::uint64_t kernelDropped);

    /// Counts per slot, each in the order ok, malformed, oversized.
    [[nodiscard]] const std::map<std::string, std::array<std::uint64_t, 3>>& slots() const noexcept { return m_slots; }
    [[nodiscard]] std::uint64_t dropped() const noexcept { return m_dropped; }
    [[nodiscard]] std::uint64_t kernelDropped() const noexcept { return m_kernelDropped; }
    [[nodiscard]] std::size_t senders() const noexcept { return m_senders.size(); }

private:
    std::map<std::string, std::array<std::uint64_t, 3>> m_slots;
    std::set<std::string> m_senders;
    std::size_t m_named = 0;  ///< slots counted under their own name
    std::uint64_t m_dropped = 0;
    std::uint64_t m_kernelDropped = 0;
};

/// One `ipcscope_process_objects` series: how many objects of a family a process holds.
struct ProcessSeries {
    std::int64_t pid = 0;
    std::string command;
    core::Family family{};
    std::uint64_t objects = 0;
};

/// The (process, family) pairs with the most objects, at most `maxSeries` of them, largest
/// first (ties by pid, then family). `omitted` receives how many pairs were left out.
[[nodiscard]] std::vector<ProcessSeries> topProcessSeries(const core::Snapshot& snap, std::size_t maxSeries,
                                                          std::size_t& omitted);

/// A label value as the exposition format wants it: valid UTF-8 (invalid bytes become U+FFFD),
/// at most `maxBytes` long, with backslash, double quote and newline escaped.
[[nodiscard]] std::string labelValue(std::string_view raw, std::size_t maxBytes = 128);

/// Everything the /metrics page is rendered from.
struct MetricsInput {
    const core::Snapshot* snapshot = nullptr;   ///< null before the first snapshot
    const SnapshotStats* stats = nullptr;
    const MailslotStats* mailslots = nullptr;   ///< null unless a mailslot listener runs
    std::size_t maxSeries = kDefaultMaxSeries;
    core::Platform platform = core::Platform::Unsupported;
    std::string version;
};

/// The text exposition format: every metric family with its # HELP and # TYPE lines.
[[nodiscard]] std::string renderMetrics(const MetricsInput& in);

}  // namespace ipcscope::exporter
