// The unix_diag reply parser on hand-built netlink buffers, including lying length fields.

#include "platform/linux/diag_inet.h"
#include "platform/linux/diag_unix.h"

#include <cstring>
#include <gtest/gtest.h>

using namespace ipcscope::lnx;

namespace {

// Builds netlink messages in host byte order, as the kernel sends them.
class NlBuilder {
public:
    void put16(std::uint16_t v) { append(&v, 2); }
    void put32(std::uint32_t v) { append(&v, 4); }
    void pad() {
        while (m_buf.size() % 4) m_buf.push_back(0);
    }
    std::size_t beginMessage(std::uint16_t type) {
        const std::size_t at = m_buf.size();
        put32(0);  // length, patched in endMessage
        put16(type);
        put16(2);  // NLM_F_MULTI
        put32(1);
        put32(0);
        return at;
    }
    void endMessage(std::size_t at) {
        const auto len = static_cast<std::uint32_t>(m_buf.size() - at);
        std::memcpy(&m_buf[at], &len, 4);
        pad();
    }
    void diagMsg(std::uint8_t type, std::uint8_t state, std::uint32_t ino) {
        m_buf.push_back(1);  // AF_UNIX
        m_buf.push_back(type);
        m_buf.push_back(state);
        m_buf.push_back(0);
        put32(ino);
        put32(0);
        put32(0);
    }
    void attr(std::uint16_t type, const void* data, std::size_t len) {
        put16(static_cast<std::uint16_t>(4 + len));
        put16(type);
        append(data, len);
        pad();
    }
    std::vector<std::uint8_t>& bytes() { return m_buf; }

private:
    void append(const void* p, std::size_t n) {
        auto* b = static_cast<const std::uint8_t*>(p);
        m_buf.insert(m_buf.end(), b, b + n);
    }
    std::vector<std::uint8_t> m_buf;
};

constexpr std::uint16_t kSockDiagByFamily = 20, kDone = 3, kError = 2;

}  // namespace

TEST(DiagUnix, ParsesNamesPeersQueuesAndPending) {
    NlBuilder b;
    auto m = b.beginMessage(kSockDiagByFamily);
    b.diagMsg(1, 10, 100);
    b.attr(0, "/run/x.sock\0", 12);
    const std::uint32_t icons[] = {201, 202};
    b.attr(3, icons, sizeof icons);
    const std::uint32_t rq[] = {2, 128};
    b.attr(4, rq, sizeof rq);
    b.endMessage(m);
    m = b.beginMessage(kSockDiagByFamily);
    b.diagMsg(2, 1, 101);
    b.attr(0, "\0abs\0x", 6);  // abstract names may hold NULs
    const std::uint32_t peer = 100;
    b.attr(2, &peer, 4);
    const std::uint32_t q[] = {7, 9};
    b.attr(4, q, sizeof q);
    const std::uint8_t shut = 2;
    b.attr(6, &shut, 1);
    b.attr(99, "ignored", 7);  // unknown attributes are skipped
    b.endMessage(m);
    m = b.beginMessage(kDone);
    b.put32(0);
    b.endMessage(m);

    std::vector<UnixDiagEntry> out;
    auto r = parseUnixDiagBuffer(b.bytes(), out);
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->done);
    EXPECT_EQ(r->bad, 0u);
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].inode, 100u);
    EXPECT_EQ(out[0].name, "/run/x.sock");
    EXPECT_EQ(unixDiagStateName(out[0].state), "listen");
    EXPECT_EQ(out[0].pending, (std::vector<std::uint32_t>{201, 202}));
    EXPECT_EQ(out[0].rqueue, 2u);
    EXPECT_EQ(out[1].name, std::string("@abs\0x", 6));
    EXPECT_EQ(out[1].peer, 100u);
    EXPECT_EQ(out[1].wqueue, 9u);
    EXPECT_EQ(out[1].shutdown, 2);
    EXPECT_EQ(unixDiagStateName(out[1].state), "connected");
}

TEST(DiagUnix, LyingLengthsNeverReadPastTheBuffer) {
    NlBuilder b;
    auto m = b.beginMessage(kSockDiagByFamily);
    b.diagMsg(1, 7, 5);
    b.put16(200);  // attribute claims 200 bytes
    b.put16(0);
    b.put32(0);
    b.endMessage(m);
    std::vector<UnixDiagEntry> out;
    auto r = parseUnixDiagBuffer(b.bytes(), out);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->bad, 1u);
    ASSERT_EQ(out.size(), 1u);  // the socket itself is kept, without the bad attribute
    EXPECT_TRUE(out[0].name.empty());

    // A message length beyond the buffer stops the parse.
    auto bytes = b.bytes();
    const std::uint32_t huge = 4096;
    std::memcpy(bytes.data(), &huge, 4);
    out.clear();
    r = parseUnixDiagBuffer(bytes, out);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->bad, 1u);
    EXPECT_TRUE(out.empty());

    // Too short for its header, and a truncated tail.
    std::vector<std::uint8_t> tiny{1, 2, 3};
    r = parseUnixDiagBuffer(tiny, out);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->bad, 1u);
    NlBuilder s;
    m = s.beginMessage(kSockDiagByFamily);
    s.put32(0);  // payload shorter than unix_diag_msg
    s.endMessage(m);
    r = parseUnixDiagBuffer(s.bytes(), out);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->bad, 1u);
    EXPECT_TRUE(out.empty());
}

TEST(DiagUnix, ErrorMessageBecomesAnError) {
    NlBuilder b;
    auto m = b.beginMessage(kError);
    b.put32(static_cast<std::uint32_t>(-2));  // -ENOENT: no unix_diag module
    b.endMessage(m);
    std::vector<UnixDiagEntry> out;
    auto r = parseUnixDiagBuffer(b.bytes(), out);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().native, 2);
    EXPECT_TRUE(parseUnixDiagBuffer({}, out).ok());
}

TEST(DiagInet, ParsesV4AndV6SocketsWithBigEndianPorts) {
    NlBuilder b;
    auto m = b.beginMessage(kSockDiagByFamily);
    b.bytes().insert(b.bytes().end(), {2 /*AF_INET*/, 10 /*listen*/, 0, 0});
    b.bytes().insert(b.bytes().end(), {0x1f, 0x90, 0x00, 0x00});  // sport 8080, dport 0
    const std::uint8_t lo4[16] = {127, 0, 0, 1};
    b.bytes().insert(b.bytes().end(), lo4, lo4 + 16);
    b.bytes().insert(b.bytes().end(), 16, 0);  // dst
    b.put32(0);  // if
    b.put32(0);
    b.put32(0);  // cookie
    b.put32(0);  // expires
    b.put32(3);  // rqueue
    b.put32(128);  // wqueue
    b.put32(1000);  // uid
    b.put32(4242);  // inode
    b.endMessage(m);
    m = b.beginMessage(kSockDiagByFamily);
    b.bytes().insert(b.bytes().end(), {10 /*AF_INET6*/, 7, 0, 0, 0x00, 0x8a, 0x00, 0x00});
    std::uint8_t lo6[16] = {};
    lo6[15] = 1;
    b.bytes().insert(b.bytes().end(), lo6, lo6 + 16);
    b.bytes().insert(b.bytes().end(), 16 + 12 + 20, 0);
    b.endMessage(m);
    m = b.beginMessage(kDone);
    b.put32(0);
    b.endMessage(m);

    std::vector<InetEntry> out;
    bool done = false;
    auto r = parseInetDiagBuffer(b.bytes(), out, done);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, 0u);
    EXPECT_TRUE(done);
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(formatEndpoint(out[0].local, out[0].v6, out[0].localPort), "127.0.0.1:8080");
    EXPECT_EQ(out[0].rxQueue, 3u);
    EXPECT_EQ(out[0].txQueue, 128u);
    EXPECT_EQ(out[0].uid, 1000u);
    EXPECT_EQ(out[0].inode, 4242u);
    EXPECT_EQ(formatEndpoint(out[1].local, out[1].v6, out[1].localPort), "[::1]:138");
}

TEST(DiagInet, ShortAndLyingMessagesAreCountedNotRead) {
    NlBuilder b;
    auto m = b.beginMessage(kSockDiagByFamily);
    b.bytes().insert(b.bytes().end(), {2, 1, 0, 0});  // far shorter than inet_diag_msg
    b.endMessage(m);
    std::vector<InetEntry> out;
    bool done = false;
    auto r = parseInetDiagBuffer(b.bytes(), out, done);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, 1u);
    EXPECT_TRUE(out.empty());
    const std::uint32_t huge = 1u << 30;
    std::memcpy(b.bytes().data(), &huge, 4);
    r = parseInetDiagBuffer(b.bytes(), out, done);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, 1u);
    EXPECT_FALSE(done);
}
