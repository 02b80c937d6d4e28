// ipcscope serve [--listen ADDR:PORT] [--interval MS] [--mailslot-iface IFACE] [--max-series N]

#include "cli/commands.h"
#include "serve/service.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>
#include <thread>

namespace ipcscope::cli {
namespace {

struct ServeArgs {
    std::string listen = "127.0.0.1:9464";
    long long intervalMs = 5000;
    std::string mailslotIface;
    int mailslotPort = 138;
    std::size_t maxSeries = 500;
    std::size_t maxConnections = 256;
    double seconds = 0;
};

volatile std::sig_atomic_t g_stop = 0;
extern "C" void onStop(int) { g_stop = 1; }

int runServe(const ServeArgs& a) {
    auto listen = net::parseListenAddress(a.listen);
    if (!listen) {
        printError(listen.error().message());
        return kExitUsage;
    }
    serve::ServeOptions o;
    o.listen = *listen;
    o.interval = std::chrono::milliseconds(a.intervalMs);
    o.mailslotIface = a.mailslotIface;
    o.mailslotPort = static_cast<std::uint16_t>(a.mailslotPort);
    o.maxSeries = a.maxSeries;
    o.limits.maxConnections = a.maxConnections;
    auto service = serve::Service::start(o);
    if (!service) {
        printError(service.error().message());
        return kExitFailure;
    }
    std::signal(SIGINT, onStop);
    std::signal(SIGTERM, onStop);
    const auto& bound = (*service)->bound();
    std::fprintf(stderr, "ipcscope: serving http://%s/metrics\n", bound.text().c_str());
    if (!bound.loopback())
        std::fprintf(stderr, "ipcscope: %s is not a loopback address: anyone who can reach it sees this host's IPC "
                             "objects and processes\n", bound.text().c_str());
    std::fflush(stderr);
    const auto started = std::chrono::steady_clock::now();
    while (!g_stop) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        if (a.seconds > 0 && std::chrono::steady_clock::now() - started >= std::chrono::duration<double>(a.seconds)) break;
    }
    (*service)->stop();
    return kExitOk;
}

}  // namespace

Runner addServe(CLI::App& app) {
    auto a = std::make_shared<ServeArgs>();
    auto* cmd = app.add_subcommand(
        "serve", "Serve snapshots over HTTP: Prometheus metrics on /metrics, the JSON snapshot on /api/snapshot "
                 "(?family=, ?kind=), /healthz. Read-only; headless");
    cmd->add_option("--listen", a->listen,
                    "Address and port to listen on (default 127.0.0.1:9464; a bare port means 127.0.0.1; "
                    "0 picks a free port). Any non-loopback address exposes this host's IPC objects to the network");
    cmd->add_option("--interval", a->intervalMs, "Milliseconds between snapshots (default 5000)")
        ->check(CLI::Range(200LL, 3600000LL));
    cmd->add_option("--mailslot-iface", a->mailslotIface,
                    "Also count the mailslot datagrams arriving on this interface (UDP 138, needs root on Linux)");
    cmd->add_option("--mailslot-port", a->mailslotPort, "UDP port of the mailslot listener (138)")
        ->check(CLI::Range(1, 65535));
    cmd->add_option("--max-series", a->maxSeries,
                    "At most this many ipcscope_process_objects series, for the processes holding the most objects "
                    "(default 500)")
        ->check(CLI::Range(std::size_t{1}, std::size_t{1000000}));
    cmd->add_option("--max-connections", a->maxConnections,
                    "Open HTTP connections at most; past it the one idle longest is closed (default 256)")
        ->check(CLI::Range(std::size_t{8}, std::size_t{4096}));
    cmd->add_option("--seconds", a->seconds, "Stop after S seconds (default: until SIGINT or SIGTERM)")
        ->check(CLI::Range(0.0, 1e9));
    return [a]() -> int { return runServe(*a); };
}

}  // namespace ipcscope::cli
