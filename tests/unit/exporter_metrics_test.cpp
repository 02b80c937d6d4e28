// The exporter's metrics as pure functions: the exposition text from synthetic snapshots.

#include "exporter/metrics.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>

using namespace ipcscope;

namespace {

core::IpcObject object(core::Kind kind, std::string name, std::vector<std::int64_t> pids,
                       std::optional<std::uint64_t> size = std::nullopt, std::string command = "cmd") {
    core::IpcObject o;
    o.kind = kind;
    o.name = std::move(name);
    o.size = size;
    for (auto p : pids) o.addHolder({p, command, "fd 3"});
    return o;
}

core::Snapshot linuxSnapshot() {
    core::Snapshot s;
    s.platform = core::Platform::Linux;
    s.families = {core::Family::Pipes, core::Family::Mappings};
    s.duration = std::chrono::milliseconds(30);
    s.deniedProcesses = 3;
    s.objects.push_back(object(core::Kind::Fifo, "/tmp/a", {10}));
    s.objects.push_back(object(core::Kind::Fifo, "/tmp/b", {10, 11}));
    s.objects.push_back(object(core::Kind::PosixShm, "/dev/shm/x", {11}, 4096));
    s.objects.push_back(object(core::Kind::PosixShm, "/dev/shm/y", {12}, 1000));
    auto sock = object(core::Kind::UnixSocket, "@s", {10});
    sock.details["recv_queue"] = 7U;
    sock.details["send_queue"] = 5U;
    s.objects.push_back(sock);
    return s;
}

// Every sample line "name{labels} value" as name -> lines; also checks each name (or the
// histogram it belongs to) was announced by # HELP and # TYPE before its first sample.
std::multimap<std::string, std::string> samples(const std::string& text) {
    std::multimap<std::string, std::string> out;
    std::set<std::string> helped, typed;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.starts_with("# HELP ")) helped.insert(line.substr(7, line.find(' ', 7) - 7));
        else if (line.starts_with("# TYPE ")) typed.insert(line.substr(7, line.find(' ', 7) - 7));
        else if (!line.empty()) {
            std::string name = line.substr(0, line.find_first_of("{ "));
            std::string base = name;
            for (const char* suffix : {"_bucket", "_sum", "_count"})
                if (base.ends_with(suffix) && !typed.contains(base)) base = base.substr(0, base.size() - std::strlen(suffix));
            EXPECT_TRUE(helped.contains(base)) << "no # HELP before " << line;
            EXPECT_TRUE(typed.contains(base)) << "no # TYPE before " << line;
            out.emplace(name, line);
        }
    }
    return out;
}

std::string valueOf(const std::multimap<std::string, std::string>& s, const std::string& name, const std::string& labels) {
    auto [b, e] = s.equal_range(name);
    for (auto it = b; it != e; ++it)
        if (it->second.starts_with(name + (labels.empty() ? "" : "{" + labels + "}") + " "))
            return it->second.substr(it->second.rfind(' ') + 1);
    return "absent";
}

}  // namespace

TEST(ExporterMetrics, ObjectsBytesAndQueuesFromASnapshot) {
    const auto snap = linuxSnapshot();
    exporter::SnapshotStats stats;
    stats.record(snap);
    exporter::MetricsInput in{&snap, &stats, nullptr, 100, core::Platform::Linux, "1.2.3"};
    const auto s = samples(exporter::renderMetrics(in));
    EXPECT_EQ(valueOf(s, "ipcscope_objects", "family=\"pipes\",kind=\"fifo\""), "2");
    EXPECT_EQ(valueOf(s, "ipcscope_objects", "family=\"mappings\",kind=\"posix-shm\""), "2");
    EXPECT_EQ(valueOf(s, "ipcscope_objects", "family=\"mappings\",kind=\"memfd\""), "0");  // supported, none
    EXPECT_EQ(valueOf(s, "ipcscope_objects", "family=\"pipes\",kind=\"named-pipe\""), "absent");  // not on Linux
    EXPECT_EQ(valueOf(s, "ipcscope_object_bytes", "family=\"mappings\",kind=\"posix-shm\""), "5096");
    EXPECT_EQ(valueOf(s, "ipcscope_unix_socket_queue_bytes", "direction=\"receive\""), "7");
    EXPECT_EQ(valueOf(s, "ipcscope_unix_socket_queue_bytes", "direction=\"send\""), "5");
    EXPECT_EQ(valueOf(s, "ipcscope_denied_processes", ""), "3");
    EXPECT_EQ(valueOf(s, "ipcscope_build_info", "version=\"1.2.3\",platform=\"linux\""), "1");
    EXPECT_EQ(valueOf(s, "ipcscope_process_objects", "pid=\"10\",command=\"cmd\",family=\"pipes\""), "3");
    EXPECT_EQ(valueOf(s, "ipcscope_process_objects", "pid=\"11\",command=\"cmd\",family=\"mappings\""), "1");
    EXPECT_EQ(valueOf(s, "ipcscope_snapshot_duration_seconds_bucket", "le=\"0.025\""), "0");
    EXPECT_EQ(valueOf(s, "ipcscope_snapshot_duration_seconds_bucket", "le=\"0.05\""), "1");
    EXPECT_EQ(valueOf(s, "ipcscope_snapshot_duration_seconds_bucket", "le=\"+Inf\""), "1");
    EXPECT_EQ(valueOf(s, "ipcscope_snapshot_duration_seconds_count", ""), "1");
}

TEST(ExporterMetrics, WindowsHasNoUnixQueuesAndBeforeTheFirstSnapshotOnlyTheBasics) {
    auto snap = linuxSnapshot();
    snap.platform = core::Platform::Windows;
    exporter::MetricsInput in{&snap, nullptr, nullptr, 10, core::Platform::Windows, "1"};
    auto s = samples(exporter::renderMetrics(in));
    EXPECT_EQ(valueOf(s, "ipcscope_unix_socket_queue_bytes", "direction=\"receive\""), "absent");
    EXPECT_EQ(valueOf(s, "ipcscope_objects", "family=\"pipes\",kind=\"named-pipe\""), "0");

    exporter::SnapshotStats stats;
    exporter::MetricsInput none{nullptr, &stats, nullptr, 10, core::Platform::Linux, "1"};
    s = samples(exporter::renderMetrics(none));
    EXPECT_EQ(valueOf(s, "ipcscope_snapshots_total", ""), "0");
    EXPECT_EQ(valueOf(s, "ipcscope_objects", "family=\"pipes\",kind=\"fifo\""), "absent");
}

TEST(ExporterMetrics, ErrorsAccumulateByFamilyAndCode) {
    auto snap = linuxSnapshot();
    snap.errors.push_back({core::Family::Clipboard, std::nullopt, core::Error::make(core::Errc::NotFound, "no X display")});
    snap.errors.push_back({std::nullopt, std::nullopt, core::Error::make(core::Errc::PermissionDenied, "x")});
    exporter::SnapshotStats stats;
    stats.record(snap);
    stats.record(snap);
    exporter::MetricsInput in{&snap, &stats, nullptr, 10, core::Platform::Linux, "1"};
    const auto s = samples(exporter::renderMetrics(in));
    EXPECT_EQ(valueOf(s, "ipcscope_snapshot_errors_total", "family=\"clipboard\",code=\"not-found\""), "2");
    EXPECT_EQ(valueOf(s, "ipcscope_snapshot_errors_total", "family=\"snapshot\",code=\"permission-denied\""), "2");
    EXPECT_EQ(valueOf(s, "ipcscope_snapshots_total", ""), "2");
}

// 10,000 processes, each holding objects in two families: 20,000 candidate series, capped.
TEST(ExporterMetrics, MaxSeriesCapsProcessSeriesWithTenThousandProcesses) {
    core::Snapshot snap;
    snap.platform = core::Platform::Linux;
    snap.families = {core::Family::Pipes, core::Family::Sockets};
    for (std::int64_t pid = 1; pid <= 10000; ++pid) {
        const int fifos = pid % 7 == 0 ? 5 : 1;  // every 7th process holds more: those rank first
        for (int i = 0; i < fifos; ++i)
            snap.objects.push_back(object(core::Kind::Fifo, "/tmp/f" + std::to_string(pid) + "-" + std::to_string(i), {pid}));
        snap.objects.push_back(object(core::Kind::TcpSocket, "127.0.0.1:" + std::to_string(pid), {pid}));
    }
    for (std::size_t cap : {1UL, 250UL, 1000UL}) {
        exporter::MetricsInput in{&snap, nullptr, nullptr, cap, core::Platform::Linux, "1"};
        const auto s = samples(exporter::renderMetrics(in));
        EXPECT_EQ(s.count("ipcscope_process_objects"), cap);
        EXPECT_EQ(valueOf(s, "ipcscope_process_objects_omitted_series", ""), std::to_string(20000 - cap));
        auto [b, e] = s.equal_range("ipcscope_process_objects");
        for (auto it = b; it != e; ++it) EXPECT_TRUE(it->second.ends_with(" 5")) << it->second;  // the largest only
    }
    std::size_t omitted = 0;
    const auto top = exporter::topProcessSeries(snap, 3, omitted);
    ASSERT_EQ(top.size(), 3U);
    EXPECT_EQ(top[0].pid, 7);
    EXPECT_EQ(top[1].pid, 14);
    EXPECT_EQ(top[0].family, core::Family::Pipes);
}

TEST(ExporterMetrics, LabelValuesAreEscapedValidUtf8AndBounded) {
    EXPECT_EQ(exporter::labelValue("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    EXPECT_EQ(exporter::labelValue("ok\xff\xfe" "x"), "ok\xEF\xBF\xBD\xEF\xBF\xBDx");
    EXPECT_EQ(exporter::labelValue("caf\xC3\xA9"), "caf\xC3\xA9");
    EXPECT_EQ(exporter::labelValue("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate is invalid
    EXPECT_EQ(exporter::labelValue(std::string(1000, 'a')).size(), 128U);
    EXPECT_EQ(exporter::labelValue("caf\xC3\xA9", 4), "caf");  // never cuts a character
}

TEST(ExporterMetrics, MailslotCountersCapSlotsFromTheNetwork) {
    exporter::MailslotStats m;
    auto datagram = [](const std::string& slot, const std::string& ip) {
        core::ReceivedDatagram d;
        d.peerIp = ip;
        d.inspection.mailslot = wire::MailslotWrite{};
        d.inspection.mailslot->slot = slot;
        return d;
    };
    for (int i = 0; i < 200; ++i) m.record(datagram("\\MAILSLOT\\S" + std::to_string(i), "10.0.0." + std::to_string(i % 5)));
    auto oversized = datagram("\\MAILSLOT\\S0", "10.0.0.9");
    oversized.oversized = true;
    m.record(oversized);
    core::ReceivedDatagram bad;
    bad.peerIp = "10.0.0.1";
    bad.inspection.error = wire::DecodeError{};
    m.record(bad);
    m.setDropped(4, 2);
    EXPECT_EQ(m.slots().size(), exporter::MailslotStats::kMaxSlots + 2);  // and (other), (none)
    EXPECT_EQ(m.senders(), 6U);

    exporter::MetricsInput in{nullptr, nullptr, &m, 10, core::Platform::Linux, "1"};
    const auto s = samples(exporter::renderMetrics(in));
    EXPECT_EQ(valueOf(s, "ipcscope_mailslot_datagrams_total", "slot=\"\\\\MAILSLOT\\\\S0\",result=\"ok\""), "1");
    EXPECT_EQ(valueOf(s, "ipcscope_mailslot_datagrams_total", "slot=\"\\\\MAILSLOT\\\\S0\",result=\"oversized\""), "1");
    EXPECT_EQ(valueOf(s, "ipcscope_mailslot_datagrams_total", "slot=\"(none)\",result=\"malformed\""), "1");
    EXPECT_EQ(valueOf(s, "ipcscope_mailslot_datagrams_total", "slot=\"(none)\",result=\"dropped\""), "4");
    EXPECT_EQ(valueOf(s, "ipcscope_mailslot_datagrams_total", "slot=\"(none)\",result=\"kernel_dropped\""), "2");
    EXPECT_EQ(valueOf(s, "ipcscope_mailslot_datagrams_total", "slot=\"(other)\",result=\"ok\""), "136");
    EXPECT_EQ(valueOf(s, "ipcscope_mailslot_senders", ""), "6");
}
