// ipcscope send '\\*\mailslot\NAME' (--text T | --hex H | --file F) [--iface IF] [--domain D] ...

#include "base/json.h"
#include "cli/commands.h"
#include "net/mailslot_client.h"
#include "wire/bytes.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>

namespace ipcscope::cli {
namespace {

struct SendArgs {
    std::string target;
    std::string text, hex, file;
    std::string iface, broadcast, to, domain, source;
    int priority = 0;
    int port = 138;
    bool group = false;
    bool json = false;
};

}  // namespace

Runner addSend(CLI::App& app) {
    auto a = std::make_shared<SendArgs>();
    auto* cmd = app.add_subcommand("send", "Send a message to a mailslot: \\\\*\\mailslot\\NAME (domain broadcast), "
                                           "\\\\DOMAIN\\mailslot\\NAME, \\\\HOST\\mailslot\\NAME or \\\\.\\mailslot\\NAME");
    cmd->add_option("target", a->target, "Mailslot name, e.g. '\\\\*\\mailslot\\test' (quote the backslashes)")->required();
    auto* text = cmd->add_option("--text", a->text, "Message text");
    auto* hex = cmd->add_option("--hex", a->hex, "Message bytes as hex");
    auto* file = cmd->add_option("--file", a->file, "Message bytes from a file");
    text->excludes(hex)->excludes(file);
    hex->excludes(file);
    cmd->add_option("--iface", a->iface, "Send on this interface's LAN (its broadcast address)");
    cmd->add_option("--broadcast", a->broadcast, "Send to this broadcast address");
    cmd->add_option("--to", a->to, "Address of \\\\HOST (otherwise a NetBIOS name query finds it)");
    cmd->add_option("--domain", a->domain, "Workgroup or domain for \\\\*\\ (default: the configured workgroup)");
    cmd->add_option("--source-name", a->source, "NetBIOS name of the sender (default: the host name)");
    cmd->add_option("--priority", a->priority, "Mailslot priority (0-65535)")->check(CLI::Range(0, 65535));
    cmd->add_option("--port", a->port, "Destination UDP port (138; other ports for a listener started with --port)")
        ->check(CLI::Range(1, 65535));
    cmd->add_flag("--group", a->group, "Treat \\\\NAME\\ as a domain (direct group datagram)");
    cmd->add_flag("--json", a->json, "Print what was sent as JSON");
    return [a]() -> int {
        net::SendRequest r;
        r.target = a->target;
        if (!a->hex.empty()) {
            if (!wire::fromHex(a->hex, r.data)) {
                printError("--hex takes pairs of hex digits, e.g. 48656c6c6f");
                return kExitUsage;
            }
        } else if (!a->file.empty()) {
            std::ifstream f(a->file, std::ios::binary);
            if (!f) {
                printError("cannot read " + a->file);
                return kExitFailure;
            }
            r.data.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
        } else {
            r.data.assign(a->text.begin(), a->text.end());
        }
        r.iface = a->iface;
        r.broadcast = a->broadcast;
        r.to = a->to;
        r.domain = a->domain;
        r.sourceName = a->source;
        r.priority = static_cast<std::uint16_t>(a->priority);
        r.port = static_cast<std::uint16_t>(a->port);
        r.group = a->group;
        auto sent = net::sendMailslot(r);
        if (!sent) {
            printError(sent.error().message());
            return sent.error().code == core::Errc::InvalidArgument ? kExitUsage : kExitFailure;
        }
        if (a->json) {
            nlohmann::ordered_json j{{"msg_type", sent->msgType},     {"dest_name", sent->destName},
                                     {"destination", sent->destination}, {"size", sent->dataBytes},
                                     {"datagram_size", sent->datagramBytes}};
            std::puts(base::dumpJson(j).c_str());
        } else {
            std::printf("sent %zu bytes as %s to %s (%s)\n", sent->dataBytes, sent->msgType.c_str(),
                        sent->destName.empty() ? sent->destination.c_str() : sent->destName.c_str(), sent->destination.c_str());
        }
        std::fflush(stdout);
        return kExitOk;
    };
}

}  // namespace ipcscope::cli
