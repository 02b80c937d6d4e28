// A LAN peer for the tests, run inside a test namespace.
//
//   lan_peer nbstat SECONDS HEXNAME[:SUFFIX[:g]] ...   e.g. 489a5354:20 (H 0x9a S T, suffix 0x20)
//     binds UDP 137 and answers every node status request (RFC 1002 section 4.2.18) with these
//     names, written byte for byte as a Windows host in an OEM code page writes them; stops
//     after SECONDS.
//   lan_peer flood IP PORT COUNT HEXDATAGRAM
//     sends the datagram COUNT times to IP:PORT as fast as the socket takes them, then prints
//     how many it sent.

#include "net/udp.h"
#include "wire/bytes.h"
#include "wire/netbios.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using namespace ipcscope;

namespace {

struct Entry {
    std::vector<std::uint8_t> name;
    std::uint8_t suffix = 0;
    bool group = false;
};

bool parseEntry(const std::string& arg, Entry& e) {
    const auto colon = arg.find(':');
    if (!wire::fromHex(arg.substr(0, colon), e.name) || e.name.empty() || e.name.size() > 15) return false;
    if (colon != std::string::npos) {
        e.suffix = static_cast<std::uint8_t>(std::strtoul(arg.c_str() + colon + 1, nullptr, 16));
        e.group = arg.size() >= 2 && arg.compare(arg.size() - 2, 2, ":g") == 0;
    }
    return true;
}

std::vector<std::uint8_t> nodeStatusResponse(std::uint16_t id, const std::vector<Entry>& entries) {
    wire::ByteWriter w;
    w.u16be(id);
    w.u16be(0x8400);  // response, opcode query, authoritative
    w.u16be(0);       // no question
    w.u16be(1);       // one answer
    w.u16be(0);
    w.u16be(0);
    std::vector<std::uint8_t> star;
    wire::encodeName(wire::NetbiosName{"*", 0x00, {}}, star);
    w.bytes(star);
    w.u16be(wire::kRrNbstat);
    w.u16be(0x0001);
    w.u32be(0);
    w.u16be(static_cast<std::uint16_t>(1 + entries.size() * 18 + 6));
    w.u8(static_cast<std::uint8_t>(entries.size()));
    for (const auto& e : entries) {
        for (std::size_t i = 0; i < 15; ++i) w.u8(i < e.name.size() ? e.name[i] : ' ');
        w.u8(e.suffix);
        w.u16be(static_cast<std::uint16_t>((e.group ? 0x8000 : 0) | 0x0400));  // active
    }
    for (std::uint8_t b : {0x02, 0x00, 0x00, 0x00, 0x00, 0x01}) w.u8(b);
    return w.take();
}

int nodeStatus(int argc, char** argv) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(std::atoi(argv[0]));
    std::vector<Entry> entries;
    for (int i = 1; i < argc; ++i) {
        Entry e;
        if (!parseEntry(argv[i], e)) {
            std::fprintf(stderr, "lan_peer: bad name '%s'\n", argv[i]);
            return 2;
        }
        entries.push_back(std::move(e));
    }
    auto s = net::UdpSocket::open();
    if (!s || !s->setBroadcast(true) || !s->bind({0, wire::kNamePort})) {
        std::fprintf(stderr, "lan_peer: cannot bind UDP 137\n");
        return 1;
    }
    while (std::chrono::steady_clock::now() < until) {
        auto r = s->receive(std::chrono::milliseconds(100));
        if (!r) return 1;
        if (!r->has_value()) continue;
        const auto& q = (*r)->bytes;
        // A request (QR bit clear) whose question is of type NBSTAT.
        if (q.size() < 12 + 34 + 4 || (q[2] & 0x80) != 0) continue;
        if (((q[12 + 34] << 8) | q[12 + 35]) != wire::kRrNbstat) continue;
        const auto id = static_cast<std::uint16_t>((q[0] << 8) | q[1]);
        (void)s->sendTo((*r)->from, nodeStatusResponse(id, entries));
    }
    return 0;
}

int flood(char** argv) {
    const auto ip = wire::parseIpv4(argv[0]);
    const auto port = static_cast<std::uint16_t>(std::atoi(argv[1]));
    const long count = std::atol(argv[2]);
    std::vector<std::uint8_t> datagram;
    if (!ip || port == 0 || count <= 0 || !wire::fromHex(argv[3], datagram)) {
        std::fprintf(stderr, "lan_peer: flood IP PORT COUNT HEXDATAGRAM\n");
        return 2;
    }
    auto s = net::UdpSocket::open();
    if (!s) return 1;
    long sent = 0;
    for (long i = 0; i < count; ++i) {
        // A full send buffer on a veth is retried rather than counted as sent.
        for (int attempt = 0; attempt < 1000; ++attempt)
            if (s->sendTo({*ip, port}, datagram)) {
                ++sent;
                break;
            }
    }
    std::printf("%ld\n", sent);
    return sent == count ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "nbstat" && argc >= 4) return nodeStatus(argc - 2, argv + 2);
    if (mode == "flood" && argc == 6) return flood(argv + 2);
    std::fprintf(stderr, "usage: lan_peer nbstat SECONDS HEXNAME[:SUFFIX[:g]] ... | lan_peer flood IP PORT COUNT HEXDATAGRAM\n");
    return 2;
}
