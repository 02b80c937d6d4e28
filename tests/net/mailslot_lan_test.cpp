// Mailslot datagrams between three hosts on a LAN made of network namespaces: broadcasts,
// direct datagrams, the size limit checked on the wire, and tshark's independent decode.

#include "netns.h"
#include "test_util.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace ipcscope::test;
using nlohmann::json;

namespace {

constexpr int kA = 0, kB = 1, kC = 2;

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

class MailslotLan : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_FALSE(dir.path().empty());
        ASSERT_TRUE(lan.ok()) << lan.error();
    }
    TempDir dir;
    TestLan lan{"ipcs_ml", 3, 77};
};

}  // namespace

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
}

TEST_F(MailslotLan, SizeLimitIsEnforcedBeforeTheWireAndTsharkDecodesWhatIsSent) {
    const std::string pcap = dir.path() + "/cap.pcapng";
    // The capture stops by itself after two frames, so everything it saw is flushed to the
    // file. The refused messages go first: if one of them reached the wire, it would be
    // among the two frames and the assertions below would see it.
    Background tshark(lan.in(kC, {"tshark", "-n", "-i", lan.dev(kC), "-f", "udp port 138", "-a", "packets:2", "-a",
                                  "duration:40", "-w", pcap}),
                      dir.path(), "tshark");
    ASSERT_TRUE(eventually([&] { return tshark.err().find("Capturing on") != std::string::npos; }, std::chrono::seconds(15)))
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
    EXPECT_TRUE(eventually([&] { return !tshark.running(); }, std::chrono::seconds(30))) << "the capture saw fewer than two frames";
    tshark.wait(std::chrono::seconds(5));

    auto frames = runCmd({"tshark", "-n", "-r", pcap, "-T", "fields", "-e", "mailslot.name", "-e", "smb.dc"}, 60);
    ASSERT_EQ(frames.exitCode, 0) << frames.err;
    const auto rows = lines(frames.out);
    ASSERT_EQ(rows.size(), 2u) << "exactly the two accepted messages are on the wire:\n" << frames.out;
    EXPECT_EQ(rows[0], "\\MAILSLOT\\ipcscope-test\t400");
    EXPECT_EQ(rows[1], "\\MAILSLOT\\" + longSlot + "\t392");
    auto malformed = runCmd({"tshark", "-n", "-r", pcap, "-Y", "_ws.malformed || _ws.expert.severity >= warning"}, 60);
    EXPECT_EQ(malformed.exitCode, 0) << malformed.err;
    EXPECT_EQ(malformed.out, "") << "tshark marks ipcscope's datagrams";
    auto verbose = runCmd({"tshark", "-n", "-r", pcap, "-V"}, 60);
    EXPECT_NE(verbose.out.find("Write Mail Slot"), std::string::npos);
    EXPECT_NE(verbose.out.find("Direct_group datagram"), std::string::npos);
    EXPECT_NE(verbose.out.find("TESTDOM<00>"), std::string::npos);
}
