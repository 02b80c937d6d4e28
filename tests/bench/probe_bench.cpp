// ipcscope_probe_bench: puts the probes' numbers (two processes, every message verified) next to
// references measured in the same run: shm bulk against one thread's memcpy of the same message
// into successive slots of a buffer as large as the probe's ring, shm ping-pong against a plain
// two-process futex ping-pong, and tcp bulk against iperf3 over 127.0.0.1 at the same write size.
// pipe, unix and udp are reported beside them. Loopback only. Not a ctest test: run it by hand,
// see docs/benchmarks.md. Prints a Markdown table; given a folder, also writes a bulk sweep of
// every transport there as JSON and as a chart ('ipcscope probe chart').

#include "core/throughput.h"
#include "probe_main.h"
#include "shm_wait.h"
#include "probe_runner/runner.h"
#include "wire/probe_line.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <string>
#include <new>
#include <utility>
#include <vector>

#include <arpa/inet.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace ipcscope;

namespace {

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

/// The references copy from where the probe's sender does: half a page off the ring's slots,
/// which start on a page (probe::PageOffsetBuffer says why).
using probe::PageOffsetBuffer;
constexpr std::size_t kSourcePageOffset = probe::kMessagePageOffset;

/// MiB/s of copying `total` bytes in `message`-byte pieces into successive slots of a buffer of
/// the size of the shm probe's ring (what its sender does, without the receiver).
double memcpyMiBps(std::uint64_t total, std::size_t message) {
    const std::size_t ringBytes = static_cast<std::size_t>(wire::probeShmRingBytes(message, wire::ProbeMode::Bulk));
    const std::size_t stride = static_cast<std::size_t>(wire::probeShmSlotBytes(message));
    const std::size_t slots = ringBytes / stride;
    PageOffsetBuffer src(message, kSourcePageOffset, 0x5a), ring(ringBytes, 0, 1);
    const auto t0 = std::chrono::steady_clock::now();
    std::uint64_t done = 0;
    std::size_t slot = 0;
    while (done < total) {
        std::memcpy(ring.data() + slot * stride, src.data(), message);
        slot = slot + 1 == slots ? 0 : slot + 1;
        done += message;
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    volatile unsigned char sink = ring.data()[slot * stride];
    (void)sink;
    return static_cast<double>(total) / core::kMiB / s;
}

/// MiB/s at which one process reads a message that another process has just written: what the
/// shm probe's receiver must do with every byte, timed alone. Two processes share a ring of
/// the probe's size and take turns: the writer copies a message into the next slot (from a source
/// half a page off, as memcpyMiBps does), then the reader reads all of it with the probe's
/// checksum loop; only the reads are timed (less what reading the clock costs), so neither side
/// waits for the other within a timed span. A pipeline of the two can move no more than this,
/// as each byte has to come across from the writer's core: when this is below a goal, the goal
/// is out of reach on this machine.
double crossCoreReadMiBps(std::size_t message) {
    const std::size_t ringBytes = static_cast<std::size_t>(wire::probeShmRingBytes(message, wire::ProbeMode::Bulk));
    const std::size_t slots = ringBytes / message;
    const std::uint64_t turns = std::max<std::uint64_t>(64, (std::uint64_t{1} << 30) / message);
    const std::size_t mapped = 4096 + ringBytes;
    auto* base = static_cast<unsigned char*>(mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
    if (base == MAP_FAILED) return 0;
    auto* turn = new (base) std::atomic<std::uint64_t>(0);  // 2i: the writer's turn for message i, 2i+1: the reader's
    auto* readNs = new (base + 64) std::atomic<std::uint64_t>(0);
    unsigned char* ring = base + 4096;
    std::memset(ring, 1, ringBytes);
    auto awaitTurn = [turn](std::uint64_t t) {
        while (turn->load(std::memory_order_acquire) != t) probe::cpuRelax();
    };
    const pid_t child = fork();
    if (child == 0) {
        std::uint64_t sum = 0;
        // Reading the clock twice costs tens of nanoseconds, several percent of a 64 KiB read:
        // the median of empty timed spans is taken off every timed read.
        std::vector<std::chrono::nanoseconds> empty(1001);
        for (auto& e : empty) {
            const auto t0 = std::chrono::steady_clock::now();
            e = std::chrono::steady_clock::now() - t0;
        }
        std::nth_element(empty.begin(), empty.begin() + 500, empty.end());
        const std::chrono::nanoseconds clockCost = empty[500] * static_cast<std::int64_t>(turns);
        std::chrono::nanoseconds spent{0};
        for (std::uint64_t i = 0; i < turns; ++i) {
            awaitTurn(2 * i + 1);
            const auto t0 = std::chrono::steady_clock::now();
            sum += probe::payloadChecksum(ring + (i % slots) * message, message);
            spent += std::chrono::steady_clock::now() - t0;
            turn->store(2 * i + 2, std::memory_order_release);
        }
        readNs->store(static_cast<std::uint64_t>(std::max<std::int64_t>(1, (spent - clockCost).count())), std::memory_order_release);
        _exit(sum == 42 ? 3 : 0);
    }
    PageOffsetBuffer src(message, kSourcePageOffset, 0x5a);
    for (std::uint64_t i = 0; i < turns; ++i) {
        awaitTurn(2 * i);
        std::memcpy(ring + (i % slots) * message, src.data(), message);
        turn->store(2 * i + 1, std::memory_order_release);
    }
    waitpid(child, nullptr, 0);
    const double s = static_cast<double>(readNs->load(std::memory_order_acquire)) / 1e9;
    munmap(base, mapped);
    return s > 0 ? static_cast<double>(turns * message) / core::kMiB / s : 0;
}

/// Round trips per second of a plain futex ping-pong between two processes over one shared
/// page: a 32-bit word each way, and the futex word and waiting flag of that way on another cache
/// line. Both sides wait and wake with the shm probe's own code (probe::Waiter, probes/shm_wait.h:
/// the same polls before FUTEX_WAIT, FUTEX_WAKE only for a side that sleeps), so the two differ
/// only in what the probe carries and checks: the floor under any shared-memory round trip.
double futexPingPongPerSecond(std::uint64_t roundTrips) {
    struct Way {
        alignas(64) std::atomic<std::uint32_t> value;
        alignas(64) std::atomic<std::uint32_t> seq;
        std::atomic<std::uint32_t> waiting;
    };
    void* page = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED) return 0;
    Way* ways = new (page) Way[2]{};
    Way& ping = ways[0];
    Way& pong = ways[1];
    probe::Sleeper sleeper;
    auto post = [&](probe::Waiter& w, Way& way, std::uint32_t value) {
        way.value.store(value, std::memory_order_release);
        w.notify(way.seq, way.waiting, sleeper, [] { return true; });
    };
    auto waitFor = [&](probe::Waiter& w, Way& way, std::uint32_t value) {
        w.wait([&] { return way.value.load(std::memory_order_acquire) == value; }, way.seq, way.waiting, sleeper);
    };
    const pid_t child = fork();
    if (child == 0) {
        probe::Waiter w(false);
        for (std::uint32_t i = 1; i <= roundTrips; ++i) {
            waitFor(w, ping, i);
            post(w, pong, i);
        }
        _exit(0);
    }
    probe::Waiter w(false);
    const auto t0 = std::chrono::steady_clock::now();
    for (std::uint32_t i = 1; i <= roundTrips; ++i) {
        post(w, ping, i);
        waitFor(w, pong, i);
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    waitpid(child, nullptr, 0);
    munmap(page, 4096);
    return static_cast<double>(roundTrips) / s;
}

struct ProbeNumbers {
    double mibps = 0;
    double roundTripsPerSecond = 0;
    bool verified = false;
};

/// Runs one probe: `bytes`, or what it moves in `seconds`, whichever comes first.
ProbeNumbers runProbe(const std::string& transport, wire::ProbeMode mode, std::uint64_t bytes, std::uint64_t messageSize,
                      std::uint32_t seconds = 20) {
    probe::RunSpec spec;
    spec.transport = transport;
    spec.mode = mode;
    spec.probeDir = IPCSCOPE_PROBE_DIR;
    spec.bytes = bytes;
    spec.messageSize = messageSize;
    spec.seconds = seconds;
    probe::RunResult r;
    if (auto st = probe::runProbe(spec, r); !st) {
        std::fprintf(stderr, "probe %s: %s\n", transport.c_str(), st.error().message().c_str());
        return {};
    }
    ProbeNumbers n;
    n.mibps = r.receiver.averageMiBps();
    n.verified = r.verified;
    if (r.sender.latency() && r.sender.done() && r.sender.done()->elapsedUs > 0)
        n.roundTripsPerSecond = static_cast<double>(r.sender.latency()->roundTrips) * 1e6 / static_cast<double>(r.sender.done()->elapsedUs);
    return n;
}

int freeLoopbackPort() {
    const int s = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
    getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
    close(s);
    return ntohs(a.sin_port);
}

/// iperf3 over 127.0.0.1 for `seconds`, 64 KiB writes (-l), one stream; MiB/s received.
double iperf3MiBps(int seconds) {
    const int port = freeLoopbackPort();
    const std::string server = "timeout " + std::to_string(seconds + 15) + " iperf3 -s -1 -B 127.0.0.1 -p " + std::to_string(port) +
                               " >/dev/null 2>&1 &";
    if (std::system(server.c_str()) != 0) return 0;
    usleep(300 * 1000);
    const std::string client = "timeout " + std::to_string(seconds + 10) + " iperf3 -c 127.0.0.1 -p " + std::to_string(port) +
                               " -l 64K -t " + std::to_string(seconds) + " -J";
    FILE* p = popen(client.c_str(), "r");
    if (!p) return 0;
    std::string out;
    char buf[4096];
    std::size_t n = 0;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    pclose(p);
    auto j = nlohmann::json::parse(out, nullptr, false);
    if (j.is_discarded() || !j.contains("end")) {
        std::fprintf(stderr, "iperf3 gave no result\n");
        return 0;
    }
    return j["end"]["sum_received"]["bits_per_second"].get<double>() / 8.0 / core::kMiB;
}

struct Row {
    std::string probe, reference;
    std::vector<double> probeValues, referenceValues;
    std::string unit;
    bool verified = true;
};

}  // namespace

/// "AMD EPYC, 2 CPUs, 24 GiB, Linux 6.18.0": the machine a table was measured on.
std::string machineLine() {
    std::string cpu = "unknown CPU";
    std::ifstream cpuinfo("/proc/cpuinfo");
    for (std::string line; std::getline(cpuinfo, line);)
        if (line.rfind("model name", 0) == 0 && line.find(':') != std::string::npos) {
            cpu = line.substr(line.find(':') + 2);
            break;
        }
    long long memKiB = 0;
    std::ifstream meminfo("/proc/meminfo");
    for (std::string key; meminfo >> key;) {
        if (key == "MemTotal:") {
            meminfo >> memKiB;
            break;
        }
        meminfo.ignore(1 << 10, '\n');
    }
    utsname u{};
    uname(&u);
    return fmt::format("{}, {} CPUs, {:.0f} GiB, {} {}", cpu, sysconf(_SC_NPROCESSORS_ONLN), static_cast<double>(memKiB) / (1024.0 * 1024.0),
                       u.sysname, u.release);
}

int main(int argc, char** argv) {
    // [runs [DOCS_DIR]] [--only=GROUPS]: GROUPS is a comma list of shm-bulk, shm-pingpong, tcp, others.
    std::vector<std::string> args;
    std::string only;
    for (int i = 1; i < argc; ++i) {
        if (std::strncmp(argv[i], "--only=", 7) == 0) only = std::string(",") + (argv[i] + 7) + ",";
        else args.emplace_back(argv[i]);
    }
    auto wanted = [&](const char* group) { return only.empty() || only.find(std::string(",") + group + ",") != std::string::npos; };
    const int runs = !args.empty() ? std::max(1, std::atoi(args[0].c_str())) : 5;
    constexpr std::uint64_t kShmBytes = 2ull << 30, kTcpBytes = 2ull << 30, kRoundTrips = 100000;
    constexpr int kPingPongPairsPerRun = 7, kTcpPairsPerRun = 5, kTcpSeconds = 2;
    using wire::ProbeMode;
    Row shm64{"`shm` bulk, 64 KiB", "memcpy 64 KiB into ring slots", {}, {}, "MiB/s"};
    Row shm1m{"`shm` bulk, 1 MiB", "memcpy 1 MiB into ring slots", {}, {}, "MiB/s"};
    Row shm64c{"`shm` bulk, 64 KiB", "cross-core read: the receiver's reads alone", {}, {}, "MiB/s"};
    Row shm1mc{"`shm` bulk, 1 MiB", "cross-core read: the receiver's reads alone", {}, {}, "MiB/s"};
    Row shmPp{"`shm` ping-pong, 64 B", "two-process futex ping-pong", {}, {}, "round trips/s"};
    Row tcp{"`tcp` bulk, 64 KiB", "iperf3 -l 64K, 127.0.0.1", {}, {}, "MiB/s"};
    Row pipe{"`pipe` bulk, 64 KiB", "", {}, {}, "MiB/s"};
    Row unixRow{"`unix` bulk, 64 KiB", "", {}, {}, "MiB/s"};
    Row udp{"`udp` bulk, 16 KiB", "", {}, {}, "MiB/s"};
    auto add = [](Row& row, const ProbeNumbers& n, bool roundTrips) {
        row.probeValues.push_back(roundTrips ? n.roundTripsPerSecond : n.mibps);
        row.verified = row.verified && n.verified;
    };
    double loadStart[3] = {0, 0, 0}, loadEnd[3] = {0, 0, 0};
    getloadavg(loadStart, 3);
    for (int i = 0; i < runs; ++i) {  // interleaved, so that load changes hit all alike
        std::fprintf(stderr, "run %d of %d\n", i + 1, runs);
        if (wanted("shm-bulk")) {
            shm64.referenceValues.push_back(memcpyMiBps(kShmBytes, 64u << 10));
            add(shm64, runProbe("shm", ProbeMode::Bulk, kShmBytes, 64u << 10), false);
            shm64c.referenceValues.push_back(crossCoreReadMiBps(64u << 10));
            shm1m.referenceValues.push_back(memcpyMiBps(kShmBytes, 1u << 20));
            add(shm1m, runProbe("shm", ProbeMode::Bulk, kShmBytes, 1u << 20), false);
            shm1mc.referenceValues.push_back(crossCoreReadMiBps(1u << 20));
        }
        if (wanted("shm-pingpong")) {
            // A pair takes 15 to 50 ms, and on a VM the two vCPUs may share a physical core for
            // one pair and not for the next (2 to 8 million round trips/s either side): several
            // pairs per run, each probe run right after its reference.
            for (int pair = 0; pair < kPingPongPairsPerRun; ++pair) {
                shmPp.referenceValues.push_back(futexPingPongPerSecond(kRoundTrips));
                add(shmPp, runProbe("shm", ProbeMode::PingPong, kRoundTrips * 64, 64), true);
            }
        }
        if (wanted("tcp")) {
            // iperf3 and the probe each send for kTcpSeconds, one right after the other, several
            // times per run: loopback TCP on this VM moves from one such pair to the next by up
            // to half (iperf3 alone gave 2.7 to 4.0 GiB/s within one hour).
            for (int pair = 0; pair < kTcpPairsPerRun; ++pair) {
                tcp.referenceValues.push_back(iperf3MiBps(kTcpSeconds));
                add(tcp, runProbe("tcp", ProbeMode::Bulk, 64ull << 30, 64u << 10, kTcpSeconds), false);
            }
        }
        if (wanted("others")) {
            add(pipe, runProbe("pipe", ProbeMode::Bulk, kTcpBytes, 64u << 10), false);
            add(unixRow, runProbe("unix", ProbeMode::Bulk, kTcpBytes, 64u << 10), false);
            add(udp, runProbe("udp", ProbeMode::Bulk, kTcpBytes / 4, 16u << 10), false);
        }
    }
    // A row's ratio is the median of its pairs' ratios (each probe run against the reference
    // measured right before it, or right after it for the cross-core read), with the lowest and
    // highest pair beside it: on a VM whose two vCPUs share a physical core at one moment and not
    // the next, a pair is measured in one placement, while the medians of the two columns may
    // come from different ones.
    std::string table;
    auto out = std::back_inserter(table);
    fmt::format_to(out, "| probe (two processes) | median | verified | reference | median | ratio | pairs |\n|---|---:|---|---|---:|---:|---|\n");
    bool ok = true;
    // The cross-core rows compare the same probe runs against the receiver's reads alone.
    shm64c.probeValues = shm64.probeValues;
    shm1mc.probeValues = shm1m.probeValues;
    shm64c.verified = shm64.verified;
    shm1mc.verified = shm1m.verified;
    for (const Row* r : {&shm64, &shm64c, &shm1m, &shm1mc, &shmPp, &tcp, &pipe, &unixRow, &udp}) {
        if (r->probeValues.empty()) continue;
        const double p = median(r->probeValues), ref = median(r->referenceValues);
        ok = ok && p > 0 && r->verified;
        if (r->reference.empty()) {
            fmt::format_to(out, "| {} | {:.0f} {} | {} | | | | |\n", r->probe, p, r->unit, r->verified ? "yes" : "NO");
            continue;
        }
        std::vector<double> ratios;
        for (std::size_t k = 0; k < r->probeValues.size() && k < r->referenceValues.size(); ++k)
            if (r->referenceValues[k] > 0) ratios.push_back(r->probeValues[k] / r->referenceValues[k]);
        const auto [lo, hi] = ratios.empty() ? std::pair<double, double>{0, 0}
                                             : std::pair<double, double>{*std::min_element(ratios.begin(), ratios.end()),
                                                                         *std::max_element(ratios.begin(), ratios.end())};
        fmt::format_to(out, "| {} | {:.0f} {} | {} | {} | {:.0f} {} | **{:.2f}** | {}: {:.2f} to {:.2f} |\n", r->probe, p, r->unit,
                       r->verified ? "yes" : "NO", r->reference, ref, r->unit, median(ratios), ratios.size(), lo, hi);
    }
    getloadavg(loadEnd, 3);
    fmt::format_to(out, "\n{} runs (shm ping-pong: {} pairs, tcp: {} pairs of {} s each), medians. Load average (1 min) {:.2f} at the start, "
                   "{:.2f} at the end.\n",
                   runs, runs * kPingPongPairsPerRun, runs * kTcpPairsPerRun, kTcpSeconds, loadStart[0], loadEnd[0]);
    std::fputs(table.c_str(), stdout);
    if (args.size() > 1) {
        // The sweep chart for the docs: every transport, 64 B to 4 MiB, with the CLI itself.
        const std::string dir = args[1];
        const std::string sweep = std::string(IPCSCOPE_BIN) + " probe run shm pipe unix tcp udp --sweep --bytes 256M --seconds 2 --json > " +
                                  dir + "/probe-sweep.json";
        const std::string chart = std::string(IPCSCOPE_BIN) + " probe chart " + dir + "/probe-sweep.json --out " + dir +
                                  "/probe-sweep.png --title 'ipcscope probes: bulk MiB/s by message size (two processes, verified)'";
        std::fprintf(stderr, "sweep for the chart...\n");
        if (std::system(sweep.c_str()) != 0 || std::system(chart.c_str()) != 0) {
            std::fprintf(stderr, "the sweep chart failed\n");
            ok = false;
        }
        // The table for the docs, with the machine and the time it was measured.
        char when[64] = "";
        const std::time_t now = std::time(nullptr);
        std::strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
        const std::string path = args[1] + "/probe-bench.md";
        std::ofstream md(path);
        md << "# The probe benchmark's last run\n\nWritten by `ipcscope_probe_bench " << runs << " " << args[1]
           << "` (tests/bench/probe_bench.cpp; docs/benchmarks.md says what each row measures), ended " << when << ", on "
           << machineLine() << ".\n\n"
           << table;
        if (!md) {
            std::fprintf(stderr, "cannot write %s\n", path.c_str());
            ok = false;
        }
    }
    return ok ? 0 : 1;
}
