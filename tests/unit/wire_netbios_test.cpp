// NetBIOS names, datagram headers and name service packets against byte vectors built
// from RFC 1001/1002.

#include "test_objects.h"
#include "wire/bytes.h"
#include "wire/netbios.h"

#include <gtest/gtest.h>

using namespace ipcscope::wire;
using ipcscope::test::hexBytes;

namespace {
std::vector<std::uint8_t> ascii(std::string_view s) { return {s.begin(), s.end()}; }
}  // namespace

TEST(NetbiosName, EncodesTheRfc1001Example) {
    // RFC 1001 section 14.1: "FRED" padded with spaces encodes as EGFCEFEECACA...CA.
    std::vector<std::uint8_t> out;
    encodeName(NetbiosName{"FRED", 0x20, {}}, out);
    std::vector<std::uint8_t> want{0x20};
    auto body = ascii("EGFCEFEECACACACACACACACACACACACA");
    want.insert(want.end(), body.begin(), body.end());
    want.push_back(0);
    EXPECT_EQ(out, want);
}

TEST(NetbiosName, RoundTripsSuffixAndScope) {
    std::vector<std::uint8_t> out;
    const NetbiosName n{"TESTDOM", 0x1d, "lan.example"};
    encodeName(n, out);
    EXPECT_EQ(out.size(), 34u + 4 + 8);
    EXPECT_EQ(out[33], 3);  // "lan"
    std::size_t off = 0;
    auto back = decodeName(out, off);
    ASSERT_TRUE(back) << back.error().message();
    EXPECT_EQ(*back, n);
    EXPECT_EQ(off, out.size());
    EXPECT_EQ(displayName(n), "TESTDOM<1d>.lan.example");
}

TEST(NetbiosName, MakeNameFoldsCaseAndRefusesBadNames) {
    auto n = makeName("hostb", 0x20);
    ASSERT_TRUE(n);
    EXPECT_EQ(n->name, "HOSTB");
    EXPECT_FALSE(makeName("", 0));
    EXPECT_FALSE(makeName("SIXTEENCHARSLONG", 0));
    EXPECT_FALSE(makeName("A.B", 0));
    EXPECT_EQ(makeName("ABCDEFGHIJKLMNOPQ", 0).error().code, ipcscope::base::Errc::InvalidArgument);
}

TEST(NetbiosName, DecodeRejectsEachMalformation) {
    std::vector<std::uint8_t> good;
    encodeName(NetbiosName{"HOST", 0, {}}, good);
    auto check = [](std::vector<std::uint8_t> b, DecodeErrc want) {
        std::size_t off = 0;
        auto r = decodeName(b, off);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, want) << r.error().message();
    };
    check({}, DecodeErrc::Truncated);
    auto b = good;
    b[0] = 0x10;
    check(b, DecodeErrc::BadNameLength);
    b = good;
    b[0] = 0xc0;
    check(b, DecodeErrc::BadScope);
    b = good;
    b[5] = 'Z';
    check(b, DecodeErrc::BadNameEncoding);
    b = good;
    b.pop_back();
    check(b, DecodeErrc::Truncated);
    b = good;
    b.back() = 70;  // scope label longer than 63
    b.resize(b.size() + 70, 'x');
    check(b, DecodeErrc::BadScope);
    b = good;
    b.back() = 3;  // a label holding a dot cannot be written as a dotted scope
    for (char c : std::string("a.b")) b.push_back(static_cast<std::uint8_t>(c));
    b.push_back(0);
    check(b, DecodeErrc::BadScope);
    b = good;
    b.back() = 5;  // label runs past the end
    b.push_back('a');
    check(b, DecodeErrc::Truncated);
}

TEST(Datagram, EncodesTheRfc1002HeaderFieldByField) {
    Datagram d;
    d.type = DatagramType::DirectGroup;
    d.flags = 0x02;
    d.id = 0x1234;
    d.sourceIp = 0x0a4d0001;  // 10.77.0.1
    d.sourcePort = 138;
    d.source = NetbiosName{"HOSTA", 0x00, {}};
    d.destination = NetbiosName{"TESTDOM", 0x00, {}};
    d.userData = {1, 2, 3};
    auto bytes = encodeDatagram(d);
    ASSERT_TRUE(bytes);
    const auto& b = *bytes;
    ASSERT_EQ(b.size(), 14u + 34 + 34 + 3);
    EXPECT_EQ(toHex(std::span(b).first(14)), "1102" "1234" "0a4d0001" "008a" "0047" "0000");
    auto back = decodeDatagram(b);
    ASSERT_TRUE(back) << back.error().message();
    EXPECT_EQ(back->type, DatagramType::DirectGroup);
    EXPECT_EQ(back->id, 0x1234);
    EXPECT_EQ(ipv4Text(back->sourceIp), "10.77.0.1");
    EXPECT_EQ(back->source, d.source);
    EXPECT_EQ(back->destination, d.destination);
    EXPECT_EQ(back->userData, d.userData);
    EXPECT_TRUE(back->first());
    EXPECT_FALSE(back->more());
    EXPECT_EQ(back->nodeType(), NodeType::B);
    EXPECT_EQ(back->userDataAt, 14u + 68);
}

TEST(Datagram, DecodesErrorAndQueryTypes) {
    auto err = decodeDatagram(hexBytes("13 02 0001 0a000001 008a 82"));
    ASSERT_TRUE(err) << err.error().message();
    EXPECT_EQ(err->type, DatagramType::Error);
    EXPECT_EQ(err->errorCode, 0x82);
    std::vector<std::uint8_t> q = hexBytes("14 02 0002 0a000001 008a");
    encodeName(NetbiosName{"HOSTB", 0x00, {}}, q);
    auto query = decodeDatagram(q);
    ASSERT_TRUE(query) << query.error().message();
    EXPECT_EQ(query->destination.name, "HOSTB");
}

TEST(Datagram, DecodeRejectsEachMalformation) {
    Datagram d;
    d.source = NetbiosName{"A", 0, {}};
    d.destination = NetbiosName{"B", 0, {}};
    d.userData = {9, 9};
    const auto good = encodeDatagram(d).value();
    auto code = [](std::span<const std::uint8_t> b) { return decodeDatagram(b).error().code; };
    EXPECT_EQ(code({}), DecodeErrc::Truncated);
    EXPECT_EQ(code(std::span(good).first(9)), DecodeErrc::Truncated);
    EXPECT_EQ(code(std::span(good).first(12)), DecodeErrc::Truncated);
    auto b = good;
    b[0] = 0x20;
    EXPECT_EQ(code(b), DecodeErrc::BadMessageType);
    b = good;
    b[10] = 0xff;  // DGM_LENGTH far beyond the packet
    EXPECT_EQ(code(b), DecodeErrc::LengthMismatch);
    b = good;
    b[11] = static_cast<std::uint8_t>(b[11] - 40);  // length ends inside the destination name
    EXPECT_EQ(code(b), DecodeErrc::Truncated);
    b = good;
    b[14 + 3] = 'z';
    EXPECT_EQ(code(b), DecodeErrc::BadNameEncoding);
    b = good;
    b[14 + 34] = 0x21;
    EXPECT_EQ(code(b), DecodeErrc::BadNameLength);
    // Bytes after DGM_LENGTH are ignored, not read as data.
    b = good;
    b.push_back(0xee);
    auto ok = decodeDatagram(b);
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->userData, d.userData);
    EXPECT_FALSE(encodeDatagram(Datagram{DatagramType::Error}));
}

TEST(Ipv4, ParsesAndPrints) {
    EXPECT_EQ(parseIpv4("10.77.0.255"), 0x0a4d00ffu);
    EXPECT_EQ(ipv4Text(0x7f000001), "127.0.0.1");
    for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.x", "1..2.3", "1.2.3.4 ", "0001.2.3.4"})
        EXPECT_FALSE(parseIpv4(bad)) << bad;
}

TEST(NameService, EncodesQueriesPerRfc1002) {
    const auto q = encodeNameQuery(0xbeef, NetbiosName{"HOSTB", 0x00, {}}, true, false);
    ASSERT_EQ(q.size(), 12u + 34 + 4);
    EXPECT_EQ(toHex(std::span(q).first(12)), "beef" "0110" "0001" "0000" "0000" "0000");
    EXPECT_EQ(toHex(std::span(q).last(4)), "00200001");
    const auto s = encodeNameQuery(1, NetbiosName{"*", 0x00, {}}, false, true);
    EXPECT_EQ(toHex(std::span(s).subspan(2, 2)), "0000");
    EXPECT_EQ(toHex(std::span(s).last(4)), "00210001");
    EXPECT_EQ(s[13], 'C');  // '*' = 0x2a -> "CK"
    EXPECT_EQ(s[14], 'K');
}

TEST(NameService, DecodesPositiveQueryAndNodeStatusResponses) {
    // Positive name query response (RFC 1002 4.2.13): one NB record, 10.77.0.2.
    std::vector<std::uint8_t> r = hexBytes("beef 8500 0000 0001 0000 0000");
    encodeName(NetbiosName{"HOSTB", 0x00, {}}, r);
    auto tail = hexBytes("0020 0001 000493e0 0006 0000 0a4d0002");
    r.insert(r.end(), tail.begin(), tail.end());
    auto resp = decodeNameResponse(r);
    ASSERT_TRUE(resp) << resp.error().message();
    EXPECT_EQ(resp->transactionId, 0xbeef);
    EXPECT_EQ(resp->rrType, kRrNb);
    ASSERT_EQ(resp->addresses.size(), 1u);
    EXPECT_EQ(resp->addresses[0], 0x0a4d0002u);

    // Node status response (RFC 1002 4.2.18): two names, then the unit id.
    std::vector<std::uint8_t> s = hexBytes("0007 8400 0000 0001 0000 0000");
    encodeName(NetbiosName{"*", 0x00, {}}, s);
    auto rr = hexBytes("0021 0001 00000000 002b 02");
    s.insert(s.end(), rr.begin(), rr.end());
    auto entry = [&](std::string name, std::uint8_t suffix, std::uint16_t flags) {
        name.resize(15, ' ');
        s.insert(s.end(), name.begin(), name.end());
        s.push_back(suffix);
        s.push_back(static_cast<std::uint8_t>(flags >> 8));
        s.push_back(static_cast<std::uint8_t>(flags));
    };
    entry("HOSTB", 0x20, 0x0400);
    entry("TESTDOM", 0x00, 0x8400);
    auto mac = hexBytes("020000000001");
    s.insert(s.end(), mac.begin(), mac.end());
    auto st = decodeNameResponse(s);
    ASSERT_TRUE(st) << st.error().message();
    ASSERT_EQ(st->names.size(), 2u);
    EXPECT_EQ(st->names[0], (NodeName{"HOSTB", 0x20, false, true}));
    EXPECT_EQ(st->names[1], (NodeName{"TESTDOM", 0x00, true, true}));
    EXPECT_EQ(st->mac[5], 1);

    // A count that promises more names than the record holds is refused, not over-read.
    auto shortStatus = s;
    shortStatus[12 + 34 + 10] = 9;
    EXPECT_EQ(decodeNameResponse(shortStatus).error().code, DecodeErrc::Truncated);
    auto longRd = s;
    longRd[12 + 34 + 9] = 0xff;
    EXPECT_EQ(decodeNameResponse(longRd).error().code, DecodeErrc::LengthMismatch);
    // Requests are not responses.
    EXPECT_EQ(decodeNameResponse(encodeNameQuery(1, NetbiosName{"X", 0, {}}, true, false)).error().code,
              DecodeErrc::BadMessageType);
    EXPECT_EQ(decodeNameResponse(std::span(s).first(5)).error().code, DecodeErrc::Truncated);
}
