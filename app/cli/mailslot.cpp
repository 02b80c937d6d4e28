// ipcscope mailslot listen [--iface IF | --bind ADDR] [--port N] [--slot NAME] [--count N] [--seconds S] [--json]
//                          [--oem-codepage N]
// ipcscope list netbios [--iface IF | --broadcast ADDR] [--oem-codepage N]

#include "base/code_page.h"
#include "base/json.h"
#include "base/utf8.h"
#include "cli/commands.h"
#include "core/platform.h"
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
    unsigned codePage = 0;
};

// The code page NetBIOS names are decoded from: --oem-codepage, else the system's OEM code
// page (Windows) when this module carries it, else CP850.
void addCodePageOption(CLI::App* cmd, unsigned& codePage) {
    cmd->add_option("--oem-codepage", codePage,
                    "Decode NetBIOS names from this OEM code page (default: the system's on Windows, else 850)")
        ->check([](const std::string& text) -> std::string {
            try {
                if (base::oemCodePageKnown(static_cast<unsigned>(std::stoul(text)))) return {};
            } catch (const std::exception&) {
            }
            return "'" + text + "' is not a code page this build knows (" + base::knownOemCodePages() + ")";
        });
}

unsigned effectiveCodePage(unsigned option) {
    if (option != 0) return option;
    const unsigned system = platform::oemCodePage();
    return base::oemCodePageKnown(system) ? system : base::kDefaultOemCodePage;
}

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
        auto onIface = net::monitorOnInterface(a.iface, o.port);
        if (!onIface) {
            printError(onIface.error().message());
            return kExitUsage;
        }
        o = *onIface;
    }
    auto mon = net::DatagramMonitor::start(o);
    if (!mon) {
        printError(mon.error().message());
        return kExitFailure;
    }
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
    if (!a.json) std::fprintf(stderr, "ipcscope: listening on UDP %s\n", (*mon)->bound().text().c_str());
    const unsigned codePage = effectiveCodePage(a.codePage);
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
            if (a.json) std::puts(base::dumpJson(core::toJson(d, codePage)).c_str());
            else std::puts(core::renderLine(d, codePage).c_str());
            std::fflush(stdout);
            if (a.count > 0 && ++shown >= a.count) {
                done = true;
                break;
            }
        }
    }
    (*mon)->stop();
    const auto c = (*mon)->counters();
    if (a.stats || !a.json) std::fprintf(stderr, "ipcscope: %s\n", net::summaryText(c).c_str());
    if (a.json && a.stats) {
        nlohmann::ordered_json j{{"summary", net::toJson(c)}};
        std::puts(base::dumpJson(j).c_str());
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
    addCodePageOption(listen, a->codePage);
    return [a]() -> int { return runListen(*a); };
}

Runner addListNetbios(CLI::App& app) {
    struct Args {
        std::string iface, broadcast;
        double seconds = 1.5;
        bool json = false;
        unsigned codePage = 0;
    };
    auto a = std::make_shared<Args>();
    auto* list = app.get_subcommand("list");
    auto* cmd = list->add_subcommand("netbios", "List the NetBIOS names the hosts on a LAN register (UDP 137)");
    cmd->add_option("--iface", a->iface, "Ask on this interface's LAN");
    cmd->add_option("--broadcast", a->broadcast, "Ask on this broadcast address");
    cmd->add_option("--seconds", a->seconds, "How long to wait for answers")->check(CLI::Range(0.1, 60.0));
    cmd->add_flag("--json", a->json, "Print as JSON");
    addCodePageOption(cmd, a->codePage);
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
        const unsigned codePage = effectiveCodePage(a->codePage);
        if (a->json) {
            nlohmann::ordered_json j = nlohmann::ordered_json::array();
            for (const auto& h : *hosts) {
                nlohmann::ordered_json names = nlohmann::ordered_json::array();
                for (const auto& n : h.names)
                    names.push_back({{"name", base::decodeOem(n.name, codePage)},
                                     {"name_hex", core::nameHex(n.name)},
                                     {"suffix", suffixText(n.suffix)},
                                     {"group", n.group},
                                     {"active", n.active}});
                nlohmann::ordered_json e{{"ip", wire::ipv4Text(h.ip)}, {"names", names}};
                if (!h.error.empty()) e["error"] = h.error;
                j.push_back(e);
            }
            std::puts(base::dumpJson(j, 2).c_str());
        } else {
            std::printf("%-16s %-16s %-6s %s\n", "ADDRESS", "NAME", "SUFFIX", "TYPE");
            for (const auto& h : *hosts) {
                if (h.names.empty()) std::printf("%-16s %s\n", wire::ipv4Text(h.ip).c_str(), h.error.c_str());
                for (const auto& n : h.names) {
                    // Pad by characters, not bytes: a decoded name may hold multi-byte UTF-8.
                    std::string name = base::decodeOem(n.name, codePage);
                    const std::size_t width = base::displayWidth(name);
                    if (width < 16) name.append(16 - width, ' ');
                    std::printf("%-16s %s %-6s %s\n", wire::ipv4Text(h.ip).c_str(), name.c_str(), suffixText(n.suffix).c_str(),
                                n.group ? "group" : "unique");
                }
            }
            std::printf("%zu hosts answered on %s\n", hosts->size(), wire::ipv4Text(lan->broadcast).c_str());
        }
        std::fflush(stdout);
        return kExitOk;
    };
}

}  // namespace ipcscope::cli
