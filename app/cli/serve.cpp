// ipcscope serve [--listen ADDR:PORT] [--interval MS] [--mailslot-iface IFACE] [--max-series N]

#include "cli/commands.h"

#include <memory>

namespace ipcscope::cli {

Runner addServe(CLI::App& app, ServeRunner run) {
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
    return [a, run = std::move(run)]() -> int {
        if (!run) {
            printError("this build has no HTTP server");
            return kExitUsage;
        }
        return run(*a);
    };
}

}  // namespace ipcscope::cli
