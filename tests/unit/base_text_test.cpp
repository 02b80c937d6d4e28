// The base text module: ASCII case, hex, UTF-16 <-> UTF-8.
#include "base/text.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

using namespace ipcscope::base;

namespace {

std::vector<std::uint8_t> utf16le(std::u16string_view s) {
    std::vector<std::uint8_t> b;
    for (char16_t c : s) {
        b.push_back(static_cast<std::uint8_t>(c & 0xff));
        b.push_back(static_cast<std::uint8_t>(c >> 8));
    }
    return b;
}

}  // namespace

TEST(TextCase, AsciiOnly) {
    EXPECT_EQ(toLowerAscii("Net\\NtControlPipe0 \xC3\x89"), "net\\ntcontrolpipe0 \xC3\x89");
    EXPECT_EQ(toUpperAscii("Kind name-1"), "KIND NAME-1");
    EXPECT_EQ(toLowerAscii(u"Net\\NtControlPipe0"), u"net\\ntcontrolpipe0");
    EXPECT_TRUE(equalsNoCase("\\MAILSLOT\\Browse", "\\mailslot\\BROWSE"));
    EXPECT_FALSE(equalsNoCase("browse", "brows"));
    EXPECT_FALSE(equalsNoCase("\xC3\xA9", "\xC3\x89"));  // only ASCII folds
    EXPECT_TRUE(startsWithNoCase("\\MailSlot\\x", "\\MAILSLOT\\"));
    EXPECT_FALSE(startsWithNoCase("\\Mail", "\\MAILSLOT\\"));
    EXPECT_TRUE(startsWithNoCase(u"\\Device\\MailSlot\\a", u"\\device\\mailslot\\"));
    EXPECT_FALSE(startsWithNoCase(u"\\Device", u"\\device\\mailslot\\"));
    EXPECT_TRUE(containsNoCase("postgres.sock", "GRES"));
    EXPECT_TRUE(containsNoCase("anything", ""));
    EXPECT_FALSE(containsNoCase("", "x"));
}

TEST(TextHex, RoundTrip) {
    const std::vector<std::uint8_t> bytes{0x00, 0x0f, 0xa5, 0xff};
    EXPECT_EQ(toHex(bytes), "000fa5ff");
    std::vector<std::uint8_t> out;
    EXPECT_TRUE(fromHex("0x00 0F:a5ff", out));
    EXPECT_EQ(out, bytes);
    EXPECT_FALSE(fromHex("abc", out));  // odd number of digits
    EXPECT_FALSE(fromHex("zz", out));
}

TEST(TextUtf16, ToUtf8) {
    EXPECT_EQ(utf16ToUtf8(u"abc"), "abc");
    EXPECT_EQ(utf16ToUtf8(u"\u00e9\u20ac"), "\xC3\xA9\xE2\x82\xAC");
    EXPECT_EQ(utf16ToUtf8(u"\U0001F600"), "\xF0\x9F\x98\x80");
    const char16_t lone[] = {u'a', 0xD800, u'b', 0};
    EXPECT_EQ(utf16ToUtf8(lone), "a\xEF\xBF\xBD" "b");
    const char16_t trailing[] = {0xDC00, 0};
    EXPECT_EQ(utf16ToUtf8(trailing), "\xEF\xBF\xBD");
}

TEST(TextUtf16, LittleEndianBytesWithSurrogatePairsAndUnpairedHalves) {
    EXPECT_EQ(utf16leToUtf8(utf16le(u"a\U0001F600b")), "a\xF0\x9F\x98\x80" "b");
    EXPECT_EQ(utf16leToUtf8(utf16le(std::u16string(1, char16_t(0xD800)) + u"x")), "\xEF\xBF\xBDx");
    EXPECT_EQ(utf16leToUtf8(std::vector<std::uint8_t>{0x41}), "");  // half a code unit is dropped
}

TEST(TextUtf16, FromUtf8) {
    EXPECT_EQ(utf8ToUtf16("abc"), u"abc");
    EXPECT_EQ(utf8ToUtf16("\xC3\xA9\xE2\x82\xAC"), u"\u00e9\u20ac");
    EXPECT_EQ(utf8ToUtf16("\xF0\x9F\x98\x80"), u"\U0001F600");
    EXPECT_EQ(utf8ToUtf16("a\xFF" "b"), u"a\uFFFDb");         // not a lead byte
    EXPECT_EQ(utf8ToUtf16("\xC3"), u"\uFFFD");                // cut short
    EXPECT_EQ(utf8ToUtf16("\xC0\xAF"), u"\uFFFD\uFFFD");      // overlong
    EXPECT_EQ(utf8ToUtf16("\xED\xA0\x80"), u"\uFFFD\uFFFD\uFFFD");  // an encoded surrogate
    const std::string mixed = "caf\xC3\xA9 \xF0\x9F\x98\x80 \\pipe\\x";
    EXPECT_EQ(utf16ToUtf8(utf8ToUtf16(mixed)), mixed);
}
