// ipcscope probe run TRANSPORT [--bytes N] [--message-size N] [--seconds S] [--json]
// Starts the probe executable, prints MiB/s per interval as the samples arrive and a summary.
// ipcscope probe list [--probe-dir DIR] [--json]
// Shows where each probe executable is found.

#include "base/json.h"
#include "cli/commands.h"
#include "core/throughput.h"
#include "probe_runner/runner.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <memory>

namespace ipcscope::cli {

namespace {
struct ProbeArgs {
    probe::RunSpec spec;
    std::uint64_t seconds = 10;
    std::uint64_t stallMs = 5000;
    bool json = false;
};

std::string mib(std::uint64_t bytes) {
    return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / core::kMiB);
}

nlohmann::json toJson(const probe::RunSpec& spec, const core::ThroughputSeries& s) {
    nlohmann::json j;
    j["transport"] = spec.transport;
    j["probe_transport"] = s.hello() ? s.hello()->transport : "";
    j["protocol_version"] = s.hello() ? s.hello()->version : 0;
    j["message_size"] = s.hello() ? s.hello()->messageSize : spec.messageSize;
    j["bytes_requested"] = spec.bytes;
    j["bytes"] = s.done() ? s.done()->totalBytes : s.sampledBytes();
    j["elapsed_us"] = s.done() ? s.done()->elapsedUs : 0;
    j["messages"] = s.sampledMessages();
    j["complete"] = s.done() && s.done()->totalBytes == spec.bytes;
    j["mib_per_s"] = s.averageMiBps();
    j["peak_mib_per_s"] = s.peakMiBps();
    auto& samples = j["samples"] = nlohmann::json::array();
    for (const auto& p : s.points())
        samples.push_back({{"t_s", p.tSeconds}, {"bytes", p.bytes}, {"messages", p.messages}, {"mib_per_s", p.mibPerSecond}});
    return j;
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

Runner addProbe(CLI::App& app) {
    auto a = std::make_shared<ProbeArgs>();
    auto* probeCmd = app.add_subcommand("probe", "Measure throughput of a transport with a probe executable");
    probeCmd->require_subcommand(1);
    auto* run = probeCmd->add_subcommand("run", "Run one probe and print MiB/s as it goes, then a summary");
    std::vector<std::string> names;
    std::string help = "Transport:";
    for (const auto& t : probe::transports()) {
        names.emplace_back(t.name);
        help += std::string(" ") + t.name + " (" + t.description + ")";
    }
    run->add_option("transport", a->spec.transport, help)->required()->check(CLI::IsMember(names));
    run->add_option("--bytes", a->spec.bytes, "Bytes to move (suffixes K, M, G: powers of 1024)")
        ->transform(CLI::AsSizeValue(false))
        ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
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

    return [a, list]() -> int {
        if (list->parsed()) return listProbes(a->spec.probeDir, a->json);
        a->spec.seconds = static_cast<std::uint32_t>(a->seconds);
        a->spec.stallTimeout = std::chrono::milliseconds(a->stallMs);
        core::ThroughputSeries series;
        std::size_t printed = 0;
        auto onLine = [&](const core::ThroughputSeries& s) {
            if (a->json) return;
            if (printed == 0 && s.hello()) {
                std::printf("probe %s (%s), %s in messages of %llu bytes\n", a->spec.transport.c_str(), s.hello()->transport.c_str(),
                            mib(a->spec.bytes).c_str(), static_cast<unsigned long long>(s.hello()->messageSize));
                printed = 1;
            }
            while (printed - 1 < s.points().size()) {
                const auto& p = s.points()[printed - 1];
                std::printf("%8.2f s %10.1f MiB/s %12s\n", p.tSeconds, p.mibPerSecond, mib(p.bytes).c_str());
                ++printed;
            }
            std::fflush(stdout);
        };
        const auto st = probe::runProbe(a->spec, series, onLine);
        if (!st) {
            printError(st.error().message());
            return kExitFailure;
        }
        if (a->json) {
            std::printf("%s\n", base::dumpJson(toJson(a->spec, series), 2).c_str());
            return kExitOk;
        }
        const auto& d = *series.done();
        std::printf("%s: %s in %.3f s = %.1f MiB/s average, peak %.1f MiB/s, %llu reads/messages%s\n", a->spec.transport.c_str(),
                    mib(d.totalBytes).c_str(), static_cast<double>(d.elapsedUs) / 1e6, series.averageMiBps(), series.peakMiBps(),
                    static_cast<unsigned long long>(series.sampledMessages()),
                    d.totalBytes < a->spec.bytes ? " (stopped by --seconds before all bytes moved)" : "");
        return kExitOk;
    };
}

}  // namespace ipcscope::cli
