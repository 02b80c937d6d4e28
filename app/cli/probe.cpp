// ipcscope probe run TRANSPORT... [--mode bulk|pingpong] [--bytes N] [--message-size N | --sweep] [--seconds S] [--json]
// Runs each transport (and each message size of a sweep) as two probe processes, prints MiB/s
// per interval as the samples arrive (one run) and a summary per run; progress goes to stderr.
// ipcscope probe list [--probe-dir DIR] [--json]
// Shows where each probe executable is found.
// ipcscope probe chart RESULTS.json --out FILE.png [--title T] [--size WxH]
// Draws the runs of a 'probe run --json' output (a sweep) as MiB/s against message size.

#include "base/json.h"
#include "cli/commands.h"
#include "core/throughput.h"
#include "probe_runner/runner.h"
#include "wire/probe_line.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

namespace ipcscope::cli {

namespace {
struct ChartArgs {
    std::string input;
    std::string out;
    std::string title = "Probe throughput by message size (two processes, every message verified)";
    std::string size = "960x540";
};

struct ProbeArgs {
    probe::RunSpec spec;
    std::vector<std::string> transports;
    std::string mode = "bulk";
    std::uint64_t seconds = 10;
    std::uint64_t stallMs = 5000;
    bool sweep = false;
    bool json = false;
};

/// The message sizes of --sweep: 64 B to 4 MiB in powers of 4.
std::vector<std::uint64_t> sweepSizes() {
    std::vector<std::uint64_t> sizes;
    for (std::uint64_t s = 64; s <= (std::uint64_t{4} << 20); s *= 4) sizes.push_back(s);
    return sizes;
}

/// The largest UDP payload over IPv4.
constexpr std::uint64_t kMaxUdpMessage = 65507;

std::string sizeText(std::uint64_t bytes) {
    if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
    if (bytes >= 1024 && bytes % 1024 == 0) return std::to_string(bytes >> 10) + " KiB";
    return std::to_string(bytes) + " B";
}

std::string mib(std::uint64_t bytes) {
    return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / core::kMiB);
}

double perSecond(std::uint64_t count, std::uint64_t us) { return us == 0 ? 0.0 : static_cast<double>(count) * 1e6 / static_cast<double>(us); }

nlohmann::json toJson(const probe::RunSpec& spec, const probe::RunResult& r) {
    const auto& s = r.receiver;
    nlohmann::json j;
    j["transport"] = spec.transport;
    j["mode"] = std::string(wire::probeModeName(spec.mode));
    if (spec.spin) j["spin"] = true;
    j["protocol_version"] = s.hello() ? s.hello()->version : 0;
    j["message_size"] = s.hello() ? s.hello()->messageSize : spec.messageSize;
    j["bytes_requested"] = spec.bytes;
    const std::uint64_t bytes = s.done() ? s.done()->totalBytes : s.sampledBytes();
    const std::uint64_t messages = s.done() ? s.done()->messages : s.sampledMessages();
    const std::uint64_t us = s.done() ? s.done()->elapsedUs : 0;
    j["bytes"] = bytes;
    j["messages"] = messages;
    j["elapsed_us"] = us;
    j["complete"] = r.sender.done() && r.sender.done()->totalBytes >= spec.bytes;
    j["bytes_per_second"] = perSecond(bytes, us);
    j["messages_per_second"] = perSecond(messages, us);
    j["mib_per_s"] = s.averageMiBps();
    j["peak_mib_per_s"] = s.peakMiBps();
    if (spec.mode == wire::ProbeMode::PingPong) {
        const auto& l = r.sender.latency();
        j["latency_ns"] = {{"p50", l ? l->p50Ns : 0}, {"p99", l ? l->p99Ns : 0}, {"p999", l ? l->p999Ns : 0}};
        const std::uint64_t senderUs = r.sender.done() ? r.sender.done()->elapsedUs : 0;
        j["round_trips"] = l ? l->roundTrips : 0;
        j["round_trips_per_second"] = perSecond(l ? l->roundTrips : 0, senderUs);
    }
    j["verified"] = r.verified;
    if (spec.transport == "udp") {
        j["lost"] = r.lost;
        j["reordered"] = r.reordered;
    }
    j["processes"] = {{"receiver", r.receiverPid}, {"sender", r.senderPid}};
    if (r.ringBytes) j["ring_bytes"] = r.ringBytes;
    auto& samples = j["samples"] = nlohmann::json::array();
    for (const auto& p : s.points())
        samples.push_back({{"t_s", p.tSeconds}, {"bytes", p.bytes}, {"messages", p.messages}, {"mib_per_s", p.mibPerSecond}});
    return j;
}

/// One line per finished run.
void printSummary(const probe::RunSpec& spec, const probe::RunResult& r) {
    const auto& d = *r.receiver.done();
    std::string line = spec.transport + " " + std::string(wire::probeModeName(spec.mode)) + (spec.spin ? " spin" : "") + " " +
                       sizeText(spec.messageSize) + ": " +
                       mib(d.totalBytes) + " in " + std::to_string(static_cast<double>(d.elapsedUs) / 1e6).substr(0, 5) + " s = ";
    line += fmt::format("{:.1f} MiB/s, {:.0f} messages/s", r.receiver.averageMiBps(), perSecond(d.messages, d.elapsedUs));
    if (const auto& l = r.sender.latency()) {
        line += fmt::format(", round trip p50 {:.1f} us p99 {:.1f} us p99.9 {:.1f} us", static_cast<double>(l->p50Ns) / 1e3,
                            static_cast<double>(l->p99Ns) / 1e3, static_cast<double>(l->p999Ns) / 1e3);
    }
    if (spec.transport == "udp") line += ", " + std::to_string(r.lost) + " lost, " + std::to_string(r.reordered) + " reordered";
    line += r.verified ? ", verified" : ", NOT verified";
    line += " (pids " + std::to_string(r.senderPid) + " -> " + std::to_string(r.receiverPid) + ")";
    if (r.sender.done() && r.sender.done()->totalBytes < spec.bytes) line += " (stopped by --seconds before all bytes moved)";
    std::printf("%s\n", line.c_str());
}

/// The curves of a 'probe run --json' output: one object or an array of them. Runs that failed
/// (an "error" member) are left out; anything else without a transport, a message size and
/// MiB/s is an error that names the entry.
core::Result<std::vector<core::SweepCurve>> sweepCurves(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return core::Error::make(core::Errc::NotFound, "cannot open " + path);
    std::stringstream text;
    text << in.rdbuf();
    nlohmann::json j = nlohmann::json::parse(text.str(), nullptr, false);
    if (j.is_discarded())
        return core::Error::make(core::Errc::Malformed, path + " is not JSON (expected the output of 'ipcscope probe run --json')");
    if (j.is_object()) j = nlohmann::json::array({j});
    if (!j.is_array()) return core::Error::make(core::Errc::Malformed, path + ": expected a run object or an array of them");
    std::map<std::string, std::size_t> byLabel;
    std::vector<core::SweepCurve> curves;
    for (std::size_t i = 0; i < j.size(); ++i) {
        const auto& run = j[i];
        const auto bad = [&](const char* what) {
            return core::Error::make(core::Errc::Malformed, fmt::format("{}: run {} {}", path, i + 1, what));
        };
        if (!run.is_object()) return bad("is not an object");
        if (run.contains("error")) continue;
        if (!run.contains("transport") || !run["transport"].is_string()) return bad("has no \"transport\" string");
        if (!run.contains("message_size") || !run["message_size"].is_number_unsigned() || run["message_size"].get<std::uint64_t>() == 0)
            return bad("has no positive \"message_size\"");
        if (!run.contains("mib_per_s") || !run["mib_per_s"].is_number() || run["mib_per_s"].get<double>() < 0)
            return bad("has no \"mib_per_s\" number");
        const std::string transport = run["transport"].get<std::string>();
        std::string label = transport;
        if (run.contains("mode") && run["mode"].is_string() && run["mode"] != "bulk") label += " " + run["mode"].get<std::string>();
        if (run.value("spin", false)) label += " spin";
        auto [it, added] = byLabel.emplace(label, curves.size());
        if (added) curves.push_back(core::SweepCurve{transport, label, {}});
        curves[it->second].points.push_back({run["message_size"].get<std::uint64_t>(), run["mib_per_s"].get<double>()});
    }
    if (curves.empty()) return core::Error::make(core::Errc::Malformed, path + " holds no successful run to draw");
    for (auto& c : curves)
        std::sort(c.points.begin(), c.points.end(), [](const auto& a, const auto& b) { return a.messageSize < b.messageSize; });
    return curves;
}

int drawChart(const ChartArgs& a, const SweepChartWriter& chart) {
    if (!chart) {
        printError("this build has no GUI, which draws the charts");
        return kExitUsage;
    }
    int w = 0, h = 0;
    if (std::sscanf(a.size.c_str(), "%dx%d", &w, &h) != 2 || w < 200 || h < 150 || w > 8192 || h > 8192) {
        printError("--size takes WIDTHxHEIGHT, 200x150 to 8192x8192, e.g. 960x540");
        return kExitUsage;
    }
    auto curves = sweepCurves(a.input);
    if (!curves) {
        printError(curves.error().message());
        return kExitFailure;
    }
    if (auto st = chart(*curves, a.title, w, h, a.out); !st) {
        printError(st.error().message());
        return kExitFailure;
    }
    std::size_t points = 0;
    for (const auto& c : *curves) points += c.points.size();
    std::fprintf(stderr, "wrote %s: %zu transports, %zu runs\n", a.out.c_str(), curves->size(), points);
    return kExitOk;
}

/// 'probe list': where each probe executable is found; exit 1 when one is missing.
int listProbes(const std::string& probeDir, bool json) {
    const auto dirs = probe::probeSearchDirs(probeDir);
    nlohmann::json j = nlohmann::json::array();
    bool allFound = true;
    for (const auto& t : probe::transports()) {
        probe::RunSpec spec;
        spec.transport = t.name;
        spec.probeDir = probeDir;
        const auto path = probe::probeExecutable(spec);
        allFound = allFound && static_cast<bool>(path);
        if (json) {
            j.push_back({{"transport", t.name},
                         {"description", t.description},
                         {"path", path ? nlohmann::json(*path) : nlohmann::json(nullptr)},
                         {"error", path ? nlohmann::json(nullptr) : nlohmann::json(path.error().message())}});
        } else {
            std::printf("%-7s %-38s %s\n", t.name, t.description, path ? path->c_str() : "not found");
        }
    }
    if (json) {
        std::printf("%s\n", base::dumpJson(j, 2).c_str());
    } else {
        std::string where;
        for (const auto& d : dirs) where += (where.empty() ? "" : ", ") + d;
        std::printf("searched: %s\n", where.c_str());
    }
    if (!allFound) printError("some probe executables were not found (see above)");
    return allFound ? kExitOk : kExitFailure;
}
}  // namespace

Runner addProbe(CLI::App& app, SweepChartWriter chartWriter) {
    auto a = std::make_shared<ProbeArgs>();
    auto c = std::make_shared<ChartArgs>();
    auto* probeCmd = app.add_subcommand("probe", "Measure throughput of a transport with a probe executable");
    probeCmd->require_subcommand(1);
    auto* run = probeCmd->add_subcommand("run", "Run one probe and print MiB/s as it goes, then a summary");
    std::vector<std::string> names;
    std::string help = "Transport:";
    for (const auto& t : probe::transports()) {
        names.emplace_back(t.name);
        help += std::string(" ") + t.name + " (" + t.description + ")";
    }
    run->add_option("transport", a->transports, help)->required()->check(CLI::IsMember(names));
    run->add_option("--mode", a->mode, "bulk: a one-way stream, bytes/s; pingpong: round trips, latency percentiles")
        ->check(CLI::IsMember({"bulk", "pingpong"}));
    run->add_flag("--spin", a->spec.spin, "shm: poll instead of sleeping while waiting (uses two full cores; labelled spin)");
    run->add_flag("--sweep", a->sweep, "Run every message size from 64 B to 4 MiB in powers of 4");
    run->add_option("--bytes", a->spec.bytes, "Bytes to move (suffixes K, M, G: powers of 1024)")
        ->transform(CLI::AsSizeValue(false))
        ->check(CLI::Range(std::uint64_t{1}, probe::kMaxRunBytes));
    run->add_option("--message-size", a->spec.messageSize, "Bytes per write/send (suffixes K, M)")
        ->transform(CLI::AsSizeValue(false))
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{16} << 20));
    run->add_option("--seconds", a->seconds, "Stop the transfer after this many seconds")->check(CLI::Range(1, 3600));
    run->add_option("--interval-ms", a->spec.intervalMs, "Sample period in milliseconds")->check(CLI::Range(10, 60000));
    run->add_option("--probe-dir", a->spec.probeDir, "Folder of the probe executables (default: next to ipcscope)");
    run->add_option("--stall-timeout-ms", a->stallMs, "Kill a probe that prints nothing for this long")->check(CLI::Range(100, 600000));
    run->add_flag("--json", a->json, "Print one JSON object at the end instead of lines");

    auto* list = probeCmd->add_subcommand("list", "Show each transport's probe executable and where it was found");
    list->add_option("--probe-dir", a->spec.probeDir, "Look only in this folder");
    list->add_flag("--json", a->json, "Print as JSON");

    auto* chart = probeCmd->add_subcommand("chart", "Draw the JSON of a probe sweep as a PNG chart of MiB/s by message size, without a display");
    chart->add_option("results", c->input, "The JSON output of 'ipcscope probe run' (one run or an array of runs)")->required();
    chart->add_option("--out", c->out, "The PNG file to write")->required();
    chart->add_option("--title", c->title, "The title above the chart");
    chart->add_option("--size", c->size, "WIDTHxHEIGHT in pixels (default 960x540)");

    return [a, c, list, chart, chartWriter]() -> int {
        if (list->parsed()) return listProbes(a->spec.probeDir, a->json);
        if (chart->parsed()) return drawChart(*c, chartWriter);
        a->spec.seconds = static_cast<std::uint32_t>(a->seconds);
        a->spec.stallTimeout = std::chrono::milliseconds(a->stallMs);
        a->spec.mode = a->mode == "pingpong" ? wire::ProbeMode::PingPong : wire::ProbeMode::Bulk;
        const std::vector<std::uint64_t> sizes = a->sweep ? sweepSizes() : std::vector<std::uint64_t>{a->spec.messageSize};
        std::vector<probe::RunSpec> runs;
        for (const auto& t : a->transports)
            for (std::uint64_t size : sizes) {
                if (t == "udp" && size > kMaxUdpMessage) {
                    if (a->sweep) {
                        std::fprintf(stderr, "udp %s: skipped (a datagram holds at most %llu bytes)\n", sizeText(size).c_str(),
                                     static_cast<unsigned long long>(kMaxUdpMessage));
                        continue;
                    }
                    printError("udp: a datagram holds at most " + std::to_string(kMaxUdpMessage) + " bytes; pick a smaller --message-size");
                    return kExitUsage;
                }
                if (size < 32) {
                    printError("--message-size must be at least 32 bytes (each message carries a 24-byte header)");
                    return kExitUsage;
                }
                probe::RunSpec spec = a->spec;
                spec.transport = t;
                spec.messageSize = size;
                runs.push_back(spec);
            }
        const bool single = runs.size() == 1;
        nlohmann::json all = nlohmann::json::array();
        int exitCode = kExitOk;
        for (std::size_t i = 0; i < runs.size(); ++i) {
            const auto& spec = runs[i];
            if (!single)
                std::fprintf(stderr, "[%zu/%zu] %s %s, messages of %s...\n", i + 1, runs.size(), spec.transport.c_str(),
                             a->mode.c_str(), sizeText(spec.messageSize).c_str());
            probe::RunResult result;
            std::size_t printed = 0;
            auto onLine = [&](const core::ThroughputSeries& s) {
                if (a->json || !single) return;
                if (printed == 0 && s.hello()) {
                    std::printf("probe %s %s%s, %s in messages of %llu bytes, two processes\n", spec.transport.c_str(), a->mode.c_str(),
                                spec.spin ? " spin" : "",
                                mib(spec.bytes).c_str(), static_cast<unsigned long long>(s.hello()->messageSize));
                    printed = 1;
                }
                while (printed > 0 && printed - 1 < s.settledPoints()) {
                    const auto& p = s.points()[printed - 1];
                    std::printf("%8.2f s %10.1f MiB/s %12s\n", p.tSeconds, p.mibPerSecond, mib(p.bytes).c_str());
                    ++printed;
                }
                std::fflush(stdout);
            };
            const auto st = probe::runProbe(spec, result, onLine);
            if (!st) {
                printError(st.error().message());
                exitCode = kExitFailure;
                if (a->json && !single) all.push_back({{"transport", spec.transport}, {"mode", a->mode}, {"message_size", spec.messageSize},
                                                       {"verified", false}, {"error", st.error().message()}});
                continue;
            }
            if (a->json) all.push_back(toJson(spec, result));
            else printSummary(spec, result);
            std::fflush(stdout);
        }
        if (a->json && !all.empty()) std::printf("%s\n", base::dumpJson(single ? all[0] : all, 2).c_str());
        return exitCode;
    };
}

}  // namespace ipcscope::cli
