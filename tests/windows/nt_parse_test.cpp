// The pure decoders of NT buffers, on buffers built here byte by byte.

#include "platform/windows/nt_parse.h"
#include "base/text.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

using namespace ipcscope;
using namespace ipcscope::win;

namespace {

using Bytes = std::vector<std::uint8_t>;

void putLe(Bytes& b, std::size_t at, std::uint64_t v, std::size_t width) {
    if (b.size() < at + width) b.resize(at + width);
    for (std::size_t i = 0; i < width; ++i) b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
}

struct DirRecord {
    std::u16string name;
    std::int64_t eof = 0;
    std::int64_t alloc = 0;
    std::uint32_t attributes = 0x80;
};

// Lays out FILE_DIRECTORY_INFORMATION records as npfs does: 8-byte aligned, chained by
// NextEntryOffset, the last one 0.
Bytes dirBuffer(const std::vector<DirRecord>& recs) {
    Bytes b;
    std::size_t at = 0;
    for (std::size_t i = 0; i < recs.size(); ++i) {
        const auto& r = recs[i];
        const std::size_t len = kFileDirectoryInfoHeader + r.name.size() * 2;
        const std::size_t next = i + 1 < recs.size() ? (len + 7) / 8 * 8 : 0;
        putLe(b, at + 0, next, 4);
        putLe(b, at + 4, i, 4);
        for (std::size_t t = 8; t < 40; t += 8) putLe(b, at + t, 0x01D9000000000000ull + t, 8);
        putLe(b, at + 40, static_cast<std::uint64_t>(r.eof), 8);
        putLe(b, at + 48, static_cast<std::uint64_t>(r.alloc), 8);
        putLe(b, at + 56, r.attributes, 4);
        putLe(b, at + 60, r.name.size() * 2, 4);
        for (std::size_t c = 0; c < r.name.size(); ++c) putLe(b, at + 64 + 2 * c, r.name[c], 2);
        if (next) b.resize(at + next);
        at += next;
    }
    return b;
}

}  // namespace

TEST(FileDirectoryInfo, WalksChainedRecordsWithInstanceCounts) {
    const Bytes b = dirBuffer({{u"InitShutdown", 3, -1}, {u"lsass", 4, 0xFFFFFFFF}, {u"ipcscope-test-1", 2, 4}});
    auto r = walkFileDirectoryInfo(b);
    ASSERT_TRUE(r) << r.error().message();
    ASSERT_EQ(r->size(), 3u);
    EXPECT_EQ((*r)[0].name, u"InitShutdown");
    EXPECT_EQ((*r)[0].endOfFile, 3);
    EXPECT_EQ((*r)[0].allocationSize, -1);
    EXPECT_EQ((*r)[1].name, u"lsass");
    EXPECT_EQ((*r)[1].allocationSize, 0xFFFFFFFF);
    EXPECT_EQ((*r)[2].name, u"ipcscope-test-1");
    EXPECT_EQ((*r)[2].endOfFile, 2);
    EXPECT_EQ((*r)[2].allocationSize, 4);
    EXPECT_EQ((*r)[2].attributes, 0x80u);
}

TEST(FileDirectoryInfo, EmptyBufferIsNoEntries) {
    auto r = walkFileDirectoryInfo({});
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->empty());
}

TEST(FileDirectoryInfo, NonAsciiNamesSurvive) {
    const Bytes b = dirBuffer({{u"caf\u00e9\\sub", 1, 1}});
    auto r = walkFileDirectoryInfo(b);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ(base::utf16ToUtf8((*r)[0].name), "caf\xC3\xA9\\sub");
}

TEST(FileDirectoryInfo, TruncatedHeaderIsMalformed) {
    Bytes b = dirBuffer({{u"a", 1, 1}});
    b.resize(40);
    auto r = walkFileDirectoryInfo(b);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, core::Errc::Malformed);
}

TEST(FileDirectoryInfo, NameLongerThanTheBufferIsMalformed) {
    Bytes b = dirBuffer({{u"abcd", 1, 1}});
    putLe(b, 60, 4000, 4);
    auto r = walkFileDirectoryInfo(b);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, core::Errc::Malformed);
    putLe(b, 60, 0xFFFFFFFF, 4);  // must not wrap around in the bounds check
    EXPECT_FALSE(walkFileDirectoryInfo(b));
}

TEST(FileDirectoryInfo, OddNameLengthIsMalformed) {
    Bytes b = dirBuffer({{u"abcd", 1, 1}});
    putLe(b, 60, 7, 4);
    EXPECT_FALSE(walkFileDirectoryInfo(b));
}

TEST(FileDirectoryInfo, NextOffsetPastTheEndIsMalformed) {
    Bytes b = dirBuffer({{u"first", 1, 1}, {u"second", 1, 1}});
    putLe(b, 0, 0x7FFFFFF8, 4);
    auto r = walkFileDirectoryInfo(b);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, core::Errc::Malformed);
}

TEST(FileDirectoryInfo, NextOffsetInsideTheRecordIsMalformed) {
    Bytes b = dirBuffer({{u"first", 1, 1}, {u"second", 1, 1}});
    putLe(b, 0, 8, 4);  // would re-read the middle of the first record
    EXPECT_FALSE(walkFileDirectoryInfo(b));
}

TEST(FileDirectoryInfo, SecondRecordCutShortIsMalformed) {
    Bytes b = dirBuffer({{u"first", 1, 1}, {u"second", 1, 1}});
    b.resize(b.size() - 20);
    EXPECT_FALSE(walkFileDirectoryInfo(b));
}

namespace {

// SYSTEM_HANDLE_INFORMATION_EX for a pointer size: header {count, reserved}, then entries.
Bytes extendedTable(const std::vector<HandleEntry>& es, std::size_t p) {
    Bytes b;
    putLe(b, 0, es.size(), p);
    putLe(b, p, 0, p);
    const std::size_t size = handleEntrySize(HandleInfoClass::Extended, p);
    for (std::size_t i = 0; i < es.size(); ++i) {
        const std::size_t at = 2 * p + i * size;
        const auto& e = es[i];
        putLe(b, at, e.object, p);
        putLe(b, at + p, e.pid, p);
        putLe(b, at + 2 * p, e.handle, p);
        putLe(b, at + 3 * p, e.access, 4);
        putLe(b, at + 3 * p + 4, 0xBEEF, 2);  // CreatorBackTraceIndex
        putLe(b, at + 3 * p + 6, e.typeIndex, 2);
        putLe(b, at + 3 * p + 8, e.attributes, 4);
        putLe(b, at + 3 * p + 12, 0xDDDDDDDD, 4);  // Reserved
    }
    return b;
}

// SYSTEM_HANDLE_INFORMATION: u32 count padded to a pointer, 16-bit pid and handle.
Bytes legacyTable(const std::vector<HandleEntry>& es, std::size_t p) {
    Bytes b;
    putLe(b, 0, es.size(), 4);
    if (p == 8) putLe(b, 4, 0xCCCCCCCC, 4);  // padding
    const std::size_t size = handleEntrySize(HandleInfoClass::Legacy, p);
    for (std::size_t i = 0; i < es.size(); ++i) {
        const std::size_t at = p + i * size;
        const auto& e = es[i];
        putLe(b, at, e.pid, 2);
        putLe(b, at + 2, 0, 2);
        putLe(b, at + 4, e.typeIndex, 1);
        putLe(b, at + 5, e.attributes, 1);
        putLe(b, at + 6, e.handle, 2);
        putLe(b, at + 8, e.object, p);
        putLe(b, at + 8 + p, e.access, 4);
        b.resize(at + size);
    }
    return b;
}

const std::vector<HandleEntry> kEntries{
    {4, 0x4, 0x1FFFFF, 7, 0, 0xFFFF800012345678ull},
    {0x1234, 0x1c, 0x0012019F, 37, 2, 0},
    {0x10000 + 8, 0x2a0, 0x000F001F, 42, 0, 0xFFFFA00000000010ull},
};

}  // namespace

TEST(HandleTable, EntrySizesMatchTheDocumentedLayouts) {
    EXPECT_EQ(handleEntrySize(HandleInfoClass::Extended, 8), 40u);
    EXPECT_EQ(handleHeaderSize(HandleInfoClass::Extended, 8), 16u);
    EXPECT_EQ(handleEntrySize(HandleInfoClass::Extended, 4), 28u);
    EXPECT_EQ(handleEntrySize(HandleInfoClass::Legacy, 8), 24u);
    EXPECT_EQ(handleHeaderSize(HandleInfoClass::Legacy, 8), 8u);
    EXPECT_EQ(handleEntrySize(HandleInfoClass::Legacy, 4), 16u);
}

TEST(HandleTable, DecodesExtendedEntries64) {
    auto r = decodeHandleTable(extendedTable(kEntries, 8), HandleInfoClass::Extended, 8);
    ASSERT_TRUE(r) << r.error().message();
    ASSERT_EQ(r->size(), 3u);
    EXPECT_EQ((*r)[0], kEntries[0]);
    EXPECT_EQ((*r)[1], kEntries[1]);
    EXPECT_EQ((*r)[2], kEntries[2]);  // a pid above 65535 stays whole
}

TEST(HandleTable, DecodesExtendedEntries32) {
    std::vector<HandleEntry> es = kEntries;
    es[0].object = 0x81234560;
    es[2].object = 0x90000010;
    auto r = decodeHandleTable(extendedTable(es, 4), HandleInfoClass::Extended, 4);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->size(), 3u);
    EXPECT_EQ((*r)[0], es[0]);
    EXPECT_EQ((*r)[2], es[2]);
}

TEST(HandleTable, DecodesLegacyEntries) {
    std::vector<HandleEntry> es = kEntries;
    es.pop_back();  // the legacy class has 16-bit pids
    for (std::size_t p : {std::size_t{8}, std::size_t{4}}) {
        if (p == 4) es[0].object = 0x81234560;
        auto r = decodeHandleTable(legacyTable(es, p), HandleInfoClass::Legacy, p);
        ASSERT_TRUE(r) << r.error().message();
        ASSERT_EQ(r->size(), 2u);
        EXPECT_EQ((*r)[0], es[0]) << "pointer size " << p;
        EXPECT_EQ((*r)[1], es[1]) << "pointer size " << p;
    }
}

TEST(HandleTable, EmptyTableIsNoEntries) {
    auto r = decodeHandleTable(extendedTable({}, 8), HandleInfoClass::Extended, 8);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->empty());
}

TEST(HandleTable, CountBeyondTheBufferIsMalformed) {
    Bytes b = extendedTable(kEntries, 8);
    putLe(b, 0, 4, 8);
    auto r = decodeHandleTable(b, HandleInfoClass::Extended, 8);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, core::Errc::Malformed);
    putLe(b, 0, 0xFFFFFFFFFFFFFFFFull, 8);  // must not overflow the size computation
    EXPECT_FALSE(decodeHandleTable(b, HandleInfoClass::Extended, 8));
    Bytes l = legacyTable({kEntries[0]}, 8);
    l.resize(l.size() - 1);
    EXPECT_FALSE(decodeHandleTable(l, HandleInfoClass::Legacy, 8));
}

TEST(HandleTable, ShortHeaderIsMalformedAndBadPointerSizeRejected) {
    EXPECT_FALSE(decodeHandleTable(Bytes(7, 0), HandleInfoClass::Extended, 8));
    EXPECT_FALSE(decodeHandleTable(Bytes(3, 0), HandleInfoClass::Legacy, 4));
    auto r = decodeHandleTable(extendedTable(kEntries, 8), HandleInfoClass::Extended, 6);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, core::Errc::InvalidArgument);
}

TEST(HandleTable, TrailingBytesAfterTheCountedEntriesAreIgnored) {
    Bytes b = extendedTable(kEntries, 8);
    putLe(b, 0, 1, 8);
    auto r = decodeHandleTable(b, HandleInfoClass::Extended, 8);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ((*r)[0], kEntries[0]);
}

TEST(HandleTable, TypeIndexIsLearntFromAKnownHandleNotATypeList) {
    // Wine 8.0: the File type is 39 in its type list but 37 in the handle table.
    const std::vector<HandleEntry> table{{100, 0x10, 0, 37, 0, 0}, {100, 0x14, 0, 41, 0, 0}, {7, 0x10, 0, 12, 0, 0}};
    EXPECT_EQ(learnTypeIndex(table, 100, 0x10), std::optional<std::uint16_t>(37));
    EXPECT_EQ(learnTypeIndex(table, 100, 0x14), std::optional<std::uint16_t>(41));
    EXPECT_EQ(learnTypeIndex(table, 7, 0x10), std::optional<std::uint16_t>(12));
    EXPECT_FALSE(learnTypeIndex(table, 100, 0x18));
    EXPECT_FALSE(learnTypeIndex({}, 100, 0x10));
}

TEST(DeviceNames, SplitsPipesAndMailslotsWithoutCase) {
    auto p = splitDeviceName(u"\\Device\\NamedPipe\\ipcscope-test-1");
    EXPECT_EQ(p.device, NtDevice::NamedPipe);
    EXPECT_EQ(p.rest, u"ipcscope-test-1");
    auto m = splitDeviceName(u"\\Device\\MailSlot\\net\\browse");  // Wine's spelling
    EXPECT_EQ(m.device, NtDevice::Mailslot);
    EXPECT_EQ(m.rest, u"net\\browse");
    EXPECT_EQ(splitDeviceName(u"\\device\\namedpipe\\x").device, NtDevice::NamedPipe);
    auto root = splitDeviceName(u"\\Device\\NamedPipe\\");
    EXPECT_EQ(root.device, NtDevice::NamedPipe);
    EXPECT_TRUE(root.rest.empty());
    EXPECT_EQ(splitDeviceName(u"\\Device\\NamedPipe").device, NtDevice::Other);
    EXPECT_EQ(splitDeviceName(u"\\Device\\HarddiskVolume3\\Windows\\x.dll").device, NtDevice::Other);
    EXPECT_EQ(splitDeviceName(u"").device, NtDevice::Other);
}

TEST(DeviceNames, FoldCaseAndUtf8) {
    EXPECT_EQ(foldCase(u"Net\\NtControlPipe0"), u"net\\ntcontrolpipe0");
    EXPECT_EQ(toUtf8(u"abc"), "abc");
    EXPECT_EQ(toUtf8(u"\u00e9\u20ac"), "\xC3\xA9\xE2\x82\xAC");
    EXPECT_EQ(toUtf8(u"\U0001F600"), "\xF0\x9F\x98\x80");
    const char16_t lone[] = {u'a', 0xD800, u'b', 0};
    EXPECT_EQ(toUtf8(lone), "a\xEF\xBF\xBD" "b");
    const char16_t trailing[] = {0xDC00, 0};
    EXPECT_EQ(toUtf8(trailing), "\xEF\xBF\xBD");
}

// npfs answers STATUS_BUFFER_OVERFLOW with as much of the first record as fits and its full
// FileNameLength; one pipe whose name is 32K characters long makes every listing do this.
TEST(DirectoryPage, OverflowWithAPartialRecordRetriesWithRoomForIt) {
    constexpr std::uint32_t kOverflow = 0x80000005u;
    const std::u16string longName(32767, u'p');
    const Bytes whole = dirBuffer({{longName, 1, 1}});
    ASSERT_EQ(whole.size(), kFileDirectoryInfoHeader + 65534u);
    const std::size_t firstBuffer = 64 * 1024;
    const std::span<const std::uint8_t> partial(whole.data(), firstBuffer);  // what fit
    auto page = readDirectoryPage(kOverflow, partial, firstBuffer);
    ASSERT_TRUE(page) << page.error().message();
    EXPECT_EQ(page->next, DirectoryPage::Next::Retry);
    EXPECT_GE(page->retrySize, whole.size());
    EXPECT_LE(page->retrySize, kMaxDirectoryBuffer);
    EXPECT_EQ(page->retrySize % 8, 0u);
    EXPECT_TRUE(page->entries.empty());

    // The retry's buffer holds the record whole, followed by a short one.
    const Bytes two = dirBuffer({{longName, 1, 1}, {u"short", 2, 4}});
    auto full = readDirectoryPage(0, two, page->retrySize + 64);
    ASSERT_TRUE(full) << full.error().message();
    EXPECT_EQ(full->next, DirectoryPage::Next::More);
    ASSERT_EQ(full->entries.size(), 2u);
    EXPECT_EQ(full->entries[0].name, longName);
    EXPECT_EQ(full->entries[1].name, u"short");
    EXPECT_EQ(full->entries[1].allocationSize, 4);

    auto done = readDirectoryPage(0x80000006u, {}, page->retrySize);
    ASSERT_TRUE(done);
    EXPECT_EQ(done->next, DirectoryPage::Next::Done);
}

TEST(DirectoryPage, OverflowWithNothingWrittenDoublesAndStopsAtTheLimit) {
    auto page = readDirectoryPage(0x80000005u, {}, 4096);
    ASSERT_TRUE(page);
    EXPECT_EQ(page->next, DirectoryPage::Next::Retry);
    EXPECT_EQ(page->retrySize, 8192u);
    auto tooBig = readDirectoryPage(0x80000005u, {}, kMaxDirectoryBuffer);
    ASSERT_FALSE(tooBig);
    EXPECT_EQ(tooBig.error().code, core::Errc::TooLarge);
    // A partial header (fewer than 64 bytes) cannot say its size either.
    const Bytes b = dirBuffer({{u"abc", 0, 0}});
    auto cut = readDirectoryPage(0x80000005u, std::span<const std::uint8_t>(b.data(), 40), 4096);
    ASSERT_TRUE(cut);
    EXPECT_EQ(cut->retrySize, 8192u);
}

TEST(DirectoryPage, FailuresAndEmptyAnswers) {
    auto denied = readDirectoryPage(0xC0000022u, {}, 4096);
    ASSERT_FALSE(denied);
    EXPECT_EQ(denied.error().code, core::Errc::PermissionDenied);
    EXPECT_EQ(denied.error().nativeKind, core::NativeKind::NtStatus);
    auto empty = readDirectoryPage(0, {}, 4096);
    ASSERT_TRUE(empty);
    EXPECT_EQ(empty->next, DirectoryPage::Next::Done);
    Bytes bad = dirBuffer({{u"abc", 0, 0}});
    putLe(bad, 60, 9999, 4);  // a name past the buffer
    EXPECT_FALSE(readDirectoryPage(0, bad, 4096));
}

TEST(HandleTable, Class16CannotServeAProcessAbove65535) {
    EXPECT_FALSE(legacyTableUnusable(4000).has_value());
    EXPECT_FALSE(legacyTableUnusable(65535).has_value());
    auto err = legacyTableUnusable(70000);
    ASSERT_TRUE(err.has_value());
    EXPECT_EQ(err->code, core::Errc::NotSupported);
    EXPECT_NE(err->message().find("70000 > 65535"), std::string::npos) << err->message();
    EXPECT_NE(err->message().find("class 16"), std::string::npos) << err->message();
}
