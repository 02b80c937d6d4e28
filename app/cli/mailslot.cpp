// ipcscope mailslot listen [--iface IF | --bind ADDR] [--port N] [--slot NAME] [--count N] [--seconds S] [--json]
// ipcscope list netbios [--iface IF | --broadcast ADDR]

#include "cli/commands.h"
#include "core/datagram_render.h"
#include "net/mailslot_client.h"
#include "net/monitor.h"

#include <fmt/format.h>
#include <csignal>
#include <cstdio>
#include <memory>

namespace ipcscope::cli {
namespace {

struct ListenArgs {
    std::string iface, bind, slot;
    int port = 138;
    long long count = 0;
    double seconds = 0;
    bool json = false;
    bool stats = false;
};

volatile std::sig_atomic_t g_interrupted = 0;
extern "C" void onInterrupt(int) { g_interrupted = 1; }

int runListen(const ListenArgs& a) {
    net::MonitorOptions o;
    o.port = static_cast<std::uint16_t>(a.port);
    if (!a.bind.empty()) {
        auto ip = wire::parseIpv4(a.bind);
        if (!ip) {
            printError("--bind takes an IPv4 address, not '" + a.bind + "'");
            return kExitUsage;
        }
        o.bindIp = *ip;
    }
    if (!a.iface.empty()) {
        auto i = net::findInterface(a.iface);
        if (!i) {
            printError(i.error().message());
            return kExitUsage;
        }
#ifdef _WIN32
        o.bindIp = i->address;  // Windows delivers the LAN's broadcasts to the interface address
#else
        o.device = i->name;
#endif
    }
    auto mon = net::DatagramMonitor::start(o);
    if (!mon) {
        printError(mon.error().message());
        return kExitFailure;
    }
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
    if (!a.json) std::fprintf(stderr, "ipcscope: listening on UDP %s\n", (*mon)->bound().text().c_str());
    const auto started = std::chrono::steady_clock::now();
    long long shown = 0;
    bool done = false;
    while (!done && !g_interrupted) {
        auto left = std::chrono::milliseconds(200);
        if (a.seconds > 0) {
            const auto elapsed = std::chrono::steady_clock::now() - started;
            const auto limit = std::chrono::duration<double>(a.seconds);
            if (elapsed >= limit) break;
            left = std::min(left, std::chrono::duration_cast<std::chrono::milliseconds>(limit - elapsed) + std::chrono::milliseconds(1));
        }
        (*mon)->waitFor(left);
        if (auto f = (*mon)->failure()) {
            printError(f->message());
            return kExitFailure;
        }
        for (auto& d : (*mon)->drain()) {
            if (!core::slotMatches(d, a.slot)) continue;
            if (a.json) std::puts(core::toJson(d).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
            else std::puts(core::renderLine(d).c_str());
            std::fflush(stdout);
            if (a.count > 0 && ++shown >= a.count) {
                done = true;
                break;
            }
        }
    }
    (*mon)->stop();
    const auto c = (*mon)->counters();
    if (a.stats || !a.json)
        std::fprintf(stderr, "ipcscope: %llu datagrams received, %llu malformed, %llu oversized, %llu dropped\n",
                     static_cast<unsigned long long>(c.received), static_cast<unsigned long long>(c.malformed),
                     static_cast<unsigned long long>(c.oversized), static_cast<unsigned long long>(c.dropped));
    if (a.json && a.stats) {
        nlohmann::ordered_json j{{"summary", {{"received", c.received}, {"malformed", c.malformed}, {"oversized", c.oversized}, {"dropped", c.dropped}}}};
        std::puts(j.dump().c_str());
    }
    return kExitOk;
}

std::string suffixText(std::uint8_t s) {
    return fmt::format("0x{:02x}", s);
}

}  // namespace

Runner addMailslot(CLI::App& app) {
    auto a = std::make_shared<ListenArgs>();
    auto* cmd = app.add_subcommand("mailslot", "Watch mailslot datagrams on the LAN");
    cmd->require_subcommand(1);
    auto* listen = cmd->add_subcommand("listen", "Decode every NetBIOS datagram that arrives (UDP 138), one line each");
    auto* iface = listen->add_option("--iface", a->iface, "Listen on this interface only");
    listen->add_option("--bind", a->bind, "Bind this IPv4 address")->excludes(iface);
    listen->add_option("--port", a->port, "UDP port (138; another port needs no root)")->check(CLI::Range(1, 65535));
    listen->add_option("--slot", a->slot, "Show only this mailslot (name after \\MAILSLOT\\ or the full name)");
    listen->add_option("--count", a->count, "Stop after N datagrams")->check(CLI::Range(1LL, 1000000000LL));
    listen->add_option("--seconds", a->seconds, "Stop after S seconds")->check(CLI::Range(0.0, 1e7));
    listen->add_flag("--json", a->json, "One JSON object per line");
    listen->add_flag("--stats", a->stats, "With --json, end with a summary line of the counters");
    return [a]() -> int { return runListen(*a); };
}

Runner addListNetbios(CLI::App& app) {
    struct Args {
        std::string iface, broadcast;
        double seconds = 1.5;
        bool json = false;
    };
    auto a = std::make_shared<Args>();
    auto* list = app.get_subcommand("list");
    auto* cmd = list->add_subcommand("netbios", "List the NetBIOS names the hosts on a LAN register (UDP 137)");
    cmd->add_option("--iface", a->iface, "Ask on this interface's LAN");
    cmd->add_option("--broadcast", a->broadcast, "Ask on this broadcast address");
    cmd->add_option("--seconds", a->seconds, "How long to wait for answers")->check(CLI::Range(0.1, 60.0));
    cmd->add_flag("--json", a->json, "Print as JSON");
    return [a]() -> int {
        auto lan = net::chooseLan(a->iface, a->broadcast);
        if (!lan) {
            printError(lan.error().message());
            return kExitUsage;
        }
        auto hosts = net::discoverNetbios(*lan, std::chrono::milliseconds(static_cast<long long>(a->seconds * 1000)));
        if (!hosts) {
            printError(hosts.error().message());
            return kExitFailure;
        }
        if (a->json) {
            nlohmann::ordered_json j = nlohmann::ordered_json::array();
            for (const auto& h : *hosts) {
                nlohmann::ordered_json names = nlohmann::ordered_json::array();
                for (const auto& n : h.names)
                    names.push_back({{"name", n.name}, {"suffix", suffixText(n.suffix)}, {"group", n.group}, {"active", n.active}});
                nlohmann::ordered_json e{{"ip", wire::ipv4Text(h.ip)}, {"names", names}};
                if (!h.error.empty()) e["error"] = h.error;
                j.push_back(e);
            }
            std::puts(j.dump(2).c_str());
        } else {
            std::printf("%-16s %-16s %-6s %s\n", "ADDRESS", "NAME", "SUFFIX", "TYPE");
            for (const auto& h : *hosts) {
                if (h.names.empty()) std::printf("%-16s %s\n", wire::ipv4Text(h.ip).c_str(), h.error.c_str());
                for (const auto& n : h.names)
                    std::printf("%-16s %-16s %-6s %s\n", wire::ipv4Text(h.ip).c_str(), n.name.c_str(), suffixText(n.suffix).c_str(),
                                n.group ? "group" : "unique");
            }
            std::printf("%zu hosts answered on %s\n", hosts->size(), wire::ipv4Text(lan->broadcast).c_str());
        }
        std::fflush(stdout);
        return kExitOk;
    };
}

}  // namespace ipcscope::cli
