// ipcscope_probe_bench: puts the probes' numbers next to references measured in the same run:
// the shm probe against memcpy bandwidth (the same messages copied into a ring of the same size
// by one thread), and the socket probe against iperf3 over 127.0.0.1. Loopback only. Not a
// ctest test: run it by hand, see docs/benchmarks.md.

#include "core/throughput.h"
#include "probe_runner/runner.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace ipcscope;

namespace {

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

/// MiB/s of copying `total` bytes in `message`-byte pieces into an 8 MiB ring.
double memcpyMiBps(std::uint64_t total, std::size_t message) {
    constexpr std::size_t kRing = std::size_t{8} << 20;
    std::vector<unsigned char> src(message, 0x5a), ring(kRing), dst(message);
    const auto t0 = std::chrono::steady_clock::now();
    std::uint64_t done = 0;
    std::size_t at = 0;
    while (done < total) {
        const std::size_t first = std::min(message, kRing - at);
        std::memcpy(ring.data() + at, src.data(), first);
        std::memcpy(ring.data(), src.data() + first, message - first);
        at = (at + message) % kRing;
        done += message;
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    volatile unsigned char sink = ring[at];
    (void)sink;
    return static_cast<double>(total) / core::kMiB / s;
}

double probeMiBps(const std::string& transport, std::uint64_t bytes) {
    probe::RunSpec spec;
    spec.transport = transport;
    spec.probeDir = IPCSCOPE_PROBE_DIR;
    spec.bytes = bytes;
    spec.messageSize = 64u << 10;
    spec.seconds = 20;
    core::ThroughputSeries series;
    if (auto st = probe::runProbe(spec, series); !st) {
        std::fprintf(stderr, "probe %s: %s\n", transport.c_str(), st.error().message().c_str());
        return 0;
    }
    return series.averageMiBps();
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

}  // namespace

int main(int argc, char** argv) {
    const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
    const std::uint64_t shmBytes = 2ull << 30, socketBytes = 4ull << 30;
    std::vector<double> mem, shm, sock, iperf;
    for (int i = 0; i < runs; ++i) {  // interleaved, so that load changes hit all alike
        mem.push_back(memcpyMiBps(shmBytes, 64u << 10));
        shm.push_back(probeMiBps("shm", shmBytes));
        sock.push_back(probeMiBps("socket", socketBytes));
        iperf.push_back(iperf3MiBps(2));
    }
    const double m = median(mem), s = median(shm), k = median(sock), f = median(iperf);
    std::printf("runs: %d (medians)\n", runs);
    std::printf("memcpy 64 KiB into an 8 MiB ring: %8.0f MiB/s\n", m);
    std::printf("shm probe (2 GiB, 64 KiB msgs):   %8.0f MiB/s  = %.2f x memcpy\n", s, m > 0 ? s / m : 0);
    std::printf("iperf3 127.0.0.1 (-l 64K, 2 s):   %8.0f MiB/s\n", f);
    std::printf("socket probe (4 GiB, 64 KiB msgs):%8.0f MiB/s  = %.2f x iperf3\n", k, f > 0 ? k / f : 0);
    return (s > 0 && k > 0 && m > 0 && f > 0) ? 0 : 1;
}
