// The SMB write-mailslot transaction, the size limits, target names, browser messages and
// whole datagrams: vectors from [MS-MAIL] / [MS-CIFS] / [MS-BRWS] and two datagrams captured
// from Samba's nmbd 4.17 on a test LAN.

#include "core/datagram_render.h"
#include "wire/browser.h"
#include "test_objects.h"
#include "wire/bytes.h"
#include "wire/inspect.h"
#include "wire/mailslot.h"

#include <gtest/gtest.h>

using namespace ipcscope::wire;
using ipcscope::test::hexBytes;
using ipcscope::base::Errc;

namespace {


// nmbd (workgroup TESTDOM, netbios name HOSTB, server string "ipcscope test peer") on
// 10.77.0.2: a Host Announcement to TESTDOM<1d> and an Election Request to TESTDOM<1e>.
constexpr std::string_view kNmbdHostAnnouncement =
    "110a0bcb0a4d0002008a00cd00002045494550464446454543434143414341434143414341434143414341434141410020464545464644464545454550454e43414341434143414341434143414341424e00ff534d4225000000000000000000000000000000000000000000000000000000110000330000000000000000000000000000000000000033005600030001000100020044005c4d41494c534c4f545c42524f57534500010060ea0000484f53544200000000000000000000000601039a81000f0155aa69706373636f70652074657374207065657200";
constexpr std::string_view kNmbdElection =
    "110a0bcd0a4d0002008a00ae00002045494550464446454543434143414341434143414341434143414341434141410020464545464644464545454550454e43414341434143414341434143414341424f00ff534d4225000000000000000000000000000000000000000000000000000000110000140000000000000000000000000000000000000014005600030001000100020025005c4d41494c534c4f545c42524f5753450008010a0f01417017000000000000484f53544200";

MailslotDatagramSpec sampleSpec() {
    MailslotDatagramSpec s;
    s.type = DatagramType::DirectGroup;
    s.id = 0x4242;
    s.sourceIp = 0x0a4d0001;
    s.source = NetbiosName{"HOSTA", 0x00, {}};
    s.destination = NetbiosName{"TESTDOM", 0x00, {}};
    s.slot = "ipcscope-test";
    s.priority = 0;
    s.data = {'h', 'e', 'l', 'l', 'o'};
    return s;
}

}  // namespace

TEST(MailslotWrite, EncodesTheTransactionFieldByField) {
    MailslotWrite m;
    m.slot = "\\MAILSLOT\\BROWSE";
    m.priority = 1;
    m.data = {0xaa, 0xbb};
    const auto b = encodeMailslotWrite(m);
    ASSERT_EQ(b.size(), 69u + 17 + 2);
    EXPECT_EQ(toHex(std::span(b).first(5)), "ff534d4225");
    EXPECT_EQ(b[32], 17);                          // word count
    EXPECT_EQ(toHex(std::span(b).subspan(33, 4)), "00000200");  // total params 0, total data 2
    EXPECT_EQ(toHex(std::span(b).subspan(51, 6)), "000000000200");  // param count/offset, data count
    EXPECT_EQ(toHex(std::span(b).subspan(57, 2)), "5600");  // data offset 70 + 16 = 86
    EXPECT_EQ(b[59], 3);                           // setup count
    EXPECT_EQ(toHex(std::span(b).subspan(61, 6)), "010001000200");  // write, priority 1, class 2
    EXPECT_EQ(toHex(std::span(b).subspan(67, 2)), "1300");  // byte count 17 + 2
    EXPECT_EQ(std::string(b.begin() + 69, b.begin() + 85), "\\MAILSLOT\\BROWSE");
    EXPECT_EQ(b[85], 0);
    EXPECT_EQ(b[86], 0xaa);
    auto back = decodeMailslotWrite(b);
    ASSERT_TRUE(back) << back.error().message();
    EXPECT_EQ(back->slot, m.slot);
    EXPECT_EQ(back->priority, 1);
    EXPECT_EQ(back->mailslotClass, kClassUnreliable);
    EXPECT_EQ(back->data, m.data);
    EXPECT_EQ(back->shortName(), "BROWSE");
}

TEST(MailslotWrite, EncodesWhatNmbdEncodes) {
    // Rebuild nmbd's host announcement from its decoded fields: the bytes must be the same.
    const auto captured = hexBytes(kNmbdHostAnnouncement);
    const auto in = inspectDatagram(captured);
    ASSERT_FALSE(in.error) << in.error->message();
    ASSERT_TRUE(in.mailslot && in.datagram && in.browser);
    Datagram d = *in.datagram;
    MailslotWrite m;
    m.slot = in.mailslot->slot;
    m.priority = in.mailslot->priority;
    m.mailslotClass = in.mailslot->mailslotClass;
    m.data = encodeAnnouncement(BrowserOpcode::HostAnnouncement, *in.browser->announcement);
    d.userData = encodeMailslotWrite(m);
    auto again = encodeDatagram(d);
    ASSERT_TRUE(again);
    EXPECT_EQ(toHex(*again), toHex(captured));
}

TEST(MailslotWrite, DecodesNmbdsHostAnnouncement) {
    const auto captured = hexBytes(kNmbdHostAnnouncement);
    const auto in = inspectDatagram(captured);
    ASSERT_FALSE(in.error) << in.error->message();
    EXPECT_EQ(in.datagram->type, DatagramType::DirectGroup);
    EXPECT_EQ(in.datagram->flags, 0x0a);
    EXPECT_EQ(in.datagram->nodeType(), NodeType::M);
    EXPECT_EQ(ipv4Text(in.datagram->sourceIp), "10.77.0.2");
    EXPECT_EQ(in.datagram->source, (NetbiosName{"HOSTB", 0x00, {}}));
    EXPECT_EQ(in.datagram->destination, (NetbiosName{"TESTDOM", 0x1d, {}}));
    EXPECT_EQ(in.mailslot->slot, "\\MAILSLOT\\BROWSE");
    EXPECT_EQ(in.mailslot->priority, 1);
    EXPECT_EQ(in.mailslot->mailslotClass, 2);
    ASSERT_TRUE(in.browser->announcement);
    const auto& a = *in.browser->announcement;
    EXPECT_EQ(in.browser->opcode, 1);
    EXPECT_EQ(a.serverName, "HOSTB");
    EXPECT_EQ(a.osMajor, 6);
    EXPECT_EQ(a.osMinor, 1);
    EXPECT_EQ(a.serverType, 0x00819a03u);
    EXPECT_EQ(a.periodicityMs, 60000u);
    EXPECT_EQ(a.signature, 0xaa55);
    EXPECT_EQ(a.comment, "ipcscope test peer");
    const auto flags = serverTypeNames(a.serverType);
    EXPECT_NE(std::find(flags.begin(), flags.end(), "potential_browser"), flags.end());
    EXPECT_NE(std::find(flags.begin(), flags.end(), "dfs"), flags.end());
}

TEST(MailslotWrite, DecodesNmbdsElectionRequest) {
    const auto in = inspectDatagram(hexBytes(kNmbdElection));
    ASSERT_FALSE(in.error) << in.error->message();
    EXPECT_EQ(in.datagram->destination, (NetbiosName{"TESTDOM", 0x1e, {}}));
    ASSERT_TRUE(in.browser);
    EXPECT_EQ(in.browser->opcode, 8);
    EXPECT_EQ(in.browser->name, "HOSTB");
    EXPECT_EQ(browserOpcodeName(in.browser->opcode), "request_election");
}

TEST(MailslotWrite, DecodeRejectsEachMalformation) {
    MailslotWrite m;
    m.slot = "\\MAILSLOT\\X";
    m.data = {1, 2, 3, 4};
    const auto good = encodeMailslotWrite(m);
    auto code = [](const std::vector<std::uint8_t>& b) {
        auto r = decodeMailslotWrite(b);
        EXPECT_FALSE(r);
        return r ? DecodeErrc::Truncated : r.error().code;
    };
    auto with = [&](std::size_t at, std::uint8_t v) {
        auto b = good;
        b[at] = v;
        return b;
    };
    EXPECT_EQ(code({}), DecodeErrc::Truncated);
    EXPECT_EQ(code(std::vector<std::uint8_t>(good.begin(), good.begin() + 20)), DecodeErrc::Truncated);
    EXPECT_EQ(code(std::vector<std::uint8_t>(good.begin(), good.begin() + 50)), DecodeErrc::Truncated);
    EXPECT_EQ(code(with(1, 'X')), DecodeErrc::NotSmb);
    EXPECT_EQ(code(with(4, 0x32)), DecodeErrc::NotTransaction);
    EXPECT_EQ(code(with(32, 5)), DecodeErrc::BadWordCount);
    EXPECT_EQ(code(with(32, 16)), DecodeErrc::BadWordCount);
    EXPECT_EQ(code(with(59, 2)), DecodeErrc::BadWordCount);  // setup count disagrees with word count
    EXPECT_EQ(code(with(61, 2)), DecodeErrc::BadSetup);      // opcode 2 is not write
    EXPECT_EQ(code(with(67, 0xff)), DecodeErrc::BadByteCount);
    EXPECT_EQ(code(with(57, 0xf0)), DecodeErrc::BadDataRange);  // data offset past the end
    EXPECT_EQ(code(with(55, 0x40)), DecodeErrc::BadDataRange);  // data count past the end
    EXPECT_EQ(code(with(57, 60)), DecodeErrc::BadDataRange);    // data offset inside the header
    EXPECT_EQ(code(with(70, 'P')), DecodeErrc::NotMailslot);
    auto unterminated = good;
    unterminated.resize(69 + 11);
    unterminated[67] = 11;
    unterminated[68] = 0;
    EXPECT_EQ(code(unterminated), DecodeErrc::UnterminatedName);
    // TID/UID 0xFFFF are accepted as well as 0.
    auto ffff = good;
    for (std::size_t i : {24u, 25u, 28u, 29u}) ffff[i] = 0xff;
    auto ok = decodeMailslotWrite(ffff);
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->tid, 0xffff);
    EXPECT_EQ(ok->uid, 0xffff);
}

TEST(MailslotDatagram, RoundTripsThroughInspect) {
    auto bytes = encodeMailslotDatagram(sampleSpec());
    ASSERT_TRUE(bytes) << bytes.error().message();
    EXPECT_EQ(bytes->size(), 14u + 68 + 70 + 23 + 5);
    const auto in = inspectDatagram(*bytes);
    ASSERT_FALSE(in.error) << in.error->message();
    EXPECT_EQ(in.datagram->id, 0x4242);
    EXPECT_EQ(in.datagram->flags, 0x02);
    EXPECT_EQ(in.mailslot->slot, "\\MAILSLOT\\ipcscope-test");
    EXPECT_EQ(in.mailslot->data, sampleSpec().data);
    EXPECT_FALSE(in.browser);
}

TEST(MailslotDatagram, InspectReportsMalformationsWithOffsetsInTheDatagram) {
    auto bytes = encodeMailslotDatagram(sampleSpec()).value();
    auto b = bytes;
    b[14 + 68 + 1] = 'X';  // SMB signature
    auto in = inspectDatagram(b);
    ASSERT_TRUE(in.error);
    EXPECT_EQ(in.error->code, DecodeErrc::NotSmb);
    EXPECT_EQ(in.error->offset, 14u + 68);
    EXPECT_TRUE(in.datagram);  // what decoded before the fault is kept
    b = bytes;
    b[1] |= kFlagMore;
    EXPECT_EQ(inspectDatagram(b).error->code, DecodeErrc::Fragmented);
    // A browser message too short for an announcement.
    auto spec = sampleSpec();
    spec.slot = "BROWSE";
    spec.data = {1, 0, 0};
    in = inspectDatagram(encodeMailslotDatagram(spec).value());
    ASSERT_TRUE(in.error);
    EXPECT_EQ(in.error->code, DecodeErrc::BadBrowserFrame);
}

TEST(MailslotLimits, FourHundredBytesAndTheWireLimitForLongNames) {
    EXPECT_EQ(messageLimit("ipcscope-test"), 400u);
    EXPECT_EQ(wireDataLimit("ipcscope-test"), 443u - 24);
    EXPECT_TRUE(checkMessageSize("ipcscope-test", 400));
    auto over = checkMessageSize("ipcscope-test", 401);
    ASSERT_FALSE(over);
    EXPECT_EQ(over.error().code, Errc::TooLarge);
    EXPECT_NE(over.error().context.find("401"), std::string::npos);
    EXPECT_NE(over.error().context.find("400"), std::string::npos);
    // 40 characters: 443 - (10 + 40 + 1) = 392.
    const std::string longName(40, 'n');
    EXPECT_EQ(messageLimit(longName), 392u);
    EXPECT_TRUE(checkMessageSize(longName, 392));
    auto longOver = checkMessageSize(longName, 393);
    ASSERT_FALSE(longOver);
    EXPECT_NE(longOver.error().context.find("393"), std::string::npos);
    EXPECT_NE(longOver.error().context.find("392"), std::string::npos);
    // The encoder refuses too, and a name that leaves no room is refused outright.
    auto spec = sampleSpec();
    spec.data.assign(401, 'x');
    EXPECT_EQ(encodeMailslotDatagram(spec).error().code, Errc::TooLarge);
    spec.data.assign(400, 'x');
    EXPECT_TRUE(encodeMailslotDatagram(spec));
    EXPECT_FALSE(checkSlotName(std::string(432, 'n')));
    EXPECT_TRUE(checkSlotName(std::string(431, 'n')));
    EXPECT_FALSE(checkSlotName("with space"));
}

TEST(MailslotTarget, ParsesTheFormsUsersType) {
    auto star = parseTarget("\\\\*\\mailslot\\ipcscope-test");
    ASSERT_TRUE(star) << star.error().message();
    EXPECT_EQ(star->kind, TargetKind::PrimaryDomain);
    EXPECT_EQ(star->slot, "ipcscope-test");
    EXPECT_EQ(star->transactionName(), "\\MAILSLOT\\ipcscope-test");
    auto named = parseTarget("\\\\hostb\\MailSlot\\net\\netlogon");
    ASSERT_TRUE(named);
    EXPECT_EQ(named->kind, TargetKind::Named);
    EXPECT_EQ(named->server, "HOSTB");
    EXPECT_EQ(named->slot, "net\\netlogon");
    auto local = parseTarget("\\\\.\\mailslot\\x");
    ASSERT_TRUE(local);
    EXPECT_EQ(local->kind, TargetKind::Local);
    for (const char* bad : {"", "mailslot\\x", "\\\\*\\pipe\\x", "\\\\*", "\\\\*\\mailslot\\", "\\\\WAYTOOLONGHOSTNAME1\\mailslot\\x",
                            "\\\\*\\mailslot\\a b"}) {
        auto r = parseTarget(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().code, Errc::InvalidArgument);
    }
}

TEST(Browser, AnnouncementsRoundTripAndShortFramesAreRefused) {
    Announcement a;
    a.serverName = "HOSTA";
    a.osMajor = 10;
    a.serverType = 0x1003;
    a.comment = "lab";
    const auto b = encodeAnnouncement(BrowserOpcode::LocalMasterAnnouncement, a);
    EXPECT_EQ(b.size(), 32u + 4);
    auto back = decodeBrowser(b);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->announcement->serverName, "HOSTA");
    EXPECT_EQ(back->announcement->comment, "lab");
    for (std::size_t n = 0; n < 32; ++n) {
        auto r = decodeBrowser(std::span(b).first(n));
        ASSERT_FALSE(r) << n;
        EXPECT_EQ(r.error().code, DecodeErrc::BadBrowserFrame);
    }
    // A comment without its zero ends at the end of the message.
    auto noZero = b;
    noZero.pop_back();
    EXPECT_EQ(decodeBrowser(noZero)->announcement->comment, "lab");
}

TEST(DatagramRender, JsonLineHasTheContractKeys) {
    auto bytes = encodeMailslotDatagram(sampleSpec()).value();
    auto d = ipcscope::core::makeReceived({}, "10.77.0.1", 138, bytes);
    auto j = ipcscope::core::toJson(d);
    for (const char* k : {"time", "source_ip", "source_port", "source_name", "dest_name", "dest_suffix", "msg_type", "slot",
                          "priority", "class", "size", "data_hex", "data_text"})
        EXPECT_TRUE(j.contains(k)) << k;
    EXPECT_EQ(j["msg_type"], "direct_group");
    EXPECT_EQ(j["dest_suffix"], "0x00");
    EXPECT_EQ(j["data_text"], "hello");
    EXPECT_EQ(j["data_hex"], "68656c6c6f");
    EXPECT_FALSE(j.contains("error"));
    bytes[14 + 68] = 0;
    auto bad = ipcscope::core::toJson(ipcscope::core::makeReceived({}, "10.77.0.1", 138, bytes));
    ASSERT_TRUE(bad.contains("error"));
    EXPECT_EQ(bad["error_code"], "not-smb");
    EXPECT_FALSE(ipcscope::core::printableText(std::vector<std::uint8_t>{0x01, 'a'}));
}
