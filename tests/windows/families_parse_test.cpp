// Pure parts of the Windows mapping, clipboard, service, socket, sync and queue collectors, on
// buffers and values built here: object directory records, PE section tables, socket address
// text, clipboard format names, RPC string bindings, event/mutex/semaphore state, ALPC ports.

#include "windows/nt_dir_parse.h"
#include "windows/nt_parse.h"
#include "windows/pe_sections.h"
#include "windows/row_format.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

using namespace ipcscope;
using namespace ipcscope::win;

namespace {

void putLe(std::vector<std::uint8_t>& b, std::size_t at, std::uint64_t v, unsigned width) {
    if (b.size() < at + width) b.resize(at + width);
    for (unsigned i = 0; i < width; ++i) b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
}

// Appends UTF-16LE text at the end of the buffer and returns its offset.
std::size_t putUtf16(std::vector<std::uint8_t>& b, const std::u16string& s) {
    const std::size_t at = b.size();
    for (char16_t c : s) {
        b.push_back(static_cast<std::uint8_t>(c & 0xFF));
        b.push_back(static_cast<std::uint8_t>(c >> 8));
    }
    return at;
}

// OBJECT_DIRECTORY_INFORMATION records as the kernel lays them out: records first (then an
// all-zero one), strings after them, Buffer fields absolute (base + offset).
struct DirBuffer {
    std::vector<std::uint8_t> bytes;
    std::uint64_t base = 0x7fff0000;
    unsigned ptr = 8;

    void build(const std::vector<std::pair<std::u16string, std::u16string>>& entries) {
        const std::size_t rec = 4 * ptr;
        bytes.assign(rec * (entries.size() + 1), 0);
        for (std::size_t i = 0; i < entries.size(); ++i) {
            const auto nameAt = putUtf16(bytes, entries[i].first);
            const auto typeAt = putUtf16(bytes, entries[i].second);
            setString(i * rec, entries[i].first.size() * 2, nameAt);
            setString(i * rec + 2 * ptr, entries[i].second.size() * 2, typeAt);
        }
    }
    void setString(std::size_t at, std::size_t len, std::size_t offset) {
        putLe(bytes, at, len, 2);
        putLe(bytes, at + 2, len, 2);
        putLe(bytes, at + ptr, base + offset, ptr);
    }
};

}  // namespace

TEST(ObjectDirectoryBuffer, DecodesEntriesUntilTheZeroRecord) {
    DirBuffer b;
    b.build({{u"ipcscope-test", u"Section"}, {u"Local", u"SymbolicLink"}, {u"\u00e9v\u00e9nement", u"Event"}});
    auto r = parseObjectDirectoryBuffer(b.bytes, b.base);
    ASSERT_TRUE(r.ok()) << r.error().message();
    ASSERT_EQ(r->size(), 3u);
    EXPECT_EQ((*r)[0], (ObjectDirEntry{"ipcscope-test", "Section"}));
    EXPECT_EQ((*r)[1], (ObjectDirEntry{"Local", "SymbolicLink"}));
    EXPECT_EQ((*r)[2].name, "\xc3\xa9v\xc3\xa9nement");
}

TEST(ObjectDirectoryBuffer, ThirtyTwoBitLayout) {
    DirBuffer b;
    b.ptr = 4;
    b.base = 0x00400000;
    b.build({{u"Sec", u"Section"}});
    auto r = parseObjectDirectoryBuffer(b.bytes, b.base, 4);
    ASSERT_TRUE(r.ok()) << r.error().message();
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ((*r)[0], (ObjectDirEntry{"Sec", "Section"}));
    EXPECT_FALSE(parseObjectDirectoryBuffer(b.bytes, b.base, 6).ok());
}

TEST(ObjectDirectoryBuffer, SingleEntryModeWithoutTerminatorAndEmptyBuffers) {
    DirBuffer b;
    b.build({{u"only", u"Section"}});
    // A buffer that ends right after the strings, and one shorter than a record.
    auto r = parseObjectDirectoryBuffer(b.bytes, b.base);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->size(), 1u);
    auto empty = parseObjectDirectoryBuffer(std::span<const std::uint8_t>(b.bytes.data(), 31), b.base);
    ASSERT_TRUE(empty.ok());
    EXPECT_TRUE(empty->empty());
    EXPECT_TRUE(parseObjectDirectoryBuffer({}, 0).ok());
}

TEST(ObjectDirectoryBuffer, RejectsStringsOutsideTheBuffer) {
    DirBuffer b;
    b.build({{u"name", u"Section"}});
    auto outside = b;
    putLe(outside.bytes, 8, b.base + b.bytes.size() - 2, 8);  // 8 bytes of name from 2 before the end
    auto r = parseObjectDirectoryBuffer(outside.bytes, outside.base);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, core::Errc::Malformed);

    auto below = b;
    putLe(below.bytes, 8, b.base - 16, 8);
    EXPECT_FALSE(parseObjectDirectoryBuffer(below.bytes, below.base).ok());

    auto wrap = b;
    putLe(wrap.bytes, 8, ~std::uint64_t{0} - 3, 8);  // base + offset would wrap around
    EXPECT_FALSE(parseObjectDirectoryBuffer(wrap.bytes, wrap.base).ok());

    auto odd = b;
    putLe(odd.bytes, 0, 7, 2);
    EXPECT_FALSE(parseObjectDirectoryBuffer(odd.bytes, odd.base).ok());
}

TEST(Utf16, SurrogatePairsAndUnpairedHalves) {
    std::vector<std::uint8_t> b;
    putUtf16(b, u"a\U0001F600b");
    EXPECT_EQ(utf16leToUtf8(b), "a\xF0\x9F\x98\x80" "b");
    std::vector<std::uint8_t> lone;
    putUtf16(lone, std::u16string(1, char16_t(0xD800)) + u"x");
    EXPECT_EQ(utf16leToUtf8(lone), "\xEF\xBF\xBDx");
    EXPECT_EQ(utf16leToUtf8(std::vector<std::uint8_t>{0x41}), "");  // half a code unit is dropped
}

namespace {

struct TestSection {
    std::string name;
    std::uint32_t virtualSize;
    std::uint32_t characteristics;
};

// A PE image prefix: DOS header (e_lfanew at 0x3C), "PE\0\0", COFF header, an optional header
// of `optionalSize` bytes, then the section table.
std::vector<std::uint8_t> buildPe(const std::vector<TestSection>& sections, std::size_t peOffset = 0x80,
                                  std::size_t optionalSize = 0xF0) {
    std::vector<std::uint8_t> b(peOffset, 0);
    b[0] = 'M';
    b[1] = 'Z';
    putLe(b, 0x3C, peOffset, 4);
    b.insert(b.end(), {'P', 'E', 0, 0});
    const std::size_t coff = b.size();
    putLe(b, coff, 0x8664, 2);  // AMD64
    putLe(b, coff + 2, sections.size(), 2);
    putLe(b, coff + 16, optionalSize, 2);
    putLe(b, coff + 18, 0x2022, 2);
    b.resize(coff + 20 + optionalSize, 0);
    if (optionalSize >= 2) putLe(b, coff + 20, 0x20B, 2);  // PE32+
    std::uint32_t rva = 0x1000;
    for (const auto& s : sections) {
        const std::size_t at = b.size();
        b.resize(at + 40, 0);
        for (std::size_t i = 0; i < s.name.size() && i < 8; ++i) b[at + i] = static_cast<std::uint8_t>(s.name[i]);
        putLe(b, at + 8, s.virtualSize, 4);
        putLe(b, at + 12, rva, 4);
        putLe(b, at + 36, s.characteristics, 4);
        rva += 0x1000;
    }
    return b;
}

constexpr std::uint32_t kCode = 0x60000020, kData = 0xC0000040, kSharedData = 0xD0000040;

}  // namespace

TEST(PeSections, FindsTheSharedSection) {
    const auto pe = buildPe({{".text", 0x1234, kCode}, {".data", 0x200, kData}, {".ipcshr", 0x2020, kSharedData},
                             {"12345678", 16, kData}});
    auto need = peHeaderBytesNeeded(pe);
    ASSERT_TRUE(need.ok());
    EXPECT_EQ(*need, pe.size());
    auto img = parsePeHeaders(pe);
    ASSERT_TRUE(img.ok()) << img.error().message();
    EXPECT_EQ(img->machine, 0x8664);
    ASSERT_EQ(img->sections.size(), 4u);
    EXPECT_FALSE(img->sections[0].shared());
    EXPECT_FALSE(img->sections[1].shared());
    EXPECT_TRUE(img->sections[2].shared());
    EXPECT_TRUE(img->sections[2].writable());
    EXPECT_EQ(img->sections[2].name, ".ipcshr");
    EXPECT_EQ(img->sections[2].virtualSize, 0x2020u);
    EXPECT_EQ(img->sections[2].virtualAddress, 0x3000u);
    EXPECT_EQ(img->sections[3].name, "12345678");  // eight characters, no NUL
}

TEST(PeSections, BytesNeededFromAPrefix) {
    const auto pe = buildPe({{".text", 1, kCode}, {".shr", 2, kSharedData}}, 0x100, 0x70);
    // 64 bytes: only the PE offset is known, so the answer is "up to the COFF header".
    auto shortNeed = peHeaderBytesNeeded(std::span(pe.data(), 64));
    ASSERT_TRUE(shortNeed.ok());
    EXPECT_EQ(*shortNeed, 0x100u + 24u);
    auto fullNeed = peHeaderBytesNeeded(std::span(pe.data(), 0x100 + 24));
    ASSERT_TRUE(fullNeed.ok());
    EXPECT_EQ(*fullNeed, 0x100u + 24u + 0x70u + 2u * 40u);
    EXPECT_FALSE(peHeaderBytesNeeded(std::span(pe.data(), 63)).ok());
}

TEST(PeSections, RejectsBrokenHeaders) {
    auto good = buildPe({{".text", 1, kCode}});
    auto noMz = good;
    noMz[0] = 'X';
    EXPECT_EQ(parsePeHeaders(noMz).error().code, core::Errc::Malformed);
    auto noPe = good;
    noPe[0x81] = 'X';
    EXPECT_FALSE(parsePeHeaders(noPe).ok());
    auto farOffset = good;
    putLe(farOffset, 0x3C, 0x7FFFFFF0, 4);
    EXPECT_FALSE(parsePeHeaders(farOffset).ok());
    EXPECT_FALSE(peHeaderBytesNeeded(farOffset).ok());
    auto inDos = good;
    putLe(inDos, 0x3C, 0x10, 4);  // inside the DOS header itself
    EXPECT_FALSE(parsePeHeaders(inDos).ok());
    // Truncated section table, and a section count far beyond the buffer.
    EXPECT_FALSE(parsePeHeaders(std::span(good.data(), good.size() - 1)).ok());
    auto many = good;
    putLe(many, 0x80 + 4 + 2, 0xFFFF, 2);
    auto r = parsePeHeaders(many);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().context.find("65535 sections"), std::string::npos) << r.error().context;
    // Every prefix of a valid image parses or fails cleanly.
    for (std::size_t n = 0; n <= good.size(); ++n) (void)parsePeHeaders(std::span(good.data(), n));
}

TEST(RowFormat, PortsAndIpv4AsTheTablesStoreThem) {
    // dwLocalPort of port 8080 (0x1F90): bytes 1F 90 00 00 in memory, read as 0x0000901F.
    EXPECT_EQ(portFromTableDword(0x0000901F), 8080);
    EXPECT_EQ(portFromTableDword(0x00008A00), 138);
    EXPECT_EQ(formatIpv4({127, 0, 0, 1}), "127.0.0.1");
    EXPECT_EQ(formatEndpoint("127.0.0.1", 80, false), "127.0.0.1:80");
    EXPECT_EQ(formatEndpoint("::1", 80, true), "[::1]:80");
}

TEST(RowFormat, Ipv6TextFollowsRfc5952) {
    std::array<std::uint8_t, 16> a{};
    EXPECT_EQ(formatIpv6(a), "::");
    a[15] = 1;
    EXPECT_EQ(formatIpv6(a), "::1");
    std::array<std::uint8_t, 16> ll{0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    EXPECT_EQ(formatIpv6(ll, 3), "fe80::1%3");
    // The longest zero run is compressed, the first one on a tie; a single zero group is not.
    std::array<std::uint8_t, 16> two{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1};
    EXPECT_EQ(formatIpv6(two), "2001:db8::1:0:0:1");
    std::array<std::uint8_t, 16> one{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1};
    EXPECT_EQ(formatIpv6(one), "2001:db8:0:1:1:1:1:1");
    std::array<std::uint8_t, 16> mapped{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 3};
    EXPECT_EQ(formatIpv6(mapped), "::ffff:10.1.2.3");
    std::array<std::uint8_t, 16> tail{0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    EXPECT_EQ(formatIpv6(tail), "2001:db8:1::");
}

TEST(RowFormat, TcpStates) {
    EXPECT_EQ(tcpStateName(2), "listen");
    EXPECT_EQ(tcpStateName(5), "established");
    EXPECT_EQ(tcpStateName(11), "time-wait");
    EXPECT_EQ(tcpStateName(0), "unknown");
    EXPECT_EQ(tcpStateName(13), "unknown");
}

TEST(RowFormat, ClipboardFormatNames) {
    EXPECT_EQ(standardClipboardFormatName(13), "CF_UNICODETEXT");
    EXPECT_EQ(standardClipboardFormatName(1), "CF_TEXT");
    EXPECT_EQ(standardClipboardFormatName(17), "CF_DIBV5");
    EXPECT_EQ(standardClipboardFormatName(0x8E), "CF_DSPENHMETAFILE");
    EXPECT_EQ(standardClipboardFormatName(0x203), "CF_PRIVATEFIRST+3");
    EXPECT_EQ(standardClipboardFormatName(0x300), "CF_GDIOBJFIRST+0");
    EXPECT_FALSE(standardClipboardFormatName(0xC123).has_value());
    EXPECT_FALSE(standardClipboardFormatName(0).has_value());
    EXPECT_FALSE(standardClipboardFormatName(18).has_value());
    EXPECT_TRUE(clipboardFormatIsGlobalMemory(13));
    EXPECT_TRUE(clipboardFormatIsGlobalMemory(0xC123));
    EXPECT_FALSE(clipboardFormatIsGlobalMemory(2));     // CF_BITMAP: an HBITMAP
    EXPECT_FALSE(clipboardFormatIsGlobalMemory(14));    // CF_ENHMETAFILE
    EXPECT_FALSE(clipboardFormatIsGlobalMemory(0x305));
}

TEST(RowFormat, StringBindings) {
    auto np = parseStringBinding("ncacn_np:\\\\HOST[\\pipe\\lsass]");
    ASSERT_TRUE(np.ok());
    EXPECT_EQ(*np, (StringBinding{"", "ncacn_np", "\\\\HOST", "\\pipe\\lsass", ""}));
    auto tcp = parseStringBinding("12345678-1234-abcd-ef00-0123456789ab@ncacn_ip_tcp:127.0.0.1[49664,Security=Impersonation]");
    ASSERT_TRUE(tcp.ok());
    EXPECT_EQ(tcp->objectUuid, "12345678-1234-abcd-ef00-0123456789ab");
    EXPECT_EQ(tcp->protocolSequence, "ncacn_ip_tcp");
    EXPECT_EQ(tcp->networkAddress, "127.0.0.1");
    EXPECT_EQ(tcp->endpoint, "49664");
    EXPECT_EQ(tcp->options, "Security=Impersonation");
    auto lrpc = parseStringBinding("ncalrpc:[LRPC-0123abcd]");
    ASSERT_TRUE(lrpc.ok());
    EXPECT_EQ(lrpc->endpoint, "LRPC-0123abcd");
    EXPECT_TRUE(lrpc->networkAddress.empty());
    auto bare = parseStringBinding("ncalrpc:");
    ASSERT_TRUE(bare.ok());
    EXPECT_TRUE(bare->endpoint.empty());
    EXPECT_FALSE(parseStringBinding("no-colon").ok());
    EXPECT_FALSE(parseStringBinding(":[x]").ok());
    EXPECT_FALSE(parseStringBinding("ncalrpc:[unterminated").ok());
    EXPECT_FALSE(parseStringBinding("ncalrpc:[a]trailing").ok());
}

TEST(RowFormat, RpcEndpointRow) {
    auto row = rpcEndpointRow("12345778-1234-abcd-ef00-0123456789ac", 1, 0, "00000000-0000-0000-0000-000000000000",
                              "ncacn_np:[\\pipe\\lsass]", "SAMR");
    EXPECT_EQ(row.kind, core::Kind::RpcEndpoint);
    EXPECT_EQ(row.family(), core::Family::Services);
    EXPECT_EQ(row.name, "ncacn_np:[\\pipe\\lsass]");
    EXPECT_EQ(row.details["interface"], "12345778-1234-abcd-ef00-0123456789ac");
    EXPECT_EQ(row.details["version"], "1.0");
    EXPECT_EQ(row.details["protocol"], "ncacn_np");
    EXPECT_EQ(row.details["endpoint"], "\\pipe\\lsass");
    EXPECT_EQ(row.details["annotation"], "SAMR");
    EXPECT_FALSE(row.details.contains("object"));  // the nil UUID is no object
    EXPECT_FALSE(row.error.has_value());
    auto broken = rpcEndpointRow("u", 2, 1, "", "garbage", "");
    EXPECT_EQ(broken.name, "garbage");
    EXPECT_TRUE(broken.error.has_value());
}

// Events, mutexes and semaphores: the 8 bytes of NtQueryEvent / NtQueryMutant /
// NtQuerySemaphore class 0, little-endian.
TEST(SyncState, EventMutexAndSemaphoreFromTheirBasicInformation) {
    std::vector<std::uint8_t> b;
    putLe(b, 0, 0, 4);  // NotificationEvent
    putLe(b, 4, 1, 4);
    auto ev = syncStateDetails(core::Kind::Event, b);
    ASSERT_TRUE(ev.ok()) << ev.error().message();
    EXPECT_EQ((*ev)["event_type"], "manual-reset");
    EXPECT_EQ((*ev)["signaled"], true);
    EXPECT_EQ((*ev)["state"], "signaled, manual-reset");
    putLe(b, 0, 1, 4);  // SynchronizationEvent
    putLe(b, 4, 0, 4);
    EXPECT_EQ((*syncStateDetails(core::Kind::Event, b))["state"], "not signaled, auto-reset");

    putLe(b, 0, 1, 4);  // free: CurrentCount 1, not owned by the caller, not abandoned
    putLe(b, 4, 0, 4);
    EXPECT_EQ((*syncStateDetails(core::Kind::Mutex, b))["state"], "free");
    EXPECT_EQ((*syncStateDetails(core::Kind::Mutex, b))["owned"], false);
    putLe(b, 0, 0, 4);
    EXPECT_EQ((*syncStateDetails(core::Kind::Mutex, b))["state"], "owned");
    putLe(b, 0, 0xFFFFFFFE, 4);  // acquired three times
    EXPECT_EQ((*syncStateDetails(core::Kind::Mutex, b))["state"], "owned (3 times)");
    putLe(b, 0, 1, 4);
    b[5] = 1;  // AbandonedState
    const auto abandoned = syncStateDetails(core::Kind::Mutex, b);
    EXPECT_EQ((*abandoned)["state"], "abandoned");
    EXPECT_EQ((*abandoned)["abandoned"], true);

    putLe(b, 0, 2, 4);
    putLe(b, 4, 0x7FFFFFFF, 4);
    const auto sem = syncStateDetails(core::Kind::Semaphore, b);
    EXPECT_EQ((*sem)["count"], 2);
    EXPECT_EQ((*sem)["maximum"], 0x7FFFFFFF);
    EXPECT_EQ((*sem)["state"], "count 2 of 2147483647");
}

TEST(SyncState, ShortAnswersAndOtherKindsAreErrors) {
    const std::vector<std::uint8_t> seven(7, 0);
    const auto r = syncStateDetails(core::Kind::Semaphore, seven);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, core::Errc::Malformed);
    EXPECT_FALSE(syncStateDetails(core::Kind::Event, {}).ok());
    const std::vector<std::uint8_t> eight(8, 0);
    EXPECT_EQ(syncStateDetails(core::Kind::Section, eight).error().code, core::Errc::InvalidArgument);
}

// NtQueryMutant class 1 exists from Windows 10 on, not in Wine 8.0: its CLIENT_ID by hand.
TEST(SyncState, MutexOwnerFromItsClientId) {
    std::vector<std::uint8_t> b;
    putLe(b, 0, 0x1a2c, 8);
    putLe(b, 8, 0x3b04, 8);
    auto owner = decodeMutexOwner(b);
    ASSERT_TRUE(owner.ok() && owner->has_value());
    EXPECT_EQ((*owner)->pid, 0x1a2cu);
    EXPECT_EQ((*owner)->tid, 0x3b04u);
    std::vector<std::uint8_t> b32;
    putLe(b32, 0, 400, 4);
    putLe(b32, 4, 404, 4);
    auto owner32 = decodeMutexOwner(b32, 4);
    ASSERT_TRUE(owner32.ok() && owner32->has_value());
    EXPECT_EQ((*owner32)->tid, 404u);
    const std::vector<std::uint8_t> none(16, 0);
    auto free = decodeMutexOwner(none);
    ASSERT_TRUE(free.ok());
    EXPECT_FALSE(free->has_value());
    EXPECT_EQ(decodeMutexOwner(b32).error().code, core::Errc::Malformed);  // 8 bytes, 64-bit layout
    EXPECT_FALSE(decodeMutexOwner(b, 6).ok());
}

// What Wine 8.0 cannot show (it has no ALPC and no \RPC Control): a listing of \RPC Control as
// Windows returns it, merged with the names of ALPC Port handles from the handle table.
TEST(AlpcPorts, RowsFromAnRpcControlListingWithTheirServers) {
    DirBuffer b;
    b.build({{u"OLE7A3F", u"ALPC Port"}, {u"LRPC-0a1b2c", u"ALPC Port"}, {u"epmapper", u"ALPC Port"},
             {u"some-section", u"Section"}, {u"DNSResolver", u"ALPC Port"}});
    auto entries = parseObjectDirectoryBuffer(b.bytes, b.base);
    ASSERT_TRUE(entries.ok()) << entries.error().message();
    HoldersByPath servers;
    // Handle names compare without case: the keys are folded as the collector folds them.
    servers[foldCase(u"\\RPC Control\\epmapper")].push_back({812, "svchost.exe", "handle 0x1f4"});
    servers[foldCase(u"\\RPC Control\\DNSRESOLVER")].push_back({1400, "svchost.exe", "handle 0x2a0"});
    servers[foldCase(u"\\RPC Control\\DNSRESOLVER")].push_back({1400, "svchost.exe", "handle 0x2a8"});
    servers[foldCase(u"\\RPC Control\\some-section")].push_back({5, "x.exe", "handle 0x4"});

    const auto rows = alpcPortRows(u"\\RPC Control", *entries, servers);
    ASSERT_EQ(rows.size(), 4u);  // the section is not a port
    EXPECT_EQ(rows[0].kind, core::Kind::AlpcPort);
    EXPECT_EQ(rows[0].name, "\\RPC Control\\OLE7A3F");
    EXPECT_EQ(rows[0].details["directory"], "\\RPC Control");
    EXPECT_TRUE(rows[0].holders.empty());
    EXPECT_EQ(rows[2].name, "\\RPC Control\\epmapper");
    ASSERT_EQ(rows[2].holders.size(), 1u);
    EXPECT_EQ(rows[2].holders[0], (core::Holder{812, "svchost.exe", "handle 0x1f4 server"}));
    EXPECT_EQ(rows[2].pids, std::vector<std::int64_t>{812});
    EXPECT_EQ(rows[3].name, "\\RPC Control\\DNSResolver");
    EXPECT_EQ(rows[3].holders.size(), 2u);
    EXPECT_EQ(rows[3].pids, std::vector<std::int64_t>{1400});

    // Ports in the root directory are named "\NAME".
    DirBuffer root;
    root.build({{u"SmApiPort", u"ALPC Port"}, {u"RPC Control", u"Directory"}});
    auto rootEntries = parseObjectDirectoryBuffer(root.bytes, root.base);
    ASSERT_TRUE(rootEntries.ok());
    const auto rootRows = alpcPortRows(u"\\", *rootEntries, {});
    ASSERT_EQ(rootRows.size(), 1u);
    EXPECT_EQ(rootRows[0].name, "\\SmApiPort");
    EXPECT_EQ(ntChildPath(u"\\", u"x"), u"\\x");
    EXPECT_EQ(ntChildPath(u"\\RPC Control", u"x"), u"\\RPC Control\\x");
}
