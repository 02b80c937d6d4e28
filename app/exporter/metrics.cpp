#include "exporter/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

namespace ipcscope::exporter {

void DurationHistogram::observe(double seconds) {
    for (std::size_t i = 0; i < kDurationBuckets.size(); ++i)
        if (seconds <= kDurationBuckets[i]) {
            ++buckets[i];
            break;
        }
    ++count;
    sum += seconds;
}

void SnapshotStats::record(const core::Snapshot& snap) {
    ++m_snapshots;
    m_duration.observe(std::chrono::duration<double>(snap.duration).count());
    for (const auto& e : snap.errors) {
        std::string family = e.family ? std::string(core::familyName(*e.family)) : std::string("snapshot");
        ++m_errors[{std::move(family), std::string(core::errcName(e.error.code))}];
    }
}

void MailslotStats::record(const core::ReceivedDatagram& d) {
    std::string slot(kNoSlot);
    if (d.inspection.mailslot) slot = d.inspection.mailslot->slot;
    if (d.inspection.mailslot && !m_slots.contains(slot)) {
        if (m_named >= kMaxSlots) slot = kOtherSlot;
        else ++m_named;
    }
    auto& counts = m_slots[slot];
    ++counts[d.malformed() ? 1 : d.oversized ? 2 : 0];
    if (m_senders.size() < kMaxSenders) m_senders.insert(d.peerIp);
}

void MailslotStats::setDropped(std::uint64_t dropped, std::uint64_t kernelDropped) {
    m_dropped = dropped;
    m_kernelDropped = kernelDropped;
}

std::vector<ProcessSeries> topProcessSeries(const core::Snapshot& snap, std::size_t maxSeries, std::size_t& omitted) {
    // Key: pid and family in one integer (families fit in 3 bits).
    std::unordered_map<std::int64_t, std::uint64_t> counts;
    std::unordered_map<std::int64_t, const std::string*> commands;
    constexpr int kShift = 3;
    for (const auto& o : snap.objects) {
        const auto family = static_cast<std::int64_t>(o.family());
        for (auto pid : o.pids) ++counts[pid * (1 << kShift) + family];
        for (const auto& h : o.holders)
            if (!h.command.empty()) commands.try_emplace(h.pid, &h.command);
    }
    std::vector<ProcessSeries> all;
    all.reserve(counts.size());
    for (const auto& [key, n] : counts) {
        ProcessSeries s;
        s.pid = key >> kShift;
        s.family = static_cast<core::Family>(key & ((1 << kShift) - 1));
        s.objects = n;
        all.push_back(std::move(s));
    }
    auto larger = [](const ProcessSeries& a, const ProcessSeries& b) {
        if (a.objects != b.objects) return a.objects > b.objects;
        if (a.pid != b.pid) return a.pid < b.pid;
        return a.family < b.family;
    };
    const std::size_t keep = std::min(maxSeries, all.size());
    std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(keep), all.end(), larger);
    omitted = all.size() - keep;
    all.resize(keep);
    for (auto& s : all)
        if (auto it = commands.find(s.pid); it != commands.end()) s.command = *it->second;
    return all;
}

namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 when the bytes there are not one.
std::size_t utf8Sequence(std::string_view s, std::size_t i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) return 1;
    std::size_t len = 0;
    unsigned lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (b >= 0xC2 && b <= 0xDF) len = 2;
    else if (b == 0xE0) len = 3, lo = 0xA0;
    else if (b >= 0xE1 && b <= 0xEC) len = 3;
    else if (b == 0xED) len = 3, hi = 0x9F;  // no surrogates
    else if (b >= 0xEE && b <= 0xEF) len = 3;
    else if (b == 0xF0) len = 4, lo = 0x90;
    else if (b >= 0xF1 && b <= 0xF3) len = 4;
    else if (b == 0xF4) len = 4, hi = 0x8F;
    else return 0;
    if (i + len > s.size()) return 0;
    for (std::size_t k = 1; k < len; ++k) {
        const auto c = static_cast<unsigned char>(s[i + k]);
        if (c < (k == 1 ? lo : 0x80) || c > (k == 1 ? hi : 0xBF)) return 0;
    }
    return len;
}

// Writes one metric family: its # HELP and # TYPE lines once, then samples.
class Writer {
public:
    void family(std::string_view name, std::string_view type, std::string_view help) {
        m_out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
    }
    /// `labels` is the text between the braces, already escaped ("" for none).
    template <class V>
    void sample(std::string_view name, std::string_view labels, V value) {
        if (labels.empty()) m_out += fmt::format("{} {}\n", name, value);
        else m_out += fmt::format("{}{{{}}} {}\n", name, labels, value);
    }
    std::string take() { return std::move(m_out); }

private:
    std::string m_out;
};

std::string familyKind(core::Family f, core::Kind k) {
    return fmt::format("family=\"{}\",kind=\"{}\"", core::familyName(f), core::kindName(k));
}

void renderObjects(Writer& w, const core::Snapshot& snap) {
    std::map<core::Kind, std::pair<std::uint64_t, std::uint64_t>> perKind;  // objects, bytes
    for (const auto& o : snap.objects) {
        auto& [n, bytes] = perKind[o.kind];
        ++n;
        bytes += o.size.value_or(0);
    }
    std::vector<core::Kind> kinds;
    for (core::Family f : snap.families)
        for (core::Kind k : core::kindsOf(f, snap.platform)) kinds.push_back(k);
    for (const auto& [k, counts] : perKind)
        if (std::find(kinds.begin(), kinds.end(), k) == kinds.end()) kinds.push_back(k);

    w.family("ipcscope_objects", "gauge", "Live IPC objects of each kind in the latest snapshot.");
    for (core::Kind k : kinds) w.sample("ipcscope_objects", familyKind(core::familyOf(k), k), perKind[k].first);
    w.family("ipcscope_object_bytes", "gauge",
             "Sum of the sizes of the objects of each kind whose size is known, in bytes.");
    for (core::Kind k : kinds) w.sample("ipcscope_object_bytes", familyKind(core::familyOf(k), k), perKind[k].second);
}

void renderProcesses(Writer& w, const core::Snapshot& snap, std::size_t maxSeries) {
    std::size_t omitted = 0;
    const auto top = topProcessSeries(snap, maxSeries, omitted);
    w.family("ipcscope_process_objects", "gauge",
             "Objects of a family held by a process, for the processes holding the most (capped by --max-series).");
    for (const auto& s : top)
        w.sample("ipcscope_process_objects",
                 fmt::format("pid=\"{}\",command=\"{}\",family=\"{}\"", s.pid, labelValue(s.command),
                             core::familyName(s.family)),
                 s.objects);
    w.family("ipcscope_process_objects_omitted_series", "gauge",
             "Process and family pairs left out of ipcscope_process_objects by the --max-series cap.");
    w.sample("ipcscope_process_objects_omitted_series", "", omitted);
}

void renderUnixQueues(Writer& w, const core::Snapshot& snap) {
    std::uint64_t receive = 0, send = 0;
    for (const auto& o : snap.objects) {
        if (o.kind != core::Kind::UnixSocket || !o.details.is_object()) continue;
        if (auto it = o.details.find("recv_queue"); it != o.details.end() && it->is_number_unsigned())
            receive += it->get<std::uint64_t>();
        if (auto it = o.details.find("send_queue"); it != o.details.end() && it->is_number_unsigned())
            send += it->get<std::uint64_t>();
    }
    w.family("ipcscope_unix_socket_queue_bytes", "gauge",
             "Bytes queued on connected Unix sockets, summed over all sockets, by direction.");
    w.sample("ipcscope_unix_socket_queue_bytes", "direction=\"receive\"", receive);
    w.sample("ipcscope_unix_socket_queue_bytes", "direction=\"send\"", send);
}

void renderDuration(Writer& w, const DurationHistogram& h) {
    w.family("ipcscope_snapshot_duration_seconds", "histogram", "Time taken by each snapshot.");
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < kDurationBuckets.size(); ++i) {
        cumulative += h.buckets[i];
        w.sample("ipcscope_snapshot_duration_seconds_bucket", fmt::format("le=\"{}\"", kDurationBuckets[i]), cumulative);
    }
    w.sample("ipcscope_snapshot_duration_seconds_bucket", "le=\"+Inf\"", h.count);
    w.sample("ipcscope_snapshot_duration_seconds_sum", "", h.sum);
    w.sample("ipcscope_snapshot_duration_seconds_count", "", h.count);
}

void renderMailslots(Writer& w, const MailslotStats& m) {
    static constexpr std::array<std::string_view, 3> kResults{"ok", "malformed", "oversized"};
    w.family("ipcscope_mailslot_datagrams_total", "counter",
             "Mailslot datagrams received on the listening interface, by slot and result.");
    for (const auto& [slot, counts] : m.slots())
        for (std::size_t i = 0; i < kResults.size(); ++i)
            w.sample("ipcscope_mailslot_datagrams_total",
                     fmt::format("slot=\"{}\",result=\"{}\"", labelValue(slot), kResults[i]), counts[i]);
    const auto none = labelValue(MailslotStats::kNoSlot);
    w.sample("ipcscope_mailslot_datagrams_total", fmt::format("slot=\"{}\",result=\"dropped\"", none), m.dropped());
    w.sample("ipcscope_mailslot_datagrams_total", fmt::format("slot=\"{}\",result=\"kernel_dropped\"", none),
             m.kernelDropped());
    w.family("ipcscope_mailslot_senders", "gauge", "Distinct source addresses of the mailslot datagrams received.");
    w.sample("ipcscope_mailslot_senders", "", m.senders());
}

}  // namespace

std::string labelValue(std::string_view raw, std::size_t maxBytes) {
    std::string out;
    out.reserve(std::min(raw.size(), maxBytes) + 8);
    std::size_t kept = 0;
    for (std::size_t i = 0; i < raw.size();) {
        const std::size_t len = utf8Sequence(raw, i);
        const std::size_t add = len == 0 ? 3 : len;  // U+FFFD is three bytes
        if (kept + add > maxBytes) break;
        kept += add;
        if (len == 0) {
            out += "\xEF\xBF\xBD";
            ++i;
            continue;
        }
        const char c = raw[i];
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out.append(raw.substr(i, len));
        i += len;
    }
    return out;
}

std::string renderMetrics(const MetricsInput& in) {
    Writer w;
    w.family("ipcscope_build_info", "gauge", "Version and platform of the ipcscope serving these metrics (always 1).");
    w.sample("ipcscope_build_info",
             fmt::format("version=\"{}\",platform=\"{}\"", labelValue(in.version), core::platformName(in.platform)), 1);
    const std::uint64_t snapshots = in.stats ? in.stats->snapshots() : 0;
    w.family("ipcscope_snapshots_total", "counter", "Snapshots taken since the exporter started.");
    w.sample("ipcscope_snapshots_total", "", snapshots);
    if (in.stats) {
        renderDuration(w, in.stats->duration());
        w.family("ipcscope_snapshot_errors_total", "counter",
                 "Sources that failed in a snapshot, by family (or snapshot) and portable error code.");
        for (const auto& [key, n] : in.stats->errors())
            w.sample("ipcscope_snapshot_errors_total",
                     fmt::format("family=\"{}\",code=\"{}\"", labelValue(key.first), labelValue(key.second)), n);
    }
    if (const auto* snap = in.snapshot) {
        w.family("ipcscope_last_snapshot_timestamp_seconds", "gauge", "When the latest snapshot was taken (Unix time).");
        w.sample("ipcscope_last_snapshot_timestamp_seconds", "",
                 std::chrono::duration<double>(snap->takenAt.time_since_epoch()).count());
        w.family("ipcscope_elevated", "gauge", "1 when the snapshots run as root (Linux) or elevated (Windows).");
        w.sample("ipcscope_elevated", "", snap->elevated ? 1 : 0);
        w.family("ipcscope_denied_processes", "gauge", "Processes whose fds or handles could not be inspected.");
        w.sample("ipcscope_denied_processes", "", snap->deniedProcesses);
        renderObjects(w, *snap);
        renderProcesses(w, *snap, in.maxSeries);
        if (in.platform == core::Platform::Linux) renderUnixQueues(w, *snap);
    }
    if (in.mailslots) renderMailslots(w, *in.mailslots);
    return w.take();
}

}  // namespace ipcscope::exporter
