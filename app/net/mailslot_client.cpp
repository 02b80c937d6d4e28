#include "net/mailslot_client.h"

#include "core/platform.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <random>

namespace ipcscope::net {
namespace {

std::string upper(std::string s) {
    for (char& c : s)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    return s;
}

std::string trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return std::string(s);
}

std::uint16_t randomId() {
    static std::mt19937 gen{std::random_device{}()};
    return static_cast<std::uint16_t>(gen());
}

/// The host name as a NetBIOS name: up to the first dot, at most 15 characters.
std::string netbiosHostName() {
    std::string h = platform::hostName();
    if (auto dot = h.find('.'); dot != std::string::npos) h.resize(dot);
    if (h.size() > wire::kNetbiosNameChars) h.resize(wire::kNetbiosNameChars);
    return h.empty() ? std::string("IPCSCOPE") : upper(h);
}

/// A socket to send from: port 138 when we may bind it (replies and peers expect it),
/// otherwise any port.
core::Result<UdpSocket> senderSocket(std::uint32_t local, std::uint16_t& port) {
    auto s = UdpSocket::open();
    if (!s) return s.error();
    if (auto b = s->setBroadcast(true); !b) return b.error();
    (void)s->setReuseAddress(true);
    if (s->bind(Endpoint{local, wire::kDatagramPort})) {
        port = wire::kDatagramPort;
        return s;
    }
    auto fresh = UdpSocket::open();
    if (!fresh) return fresh.error();
    if (auto b = fresh->setBroadcast(true); !b) return b.error();
    if (auto b = fresh->bind(Endpoint{local, 0}); !b) return b.error();
    auto ep = fresh->localEndpoint();
    if (!ep) return ep.error();
    port = ep->port;
    return fresh;
}

}  // namespace

std::string defaultWorkgroup() {
    if (const char* env = std::getenv("IPCSCOPE_WORKGROUP"); env && *env) return upper(env);
#ifdef _WIN32
    if (const char* env = std::getenv("USERDOMAIN"); env && *env) return upper(env);
#else
    std::ifstream conf("/etc/samba/smb.conf");
    std::string line;
    while (std::getline(conf, line)) {
        const std::string t = trim(line);
        if (t.rfind("workgroup", 0) != 0) continue;
        const auto eq = t.find('=');
        if (eq == std::string::npos) continue;
        const std::string value = trim(std::string_view(t).substr(eq + 1));
        if (!value.empty() && value.size() <= wire::kNetbiosNameChars) return upper(value);
    }
#endif
    return "WORKGROUP";
}

core::Result<Lan> chooseLan(const std::string& iface, const std::string& broadcast) {
    Lan lan;
    if (!broadcast.empty()) {
        auto ip = wire::parseIpv4(broadcast);
        if (!ip) return core::Error::make(core::Errc::InvalidArgument, "--broadcast takes an IPv4 address, not '" + broadcast + "'");
        lan.broadcast = *ip;
        auto local = sourceAddressFor(lan.broadcast);
        if (!local) return local.error();
        lan.local = *local;
        return lan;
    }
    if (!iface.empty()) {
        auto i = findInterface(iface);
        if (!i) return i.error();
        lan.broadcast = i->broadcast;
        lan.local = i->address;
        lan.device = i->name;
        return lan;
    }
    auto all = interfaces();
    if (!all) return all.error();
    for (const auto& i : *all) {
        if (i.loopback || i.broadcast == 0) continue;
        lan.broadcast = i.broadcast;
        lan.local = i.address;
        lan.device = i.name;
        return lan;
    }
    return core::Error::make(core::Errc::NotFound, "no LAN interface with a broadcast address is up; choose one with --iface or --broadcast");
}

core::Result<std::vector<std::uint32_t>> resolveName(const wire::NetbiosName& name, const Lan& lan,
                                                     std::chrono::milliseconds timeout) {
    auto s = UdpSocket::open();
    if (!s) return s.error();
    if (auto b = s->setBroadcast(true); !b) return b.error();
    if (auto b = s->bind(Endpoint{0, 0}); !b) return b.error();
    const std::uint16_t id = randomId();
    const auto query = wire::encodeNameQuery(id, name, true, false);
    if (auto st = s->sendTo(Endpoint{lan.broadcast, wire::kNamePort}, query); !st) return st.error();
    std::vector<std::uint32_t> found;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        auto r = s->receive(std::max(left, std::chrono::milliseconds(1)));
        if (!r) return r.error();
        if (!r->has_value()) break;
        auto resp = wire::decodeNameResponse((*r)->bytes);
        if (!resp || resp->transactionId != id || resp->rcode != 0 || resp->rrType != wire::kRrNb) continue;
        for (auto ip : resp->addresses)
            if (std::find(found.begin(), found.end(), ip) == found.end()) found.push_back(ip);
        break;  // the first positive answer is enough
    }
    return found;
}

core::Result<std::vector<NetbiosHost>> discoverNetbios(const Lan& lan, std::chrono::milliseconds timeout) {
    auto s = UdpSocket::open();
    if (!s) return s.error();
    if (auto b = s->setBroadcast(true); !b) return b.error();
    if (auto b = s->bind(Endpoint{0, 0}); !b) return b.error();
    // Who is there: a broadcast name query for "*" (answered by every NetBIOS node that
    // honours the wildcard) and a node status broadcast (answered by some others).
    const std::uint16_t id = randomId();
    const auto star = wire::NetbiosName{"*", 0x00, {}};
    if (auto st = s->sendTo(Endpoint{lan.broadcast, wire::kNamePort}, wire::encodeNameQuery(id, star, true, false)); !st)
        return st.error();
    (void)s->sendTo(Endpoint{lan.broadcast, wire::kNamePort}, wire::encodeNameQuery(static_cast<std::uint16_t>(id + 1), star, true, true));
    std::vector<NetbiosHost> hosts;
    auto hostFor = [&](std::uint32_t ip) -> NetbiosHost& {
        for (auto& h : hosts)
            if (h.ip == ip) return h;
        hosts.push_back(NetbiosHost{ip, {}, {}, {}});
        return hosts.back();
    };
    auto collect = [&](std::chrono::milliseconds window, std::uint16_t lo, std::uint16_t hi) -> core::Status {
        const auto deadline = std::chrono::steady_clock::now() + window;
        for (int i = 0; i < 256 && std::chrono::steady_clock::now() < deadline; ++i) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            auto r = s->receive(std::max(left, std::chrono::milliseconds(1)));
            if (!r) return r.error();
            if (!r->has_value()) break;
            auto resp = wire::decodeNameResponse((*r)->bytes);
            if (!resp || resp->transactionId < lo || resp->transactionId > hi) continue;
            auto& h = hostFor((*r)->from.ip);
            if (resp->rrType == wire::kRrNbstat) {
                h.names = resp->names;
                h.mac = resp->mac;
            }
        }
        return core::okStatus();
    };
    if (auto st = collect(timeout, id, static_cast<std::uint16_t>(id + 1)); !st) return st.error();
    // Node status, one unicast query per host that has not told us its names yet.
    const std::uint16_t statusId = static_cast<std::uint16_t>(id + 2);
    bool asked = false;
    for (auto& h : hosts) {
        if (!h.names.empty()) continue;
        asked = true;
        if (auto st = s->sendTo(Endpoint{h.ip, wire::kNamePort}, wire::encodeNameQuery(statusId, star, false, true)); !st)
            h.error = st.error().message();
    }
    if (asked)
        if (auto st = collect(timeout, statusId, statusId); !st) return st.error();
    for (auto& h : hosts)
        if (h.names.empty() && h.error.empty()) h.error = "no node status answer";
    std::sort(hosts.begin(), hosts.end(), [](const NetbiosHost& a, const NetbiosHost& b) { return a.ip < b.ip; });
    return hosts;
}

core::Result<SendReport> sendMailslot(const SendRequest& request) {
    auto target = wire::parseTarget(request.target);
    if (!target) return target.error();
    SendReport report;
    report.dataBytes = request.data.size();

    if (target->kind == wire::TargetKind::Local) {
        if (platform::current() == core::Platform::Windows) {
            if (auto st = writeLocalMailslot(target->slot, request.data); !st) return st.error();
            report.msgType = "local";
            report.destination = "\\\\.\\mailslot\\" + target->slot;
            return report;
        }
    }
    // Size first: an oversized message never reaches the network code.
    if (auto st = wire::checkMessageSize(target->slot, request.data.size()); !st) return st.error();

    const std::string sourceName = request.sourceName.empty() ? netbiosHostName() : request.sourceName;
    auto source = wire::makeName(sourceName, 0x00);
    if (!source) return source.error();
    const std::string domain = request.domain.empty() ? defaultWorkgroup() : upper(request.domain);

    wire::MailslotDatagramSpec spec;
    spec.id = randomId();
    spec.source = *source;
    spec.slot = target->slot;
    spec.priority = request.priority;
    spec.mailslotClass = wire::kClassUnreliable;
    spec.data = request.data;

    Endpoint to{};
    std::uint32_t local = 0;
    if (target->kind == wire::TargetKind::Local) {
        // No local mailslots on this platform: deliver to an ipcscope listener on loopback.
        spec.type = wire::DatagramType::DirectUnique;
        auto dest = wire::makeName(sourceName, 0x00);
        if (!dest) return dest.error();
        spec.destination = *dest;
        local = 0x7f000001;
        to = Endpoint{0x7f000001, request.port};
    } else {
        const bool isGroup = target->kind == wire::TargetKind::PrimaryDomain || request.group || upper(target->server) == domain;
        auto lan = chooseLan(request.iface, request.broadcast);
        if (!lan) return lan.error();
        local = lan->local;
        if (isGroup) {
            const std::string group = target->kind == wire::TargetKind::PrimaryDomain ? domain : target->server;
            auto dest = wire::makeName(group, 0x00);
            if (!dest) return dest.error();
            spec.type = wire::DatagramType::DirectGroup;
            spec.destination = *dest;
            to = Endpoint{lan->broadcast, request.port};
        } else {
            auto dest = wire::makeName(target->server, 0x00);
            if (!dest) return dest.error();
            spec.type = wire::DatagramType::DirectUnique;
            spec.destination = *dest;
            if (!request.to.empty()) {
                auto ip = wire::parseIpv4(request.to);
                if (!ip) return core::Error::make(core::Errc::InvalidArgument, "--to takes an IPv4 address, not '" + request.to + "'");
                to = Endpoint{*ip, request.port};
            } else {
                auto found = resolveName(spec.destination, *lan, request.resolveTimeout);
                if (!found) return found.error();
                if (found->empty())
                    return core::Error::make(core::Errc::NotFound,
                                             "no host answered a NetBIOS name query for " + wire::displayName(spec.destination) +
                                                 " on " + wire::ipv4Text(lan->broadcast) + "; give its address with --to");
                to = Endpoint{found->front(), request.port};
            }
        }
    }

    std::uint16_t port = 0;
    auto sock = senderSocket(local == 0x7f000001 ? 0 : local, port);
    if (!sock) return sock.error();
    spec.sourceIp = local;
    spec.sourcePort = port;
    auto bytes = wire::encodeMailslotDatagram(spec);
    if (!bytes) return bytes.error();
    if (auto st = sock->sendTo(to, *bytes); !st) return st.error();
    report.msgType = std::string(wire::datagramTypeName(spec.type));
    report.destName = wire::displayName(spec.destination);
    report.destination = to.text();
    report.datagramBytes = bytes->size();
    return report;
}

}  // namespace ipcscope::net
