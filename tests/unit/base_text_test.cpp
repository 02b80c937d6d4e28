// The UTF-8 checks and the one JSON writer: any byte sequence comes out as valid JSON, bad
// bytes as \xNN, good text unchanged.

#include "base/code_page.h"
#include "base/json.h"
#include "base/text.h"
#include "base/utf8.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

using namespace ipcscope::base;

TEST(Utf8, WellFormedTextIsValid) {
    EXPECT_TRUE(isValidUtf8(""));
    EXPECT_TRUE(isValidUtf8("plain ASCII \x01\x7f"));
    EXPECT_TRUE(isValidUtf8("\xc3\x9c ber \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf"));  // Ü € 😀 U+10FFFF
}

TEST(Utf8, MalformedSequencesAreInvalid) {
    for (const char* bad : {"\x9a", "\xff", "\xc3", "\xc3(", "\xc0\x80", "\xe0\x80\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                            "\xf8\x88\x80\x80\x80", "\xe2\x82", "ok\xf0\x9f\x98"})
        EXPECT_FALSE(isValidUtf8(bad)) << bad;
}

TEST(Utf8, EscapingKeepsGoodSequencesAndWritesBadBytesAsHex) {
    EXPECT_EQ(escapeInvalidUtf8("caf\xc3\xa9"), "caf\xc3\xa9");
    EXPECT_EQ(escapeInvalidUtf8("H\x9aST"), "H\\x9aST");
    EXPECT_EQ(escapeInvalidUtf8("\xc3(\xc3\xa9\xff"), "\\xc3(\xc3\xa9\\xff");
    EXPECT_EQ(escapeInvalidUtf8("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // a surrogate, byte by byte
    EXPECT_EQ(escapeInvalidUtf8(std::string("a\0b", 3)), std::string("a\0b", 3));
}

TEST(Json, InvalidUtf8AnywhereInTheTreeDoesNotThrowAndParsesBack) {
    nlohmann::ordered_json j;
    j["name"] = "fifo-\x9a";
    j["list"] = {"ok", "\xff\xfe", 3};
    j["nested"]["key-\xc3("] = "v\xe2\x82";
    std::string text;
    ASSERT_NO_THROW(text = dumpJson(j));
    const auto back = nlohmann::json::parse(text, nullptr, false);
    ASSERT_FALSE(back.is_discarded()) << text;
    EXPECT_EQ(back["name"], "fifo-\\x9a");
    EXPECT_EQ(back["list"][1], "\\xff\\xfe");
    EXPECT_EQ(back["nested"]["key-\\xc3("], "v\\xe2\\x82");
    // The unordered type and indentation take the same path.
    nlohmann::json u = {{"a", "\x80"}};
    EXPECT_EQ(dumpJson(u, 2), "{\n  \"a\": \"\\\\x80\"\n}");
}

TEST(Json, ValidTreesAreWrittenExactlyAsNlohmannWritesThem) {
    nlohmann::ordered_json j = {{"s", "tab\t \"q\" \\ \x01 \xc3\xa9"}, {"n", -1}, {"d", 0.1}, {"a", {1, nullptr, true}}};
    EXPECT_EQ(dumpJson(j), j.dump());
    EXPECT_EQ(dumpJson(j, 2), j.dump(2));
    EXPECT_EQ(jsonString("tab\t \"q\" \xc3\xa9"), nlohmann::json("tab\t \"q\" \xc3\xa9").dump());
    EXPECT_EQ(jsonString("\x9a"), "\"\\\\x9a\"");
}

TEST(CodePage, Cp850IsTheDefaultAndDecodesEveryByte) {
    EXPECT_EQ(decodeOem("H\x9aST", kDefaultOemCodePage), "H\xc3\x9cST");  // HÜST
    EXPECT_EQ(decodeOem("CAF\xd5", 850), "CAF\xc4\xb1");                   // CAFı
    EXPECT_EQ(decodeOem("\xff\xb3\x80", 850), "\xc2\xa0\xe2\x94\x82\xc3\x87");
    for (int b = 0; b < 256; ++b) {
        const std::string one(1, static_cast<char>(b));
        EXPECT_TRUE(isValidUtf8(decodeOem(one, 850))) << b;
        if (b < 0x80) {
            EXPECT_EQ(decodeOem(one, 850), one);
        }
    }
}

TEST(CodePage, OtherPagesAndUndefinedBytes) {
    EXPECT_EQ(decodeOem("CAF\xd5", 858), "CAF\xe2\x82\xac");  // the euro sign of CP858
    EXPECT_EQ(decodeOem("\x9a", 437), "\xc3\x9c");
    EXPECT_EQ(decodeOem("\x80", 866), "\xd0\x90");             // Cyrillic A
    EXPECT_EQ(decodeOem("CAF\xd5", 857), "CAF\\xd5");          // undefined in CP857
    EXPECT_TRUE(oemCodePageKnown(850));
    EXPECT_TRUE(oemCodePageKnown(437));
    EXPECT_FALSE(oemCodePageKnown(65001));
    EXPECT_FALSE(oemCodePageKnown(0));
    EXPECT_EQ(decodeOem("\x9a", 12345), decodeOem("\x9a", kDefaultOemCodePage));
    EXPECT_NE(knownOemCodePages().find("850"), std::string::npos);
}

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
    EXPECT_EQ(utf16ToUtf8(utf8ToUtf16(mixed)), mixed);}
