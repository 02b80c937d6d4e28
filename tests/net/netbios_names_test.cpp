// NetBIOS names as Windows hosts put them on the wire: bytes in an OEM code page. A peer in
// a network namespace answers node status queries with such names; 'list netbios' must
// decode them (CP850 by default, --oem-codepage N), keep the wire bytes as hex, escape what
// the code page leaves undefined, and never fail on them.

#include "netns.h"
#include "test_util.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace ipcscope::test;
using nlohmann::json;

// The fixture has external linkage: the classes TEST_F derives from it do, and the unity build
// makes this file a header to the compiler (-Wsubobject-linkage).
class NetbiosNames : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_FALSE(dir.path().empty());
        ASSERT_TRUE(lan.ok()) << lan.error();
        // "H\x9aST" is HÜST in CP850 and CP437; "CAF\xd5" is CAFı in CP850, CAF€ in CP858 and
        // undefined in CP857; a group name in plain ASCII.
        peer = std::make_unique<Background>(
            lan.in(kB, {IPCSCOPE_LAN_PEER, "nbstat", "60", "489a5354:00", "434146d5:20", "54455354444f4d:00:g"}), dir.path(), "peer");
        ASSERT_TRUE(lan.waitUdpPort(kB, 137, std::chrono::seconds(5))) << peer->err();
    }
    void TearDown() override {
        if (peer) peer->terminate();
    }

    // The names host B reported, as (name, name_hex) pairs.
    std::vector<std::pair<std::string, std::string>> namesOfB(const std::vector<std::string>& extra) {
        std::vector<std::string> argv{IPCSCOPE_BIN, "list", "netbios", "--iface", lan.dev(kA), "--seconds", "4", "--json"};
        argv.insert(argv.end(), extra.begin(), extra.end());
        auto r = runCmd(lan.in(kA, argv), 30);
        EXPECT_EQ(r.exitCode, 0) << r.err;
        const auto hosts = json::parse(r.out, nullptr, false);
        EXPECT_TRUE(hosts.is_array()) << "not JSON: " << r.out;
        std::vector<std::pair<std::string, std::string>> out;
        if (!hosts.is_array()) return out;
        for (const auto& h : hosts)
            if (h["ip"] == lan.ip(kB))
                for (const auto& n : h["names"]) out.emplace_back(n["name"], n["name_hex"]);
        return out;
    }

    TempDir dir;
    TestLan lan{"ipcs_nn", 2, 76};
    std::unique_ptr<Background> peer;
};

using Names = std::vector<std::pair<std::string, std::string>>;

TEST_F(NetbiosNames, Cp850IsTheDefaultAndTheWireBytesStayAsHex) {
    EXPECT_EQ(namesOfB({}), (Names{{"H\xc3\x9cST", "489a5354"}, {"CAF\xc4\xb1", "434146d5"}, {"TESTDOM", "54455354444f4d"}}));
    auto table = runCmd(lan.in(kA, {IPCSCOPE_BIN, "list", "netbios", "--iface", lan.dev(kA), "--seconds", "4"}), 30);
    ASSERT_EQ(table.exitCode, 0) << table.err;
    // Columns stay aligned: the name is padded by characters, not bytes.
    std::string row = lan.ip(kB);
    row.resize(17, ' ');
    row += "H\xc3\x9cST" + std::string(13, ' ') + "0x00   unique";
    EXPECT_NE(table.out.find(row), std::string::npos) << table.out;
    EXPECT_NE(table.out.find("CAF\xc4\xb1"), std::string::npos) << table.out;
}

TEST_F(NetbiosNames, OemCodePageOptionChoosesTheDecodingAndUndefinedBytesAreEscaped) {
    EXPECT_EQ(namesOfB({"--oem-codepage", "858"}),
              (Names{{"H\xc3\x9cST", "489a5354"}, {"CAF\xe2\x82\xac", "434146d5"}, {"TESTDOM", "54455354444f4d"}}));
    EXPECT_EQ(namesOfB({"--oem-codepage", "857"}),
              (Names{{"H\xc3\x9cST", "489a5354"}, {"CAF\\xd5", "434146d5"}, {"TESTDOM", "54455354444f4d"}}));
    auto bad = runCmd({IPCSCOPE_BIN, "list", "netbios", "--oem-codepage", "12345"});
    EXPECT_EQ(bad.exitCode, 2);
    EXPECT_EQ(lines(bad.err).size(), 1u) << bad.err;
    EXPECT_NE(bad.err.find("850"), std::string::npos) << bad.err;
}
