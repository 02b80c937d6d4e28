// Names are bytes, not text: FIFO and socket paths, mailslot slot names and NetBIOS names
// that are not valid UTF-8 must come out of every JSON-producing command as valid JSON (the
// bad bytes written as \xNN), and the table must show them the same way.

#include "net/udp.h"
#include "test_util.h"
#include "wire/mailslot.h"
#include "wire/netbios.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <thread>

using namespace ipcscope;
using namespace ipcscope::test;
using nlohmann::json;

namespace {

// 0x9a is a CP850 'Ü' and never valid UTF-8 on its own; 0xff is never valid; "\xc3(" is a
// lead byte followed by a byte that cannot continue it.
const std::string kBad = "bad-\x9a-\xff-\xc3(";
const std::string kBadShown = "bad-\\x9a-\\xff-\\xc3(";

bool listenUnix(const std::string& path) {
    int s = ::socket(AF_UNIX, SOCK_STREAM, 0);
    if (s < 0) return false;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path) return false;
    std::memcpy(addr.sun_path, path.data(), path.size());
    return ::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 && ::listen(s, 4) == 0;
}

json parseOrNull(const std::string& text) { return json::parse(text, nullptr, false); }

std::vector<std::string> splitLines(const std::string& text) {
    std::vector<std::string> out;
    std::size_t at = 0;
    while (at < text.size()) {
        const auto end = text.find('\n', at);
        out.push_back(text.substr(at, end == std::string::npos ? std::string::npos : end - at));
        if (end == std::string::npos) break;
        at = end + 1;
    }
    return out;
}

}  // namespace

TEST(InvalidUtf8, FifoAndSocketPathsComeOutAsValidJsonAndInTheTable) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    const std::string fifo = dir.path() + "/fifo-" + kBad;
    const std::string sock = dir.path() + "/sock-" + kBad;
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    Holder holder([&] { return ::open(fifo.c_str(), O_RDWR) >= 0 && listenUnix(sock); });
    ASSERT_TRUE(holder.ready());

    for (const std::vector<std::string> what : {std::vector<std::string>{"pipes"}, {"fifo", "unix-socket"}, {}}) {
        std::vector<std::string> argv{IPCSCOPE_BIN, "list"};
        argv.insert(argv.end(), what.begin(), what.end());
        argv.push_back("--json");
        auto r = runCmd(argv);
        ASSERT_EQ(r.exitCode, 0) << r.err;
        const auto snap = parseOrNull(r.out);
        ASSERT_TRUE(snap.is_object()) << "not JSON: " << r.out.substr(0, 400);
        const auto f = findObject(snap, "fifo", dir.path() + "/fifo-" + kBadShown);
        ASSERT_TRUE(f.is_object()) << "the FIFO is missing";
        EXPECT_TRUE(hasPid(f, holder.pid()));
        const auto s = findObject(snap, "unix-socket", dir.path() + "/sock-" + kBadShown);
        ASSERT_TRUE(s.is_object()) << "the socket is missing";
        EXPECT_TRUE(hasPid(s, holder.pid()));
    }
    auto table = runCmd({IPCSCOPE_BIN, "list", "fifo", "unix-socket", "--pid", std::to_string(holder.pid())});
    ASSERT_EQ(table.exitCode, 0) << table.err;
    EXPECT_NE(table.out.find("/fifo-" + kBadShown), std::string::npos) << table.out;
    EXPECT_NE(table.out.find("/sock-" + kBadShown), std::string::npos) << table.out;
    EXPECT_EQ(table.out.find(kBad), std::string::npos) << "raw bytes reached the terminal";
}

TEST(InvalidUtf8, MailslotSlotAndNetbiosNamesFromTheWireComeOutAsValidJsonAndDecoded) {
    // A listener on loopback (a port above 1024 needs no root), fed a datagram whose slot
    // name holds bytes that are not UTF-8 and are not in any code page's printable set.
    auto probe = net::UdpSocket::open();
    ASSERT_TRUE(probe);
    ASSERT_TRUE(probe->bind({0x7f000001, 0}));
    const auto port = probe->localEndpoint()->port;  // a free port, handed to the listener
    probe = net::UdpSocket::open();                  // releases it

    TempDir dir;
    const std::string out = dir.path() + "/out";
    const std::string cmd = std::string(IPCSCOPE_BIN) + " mailslot listen --bind 127.0.0.1 --port " + std::to_string(port) +
                            " --json --stats --count 1 --seconds 20 > " + out;
    std::thread listener([&] { (void)runCmd({"sh", "-c", cmd}, 30); });

    wire::MailslotWrite m;
    m.slot = "\\MAILSLOT\\" + kBad;
    m.data = {'h', 'i'};
    wire::Datagram d;
    d.type = wire::DatagramType::DirectGroup;
    d.source = {"HOST\xff", 0x00, ""};
    d.destination = {"DOM\xc3(", 0x00, ""};
    d.userData = wire::encodeMailslotWrite(m);
    auto bytes = wire::encodeDatagram(d);
    ASSERT_TRUE(bytes);
    auto sender = net::UdpSocket::open();
    ASSERT_TRUE(sender);
    // Send until the listener has written its line (it may still be starting).
    for (int i = 0; i < 100; ++i) {
        ASSERT_TRUE(sender->sendTo({0x7f000001, port}, *bytes));
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        struct stat st {};
        if (::stat(out.c_str(), &st) == 0 && st.st_size > 0) break;
    }
    listener.join();
    auto r = runCmd({"cat", out});
    const auto got = splitLines(r.out);
    ASSERT_EQ(got.size(), 2u) << r.out;
    const auto j = parseOrNull(got[0]);
    ASSERT_TRUE(j.is_object()) << "not JSON: " << got[0];
    EXPECT_EQ(j["slot"], "\\MAILSLOT\\" + kBadShown);
    // NetBIOS names are decoded from CP850 (0xff is a no-break space, 0xc3 a box corner),
    // the wire bytes kept as hex.
    EXPECT_EQ(j["source_name"], "HOST\xc2\xa0");
    EXPECT_EQ(j["source_name_hex"], "484f5354ff");
    EXPECT_EQ(j["dest_name"], "DOM\xe2\x94\x9c(");
    EXPECT_EQ(j["dest_name_hex"], "444f4dc328");
    EXPECT_EQ(j["data_text"], "hi");
    EXPECT_FALSE(j.contains("error")) << got[0];
    EXPECT_TRUE(parseOrNull(got[1]).is_object()) << got[1];
}
