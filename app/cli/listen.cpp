// ipcscope listen TARGET [--seconds S] [--count N] [--echo] [--json] [--type stream|dgram|seqpacket]:
// creates the endpoint, prints every message, removes the endpoint on exit (Ctrl-C included).

#include "base/json.h"
#include "cli/commands.h"
#include "core/inject.h"
#include "core/message.h"
#include "core/target.h"
#include "net/socket_io.h"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <memory>

namespace ipcscope::cli {
namespace {

struct ListenArgs {
    std::string target;
    double seconds = 0;
    std::size_t count = 0;
    bool echo = false;
    bool json = false;
    std::string type = "stream";
};

std::atomic<bool> g_stop{false};

extern "C" void onStopSignal(int) { g_stop.store(true); }

int run(const ListenArgs& a) {
    auto target = core::parseTarget(a.target);
    if (!target) {
        printError(target.error().message());
        return kExitUsage;
    }
    platform::ListenOptions lo;
    lo.socketType = a.type;
    auto listener = net::openListener(*target, lo);
    if (!listener) {
        printError(listener.error().message());
        return listener.error().code == core::Errc::InvalidArgument ? kExitUsage : kExitFailure;
    }
    g_stop.store(false);
    std::signal(SIGINT, onStopSignal);
    std::signal(SIGTERM, onStopSignal);
    const std::string endpoint = (*listener)->endpoint();
    std::fprintf(stderr, "ipcscope: listening on %s\n", endpoint.c_str());
    std::fflush(stderr);

    using Clock = std::chrono::steady_clock;
    const auto deadline = a.seconds > 0 ? Clock::now() + std::chrono::milliseconds(static_cast<std::int64_t>(a.seconds * 1000))
                                        : Clock::time_point::max();
    std::size_t seq = 0;
    int exitCode = kExitOk;
    while (!g_stop.load() && Clock::now() < deadline && (a.count == 0 || seq < a.count)) {
        auto slice = std::chrono::milliseconds(200);
        if (deadline != Clock::time_point::max())
            slice = std::min(slice, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()) +
                                        std::chrono::milliseconds(1));
        auto got = (*listener)->receive(slice);
        if (!got) {
            printError(got.error().message());
            exitCode = kExitFailure;
            break;
        }
        if (!*got) continue;
        core::ReceivedRecord rec{endpoint, ++seq, std::chrono::system_clock::now(), (*got)->from, (*got)->bytes, false};
        if (a.echo) {
            auto st = (*listener)->reply(**got, (*got)->bytes);
            if (st) rec.echoed = true;
            else printError("cannot echo message " + std::to_string(seq) + ": " + st.error().message());
        }
        std::puts(a.json ? base::dumpJson(core::toJson(rec)).c_str()
                         : core::renderLine(rec).c_str());
        std::fflush(stdout);
    }
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    return exitCode;  // the listener's destructor removes the endpoint
}

}  // namespace

Runner addListen(CLI::App& app) {
    auto a = std::make_shared<ListenArgs>();
    auto* cmd = app.add_subcommand("listen",
                                   "Create an endpoint and print every message it receives (like nc -l): fifo:PATH, "
                                   "unix:PATH, unix:@NAME, tcp:HOST:PORT, udp:HOST:PORT, \\\\.\\pipe\\NAME, "
                                   "\\\\.\\mailslot\\NAME, copydata:CLASS, dde:SERVICE|TOPIC");
    cmd->add_option("target", a->target, "The endpoint to create, e.g. 'fifo:/tmp/f' or 'tcp:127.0.0.1:0' (any free port)")->required();
    cmd->add_option("--seconds", a->seconds, "Stop after this many seconds")->check(CLI::Range(0.0, 31536000.0));
    cmd->add_option("--count", a->count, "Stop after this many messages");
    cmd->add_flag("--echo", a->echo, "Send every message back to its sender");
    cmd->add_flag("--json", a->json, "Print one JSON object per message");
    cmd->add_option("--type", a->type, "unix: the socket type (stream, dgram, seqpacket); pipe: message (default) or byte")
        ->check(CLI::IsMember({"stream", "dgram", "seqpacket", "message", "byte"}));
    return [a]() -> int { return run(*a); };
}

}  // namespace ipcscope::cli
