// The UTF-8 checks and the one JSON writer: any byte sequence comes out as valid JSON, bad
// bytes as \xNN, good text unchanged.

#include "base/code_page.h"
#include "base/json.h"
#include "base/utf8.h"

#include <gtest/gtest.h>

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
