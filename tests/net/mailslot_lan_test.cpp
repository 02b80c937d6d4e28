// Mailslot datagrams between three hosts on a LAN made of network namespaces: broadcasts,
// direct datagrams, the size limit checked on the wire, and tshark's independent decode.

#include "netns.h"
#include "test_util.h"

#include "wire/bytes.h"
#include "wire/mailslot.h"
#include "wire/netbios.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <fstream>

using namespace ipcscope::test;
namespace wire = ipcscope::wire;
using nlohmann::json;

namespace {


std::vector<json> jsonLines(const std::string& text) {
    std::vector<json> out;
    for (const auto& l : lines(text)) out.push_back(json::parse(l, nullptr, false));
    return out;
}

/// A listener on a host: ipcscope mailslot listen --json with bounded count and time.
std::unique_ptr<Background> listen(const TestLan& lan, int host, const TempDir& dir, const std::string& tag,
                                   std::vector<std::string> extra) {
    std::vector<std::string> argv{IPCSCOPE_BIN, "mailslot", "listen", "--json", "--iface", lan.dev(host)};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return std::make_unique<Background>(lan.in(host, argv), dir.path(), tag);
}

json withoutTime(json j) {
    j.erase("time");
    return j;
}

}  // namespace

// The fixture has external linkage: the classes TEST_F derives from it do, and the unity build
// makes this file a header to the compiler (-Wsubobject-linkage).
class MailslotLan : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_FALSE(dir.path().empty());
        ASSERT_TRUE(lan.ok()) << lan.error();
    }
    TempDir dir;
    TestLan lan{"ipcs_ml", 3, 77};
};

TEST_F(MailslotLan, DomainBroadcastFromAReachesBAndCByteForByte) {
    auto b = listen(lan, kB, dir, "b", {"--count", "1", "--seconds", "15"});
    auto c = listen(lan, kC, dir, "c", {"--count", "1", "--seconds", "15"});
    ASSERT_TRUE(lan.waitUdpPort(kB, 138, std::chrono::seconds(5)));
    ASSERT_TRUE(lan.waitUdpPort(kC, 138, std::chrono::seconds(5)));
    // Binary payload with every kind of byte, so the comparison is byte for byte.
    std::string hex;
    for (int i = 0; i < 64; ++i) {
        char buf[3];
        std::snprintf(buf, sizeof buf, "%02x", (i * 37 + 11) & 0xff);
        hex += buf;
    }
    auto sent = runCmd(lan.in(kA, {IPCSCOPE_BIN, "send", "\\\\*\\mailslot\\ipcscope-test", "--hex", hex, "--iface",
                                   lan.dev(kA), "--domain", "TESTDOM", "--source-name", "HOSTA", "--priority", "3", "--json"}));
    ASSERT_EQ(sent.exitCode, 0) << sent.err;
    auto report = json::parse(sent.out);
    EXPECT_EQ(report["msg_type"], "direct_group");
    EXPECT_EQ(report["dest_name"], "TESTDOM<00>");
    EXPECT_EQ(report["destination"], lan.broadcast() + ":138");

    ASSERT_EQ(b->wait(std::chrono::seconds(15)), 0) << b->err();
    ASSERT_EQ(c->wait(std::chrono::seconds(15)), 0) << c->err();
    auto gotB = jsonLines(b->out());
    auto gotC = jsonLines(c->out());
    ASSERT_EQ(gotB.size(), 1u) << b->out();
    ASSERT_EQ(gotC.size(), 1u) << c->out();
    const auto& d = gotB[0];
    EXPECT_EQ(d["msg_type"], "direct_group");
    EXPECT_EQ(d["source_ip"], lan.ip(kA));
    EXPECT_EQ(d["source_port"], 138);
    EXPECT_EQ(d["source_name"], "HOSTA");
    EXPECT_EQ(d["dest_name"], "TESTDOM");
    EXPECT_EQ(d["dest_suffix"], "0x00");
    EXPECT_EQ(d["slot"], "\\MAILSLOT\\ipcscope-test");
    EXPECT_EQ(d["priority"], 3);
    EXPECT_EQ(d["class"], 2);
    EXPECT_EQ(d["size"], 64);
    EXPECT_EQ(d["data_hex"], hex);
    EXPECT_FALSE(d.contains("error")) << d.dump();
    EXPECT_EQ(withoutTime(gotB[0]), withoutTime(gotC[0]));
}

TEST_F(MailslotLan, DirectUniqueToBReachesOnlyB) {
    auto b = listen(lan, kB, dir, "b", {"--count", "1", "--seconds", "15"});
    auto c = listen(lan, kC, dir, "c", {"--seconds", "4"});
    ASSERT_TRUE(lan.waitUdpPort(kB, 138, std::chrono::seconds(5)));
    ASSERT_TRUE(lan.waitUdpPort(kC, 138, std::chrono::seconds(5)));
    auto sent = runCmd(lan.in(kA, {IPCSCOPE_BIN, "send", "\\\\HOSTB\\mailslot\\ipcscope-test", "--text", "only for b",
                                   "--iface", lan.dev(kA), "--to", lan.ip(kB), "--domain", "TESTDOM", "--json"}));
    ASSERT_EQ(sent.exitCode, 0) << sent.err;
    EXPECT_EQ(json::parse(sent.out)["msg_type"], "direct_unique");
    ASSERT_EQ(b->wait(std::chrono::seconds(15)), 0) << b->err();
    auto gotB = jsonLines(b->out());
    ASSERT_EQ(gotB.size(), 1u);
    EXPECT_EQ(gotB[0]["msg_type"], "direct_unique");
    EXPECT_EQ(gotB[0]["dest_name"], "HOSTB");
    EXPECT_EQ(gotB[0]["data_text"], "only for b");
    ASSERT_EQ(c->wait(std::chrono::seconds(15)), 0) << c->err();
    EXPECT_EQ(c->out(), "") << "C saw a datagram meant for B";
}

TEST_F(MailslotLan, MalformedDatagramsAreShownAndCountedAndTheListenerGoesOn) {
    auto b = listen(lan, kB, dir, "b", {"--count", "3", "--seconds", "15", "--stats"});
    ASSERT_TRUE(lan.waitUdpPort(kB, 138, std::chrono::seconds(5)));
    // Junk, a truncated header, then a good message: three lines, two with an error.
    ASSERT_EQ(runCmd(lan.in(kA, {"bash", "-c", "printf 'garbage' > /dev/udp/" + lan.ip(kB) + "/138"})).exitCode, 0);
    ASSERT_EQ(runCmd(lan.in(kA, {"bash", "-c", "printf '\\x11\\x02\\x00\\x01\\x0a' > /dev/udp/" + lan.ip(kB) + "/138"})).exitCode, 0);
    ASSERT_EQ(runCmd(lan.in(kA, {IPCSCOPE_BIN, "send", "\\\\HOSTB\\mailslot\\ok", "--text", "still here", "--iface", lan.dev(kA),
                                 "--to", lan.ip(kB)}))
                  .exitCode,
              0);
    ASSERT_EQ(b->wait(std::chrono::seconds(15)), 0) << b->err();
    auto got = jsonLines(b->out());
    ASSERT_EQ(got.size(), 4u) << b->out();
    EXPECT_EQ(got[0]["error_code"], "bad-message-type");
    EXPECT_EQ(got[1]["error_code"], "truncated");
    EXPECT_EQ(got[2]["data_text"], "still here");
    EXPECT_EQ(got[3]["summary"]["received"], 3);
    EXPECT_EQ(got[3]["summary"]["malformed"], 2);
    EXPECT_EQ(got[3]["summary"]["dropped"], 0);
    EXPECT_EQ(got[3]["summary"]["kernel_dropped"], 0);
}

TEST_F(MailslotLan, SizeLimitIsEnforcedBeforeTheWireAndTsharkDecodesWhatIsSent) {
    const std::string pcap = dir.path() + "/cap.pcapng";
    // tshark prints the destination port of every frame as it captures (-P -l). Its
    // "Capturing on" line comes before the capture really runs, so readiness is a probe
    // packet to the discard port, sent until tshark shows it.
    Background tshark(lan.in(kC, {"tshark", "-n", "-l", "-P", "-i", lan.dev(kC), "-f", "udp port 138 or udp port 9", "-a",
                                  "duration:90", "-T", "fields", "-e", "udp.dstport", "-w", pcap}),
                      dir.path(), "tshark");
    auto framesTo = [&](const std::string& port) {
        std::size_t n = 0;
        for (const auto& l : lines(tshark.out())) n += l == port;
        return n;
    };
    ASSERT_TRUE(eventually(
        [&] {
            (void)runCmd(lan.in(kA, {"bash", "-c", "printf probe > /dev/udp/" + lan.ip(kC) + "/9"}));
            return framesTo("9") > 0;
        },
        std::chrono::seconds(45)))
        << tshark.err();
    auto send = [&](const std::string& slot, std::size_t n) {
        return runCmd(lan.in(kA, {IPCSCOPE_BIN, "send", "\\\\*\\mailslot\\" + slot, "--text", std::string(n, 'x'), "--iface",
                                  lan.dev(kA), "--domain", "TESTDOM"}));
    };
    const std::string longSlot(40, 'L');
    auto no401 = send("ipcscope-test", 401);
    EXPECT_EQ(no401.exitCode, 1);
    EXPECT_EQ(lines(no401.err).size(), 1u) << no401.err;
    EXPECT_NE(no401.err.find("401"), std::string::npos) << no401.err;
    EXPECT_NE(no401.err.find("400"), std::string::npos) << no401.err;
    EXPECT_TRUE(no401.out.empty());
    // 40 characters of name leave 443 - 51 = 392 bytes.
    auto no393 = send(longSlot, 393);
    EXPECT_EQ(no393.exitCode, 1);
    EXPECT_NE(no393.err.find("393"), std::string::npos) << no393.err;
    EXPECT_NE(no393.err.find("392"), std::string::npos) << no393.err;
    auto ok400 = send("ipcscope-test", 400);
    EXPECT_EQ(ok400.exitCode, 0) << ok400.err;
    auto ok392 = send(longSlot, 392);
    EXPECT_EQ(ok392.exitCode, 0) << ok392.err;
    // The refused messages went first: had one reached the wire, it would be among the frames.
    EXPECT_TRUE(eventually([&] { return framesTo("138") >= 2; }, std::chrono::seconds(30))) << "the capture saw fewer than two frames";
    tshark.terminate();  // tshark writes out the file and exits on SIGTERM
    tshark.wait(std::chrono::seconds(15));

    auto frames = runCmd({"tshark", "-n", "-r", pcap, "-Y", "udp.port == 138", "-T", "fields", "-e", "mailslot.name", "-e", "smb.dc"}, 60);
    ASSERT_EQ(frames.exitCode, 0) << frames.err;
    const auto rows = lines(frames.out);
    ASSERT_EQ(rows.size(), 2u) << "exactly the two accepted messages are on the wire:\n" << frames.out;
    EXPECT_EQ(rows[0], "\\MAILSLOT\\ipcscope-test\t400");
    EXPECT_EQ(rows[1], "\\MAILSLOT\\" + longSlot + "\t392");
    auto malformed = runCmd({"tshark", "-n", "-r", pcap, "-Y", "udp.port == 138 && (_ws.malformed || _ws.expert.severity >= warning)"}, 60);
    EXPECT_EQ(malformed.exitCode, 0) << malformed.err;
    EXPECT_EQ(malformed.out, "") << "tshark marks ipcscope's datagrams";
    auto verbose = runCmd({"tshark", "-n", "-r", pcap, "-V"}, 60);
    EXPECT_NE(verbose.out.find("Write Mail Slot"), std::string::npos);
    EXPECT_NE(verbose.out.find("Direct_group datagram"), std::string::npos);
    EXPECT_NE(verbose.out.find("TESTDOM<00>"), std::string::npos);
}

namespace {

// A mailslot datagram from HOSTA to TESTDOM carrying `text`, as hex for lan_peer.
std::string mailslotHex(const std::string& text) {
    wire::MailslotWrite m;
    m.slot = "\\MAILSLOT\\flood";
    m.data.assign(text.begin(), text.end());
    wire::Datagram d;
    d.type = wire::DatagramType::DirectGroup;
    d.source = {"HOSTA", 0x00, ""};
    d.destination = {"TESTDOM", 0x00, ""};
    d.userData = wire::encodeMailslotWrite(m);
    auto bytes = wire::encodeDatagram(d);
    return bytes ? wire::toHex(*bytes) : std::string();
}

// Peak resident memory of a process in KiB (VmHWM), 0 when unknown.
long peakKib(int pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/status");
    std::string key;
    long value = 0;
    while (f >> key) {
        if (key == "VmHWM:" && f >> value) return value;
        f.ignore(1 << 16, '\n');
    }
    return 0;
}

}  // namespace

// The listener is frozen (SIGSTOP) while a peer sends N datagrams at full speed, so the
// socket buffer overflows for certain; after it resumes, every datagram must be accounted for
// as received or dropped by the kernel, memory must stay bounded, and decoding goes on.
TEST_F(MailslotLan, FloodIsAccountedForDatagramByDatagram) {
    constexpr long kFlood = 20000;
    auto b = listen(lan, kB, dir, "flood", {"--stats", "--seconds", "90"});
    ASSERT_TRUE(lan.waitUdpPort(kB, 138, std::chrono::seconds(5)));
    auto flood = [&](const std::string& text, long count) {
        return runCmd(lan.in(kA, {IPCSCOPE_LAN_PEER, "flood", lan.ip(kB), "138", std::to_string(count), mailslotHex(text)}), 60);
    };
    auto shown = [&](const std::string& text) {
        std::size_t n = 0;
        for (const auto& l : lines(b->out())) {
            const auto j = json::parse(l, nullptr, false);
            n += j.is_object() && j.value("data_text", "") == text;
        }
        return n;
    };
    ASSERT_EQ(flood("before", 1).exitCode, 0);
    ASSERT_TRUE(eventually([&] { return shown("before") == 1; }, std::chrono::seconds(10))) << b->err();

    b->signal(SIGSTOP);
    const auto sent = flood("flood", kFlood);
    b->signal(SIGCONT);
    ASSERT_EQ(sent.exitCode, 0) << sent.err;
    ASSERT_EQ(sent.out, std::to_string(kFlood) + "\n");
    // The socket queue is read in order: once an "after" is shown, the flood has been read. The
    // listener's own queue may still be full of the flood when one arrives (it then counts as
    // dropped), so "after" is sent again until one is shown.
    long after = 0;
    ASSERT_TRUE(eventually(
        [&] {
            after += flood("after", 1).exitCode == 0;
            return shown("after") > 0;
        },
        std::chrono::seconds(60)))
        << b->err();
    const long peak = peakKib(b->pid());
    b->terminate();
    ASSERT_EQ(b->wait(std::chrono::seconds(15)), 0) << b->err();

    const auto got = lines(b->out());
    ASSERT_FALSE(got.empty());
    const auto summary = json::parse(got.back(), nullptr, false)["summary"];
    ASSERT_TRUE(summary.is_object()) << got.back();
    const long received = summary["received"], kernelDropped = summary["kernel_dropped"], dropped = summary["dropped"];
    std::printf("flood of %ld: received %ld, kernel_dropped %ld, queue dropped %ld, malformed %ld, peak RSS %ld KiB\n", kFlood,
                received, kernelDropped, dropped, summary["malformed"].get<long>(), peak);
    EXPECT_EQ(received + kernelDropped, kFlood + 1 + after);
    EXPECT_GT(kernelDropped, 0) << "the frozen listener's socket buffer cannot hold the whole flood";
    EXPECT_EQ(summary["malformed"], 0);
    EXPECT_EQ(static_cast<long>(got.size()) - 1, received - dropped) << "every datagram read and queued is shown";
    EXPECT_EQ(shown("flood") + shown("before") + shown("after"), static_cast<std::size_t>(received - dropped));
    EXPECT_GT(peak, 0);
    EXPECT_LT(peak, 96 * 1024) << "peak resident memory of the listener in KiB";
    // The stderr summary says the same.
    EXPECT_NE(b->err().find(std::to_string(kernelDropped) + " dropped by the kernel"), std::string::npos) << b->err();
}
