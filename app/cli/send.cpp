// ipcscope send TARGET (--text T | --hex H | --file F | --stdin) [--repeat N] [--interval MS]
//   [--timeout MS] [--expect-reply [--reply-bytes N]] [--json], and the mailslot options.

#include "base/json.h"
#include "cli/commands.h"
#include "core/inject.h"
#include "core/message.h"
#include "core/target.h"
#include "net/mailslot_client.h"
#include "net/socket_io.h"
#include "wire/bytes.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <thread>

namespace ipcscope::cli {
namespace {

struct SendArgs {
    std::string target;
    std::string text, hex, file;
    bool fromStdin = false;
    int repeat = 1;
    int intervalMs = 0;
    int timeoutMs = 5000;
    bool expectReply = false;
    std::size_t replyBytes = 0;
    std::uint64_t dwData = 0;
    bool execute = false;
    double seconds = 0;
    std::string iface, broadcast, to, domain, source;
    int priority = 0;
    int port = 138;
    bool group = false;
    bool json = false;
};

int failWith(const core::Error& e) {
    printError(e.message());
    return e.code == core::Errc::InvalidArgument ? kExitUsage : kExitFailure;
}

/// The message bytes from --text, --hex, --file or --stdin; false after printing why.
bool readMessage(const SendArgs& a, std::vector<std::uint8_t>& out, int& exitCode) {
    if (!a.hex.empty()) {
        if (!wire::fromHex(a.hex, out)) {
            printError("--hex takes pairs of hex digits, e.g. 48656c6c6f");
            exitCode = kExitUsage;
            return false;
        }
    } else if (!a.file.empty()) {
        std::ifstream f(a.file, std::ios::binary);
        if (!f) {
            printError("cannot read " + a.file);
            exitCode = kExitFailure;
            return false;
        }
        out.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    } else if (a.fromStdin) {
        std::ios::sync_with_stdio(false);
        std::cin >> std::noskipws;
        out.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    } else {
        out.assign(a.text.begin(), a.text.end());
    }
    return true;
}

void pause(const SendArgs& a, int index) {
    if (index + 1 < a.repeat && a.intervalMs > 0) std::this_thread::sleep_for(std::chrono::milliseconds(a.intervalMs));
}

int sendMailslot(const SendArgs& a, std::vector<std::uint8_t> data) {
    if (a.expectReply) {
        printError("a mailslot has no way back: --expect-reply does not apply to " + a.target);
        return kExitUsage;
    }
    net::SendRequest r;
    r.target = a.target;
    r.data = std::move(data);
    r.iface = a.iface;
    r.broadcast = a.broadcast;
    r.to = a.to;
    r.domain = a.domain;
    r.sourceName = a.source;
    r.priority = static_cast<std::uint16_t>(a.priority);
    r.port = static_cast<std::uint16_t>(a.port);
    r.group = a.group;
    for (int i = 0; i < a.repeat; ++i) {
        auto sent = net::sendMailslot(r);
        if (!sent) return failWith(sent.error());
        if (a.json) {
            nlohmann::ordered_json j{{"msg_type", sent->msgType},     {"dest_name", sent->destName},
                                     {"destination", sent->destination}, {"size", sent->dataBytes},
                                     {"datagram_size", sent->datagramBytes}};
            std::puts(base::dumpJson(j).c_str());
        } else {
            std::printf("sent %zu bytes as %s to %s (%s)\n", sent->dataBytes, sent->msgType.c_str(),
                        sent->destName.empty() ? sent->destination.c_str() : sent->destName.c_str(), sent->destination.c_str());
        }
        std::fflush(stdout);
        pause(a, i);
    }
    return kExitOk;
}

int sendTo(const SendArgs& a, const core::Target& target, const std::vector<std::uint8_t>& data) {
    platform::SendOptions o;
    o.timeout = std::chrono::milliseconds(a.timeoutMs);
    o.expectReply = a.expectReply;
    o.replyBytes = a.replyBytes;
    o.dwData = a.dwData;
    o.execute = a.execute;
    o.holdFor = std::chrono::milliseconds(static_cast<std::int64_t>(a.seconds * 1000));
    auto sender = net::openSender(target, o);
    if (!sender) return failWith(sender.error());
    for (int i = 0; i < a.repeat; ++i) {
        auto r = (*sender)->send(data);
        if (!r) return failWith(r.error());
        core::SentRecord rec{core::formatTarget(target), static_cast<std::size_t>(i + 1), r->written, r->elapsed, r->via, r->reply};
        std::puts(a.json ? base::dumpJson(core::toJson(rec)).c_str()
                         : core::renderLine(rec).c_str());
        std::fflush(stdout);
        pause(a, i);
    }
    return kExitOk;
}

}  // namespace

Runner addSend(CLI::App& app) {
    auto a = std::make_shared<SendArgs>();
    auto* cmd = app.add_subcommand(
        "send", "Send a test message: fifo:PATH, unix:PATH, unix:@NAME, tcp:HOST:PORT, udp:HOST:PORT, clipboard:FORMAT, "
                "\\\\.\\pipe\\NAME, copydata:WINDOW, dde:SERVICE|TOPIC[!ITEM], or a mailslot: \\\\*\\mailslot\\NAME (domain "
                "broadcast), \\\\DOMAIN\\mailslot\\NAME, \\\\HOST\\mailslot\\NAME, \\\\.\\mailslot\\NAME");
    cmd->add_option("target", a->target, "Where to send (quote backslashes), e.g. 'unix:/run/app.sock'")->required();
    auto* text = cmd->add_option("--text", a->text, "Message text");
    auto* hex = cmd->add_option("--hex", a->hex, "Message bytes as hex");
    auto* file = cmd->add_option("--file", a->file, "Message bytes from a file");
    auto* in = cmd->add_flag("--stdin", a->fromStdin, "Message bytes from standard input");
    text->excludes(hex)->excludes(file)->excludes(in);
    hex->excludes(file)->excludes(in);
    file->excludes(in);
    cmd->add_option("--repeat", a->repeat, "Send the message N times")->check(CLI::Range(1, 1000000));
    cmd->add_option("--interval", a->intervalMs, "Milliseconds between repeats")->check(CLI::Range(0, 3600000));
    cmd->add_option("--timeout", a->timeoutMs, "Milliseconds each open, write and reply may take (default 5000)")
        ->check(CLI::Range(1, 3600000));
    auto* expect = cmd->add_flag("--expect-reply", a->expectReply, "Wait for a reply and print it (hex and text)");
    cmd->add_option("--reply-bytes", a->replyBytes, "Read the reply until N bytes came (default: the first chunk)")
        ->needs(expect)
        ->check(CLI::Range(1, 16 << 20));
    cmd->add_option("--dwdata", a->dwData, "copydata: the COPYDATASTRUCT dwData value");
    cmd->add_flag("--execute", a->execute, "dde: send the bytes as an execute command (dde:SERVICE|TOPIC)");
    cmd->add_option("--seconds", a->seconds, "clipboard: own the selection this long (default: until another owner takes it, at most --timeout)")
        ->check(CLI::Range(0.0, 86400.0));
    cmd->add_option("--iface", a->iface, "Mailslot: send on this interface's LAN (its broadcast address)");
    cmd->add_option("--broadcast", a->broadcast, "Mailslot: send to this broadcast address");
    cmd->add_option("--to", a->to, "Mailslot: address of \\\\HOST (otherwise a NetBIOS name query finds it)");
    cmd->add_option("--domain", a->domain, "Mailslot: workgroup or domain for \\\\*\\ (default: the configured workgroup)");
    cmd->add_option("--source-name", a->source, "Mailslot: NetBIOS name of the sender (default: the host name)");
    cmd->add_option("--priority", a->priority, "Mailslot priority (0-65535)")->check(CLI::Range(0, 65535));
    cmd->add_option("--port", a->port, "Mailslot: destination UDP port (138; other ports for a listener started with --port)")
        ->check(CLI::Range(1, 65535));
    cmd->add_flag("--group", a->group, "Mailslot: treat \\\\NAME\\ as a domain (direct group datagram)");
    cmd->add_flag("--json", a->json, "Print one JSON object per message");
    return [a]() -> int {
        auto target = core::parseTarget(a->target);
        if (!target) return failWith(target.error());
        std::vector<std::uint8_t> data;
        int exitCode = kExitOk;
        if (!readMessage(*a, data, exitCode)) return exitCode;
        // Mailslots keep their own path: the LAN forms travel as NetBIOS datagrams, \\.\ is local.
        if (target->kind == core::TargetKind::Mailslot) return sendMailslot(*a, std::move(data));
        return sendTo(*a, *target, data);
    };
}

}  // namespace ipcscope::cli
