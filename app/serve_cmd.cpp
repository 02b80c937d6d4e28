// ipcscope serve: the HTTP server behind the 'serve' command, where this program has it.

#include "cli/commands.h"

#if IPCSCOPE_HAVE_SERVE
#include "serve/service.h"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <thread>
#endif

namespace ipcscope::cli {

#if IPCSCOPE_HAVE_SERVE
namespace {

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
#endif

ServeRunner serveRunner() {
#if IPCSCOPE_HAVE_SERVE
    return runServe;
#else
    return {};
#endif
}

}  // namespace ipcscope::cli
