#include "core/table_export.h"

#include <gtest/gtest.h>

using namespace ipcscope::core;

namespace {
std::string cellName(const IpcObject& o) { return o.name; }
std::string cellKind(const IpcObject& o) { return std::string(kindName(o.kind)); }
}  // namespace

TEST(TableExport, CsvQuotesWhatNeedsIt) {
    const std::vector<Column> columns{{"Kind", cellKind}, {"Name, full", cellName}};
    IpcObject a;
    a.kind = Kind::Fifo;
    a.name = "/tmp/plain";
    IpcObject b;
    b.kind = Kind::Fifo;
    b.name = "/tmp/with \"quote\", comma\nand newline";
    const std::string csv = renderCsv(columns, {&a, &b});
    EXPECT_EQ(csv,
              "Kind,\"Name, full\"\r\n"
              "fifo,/tmp/plain\r\n"
              "fifo,\"/tmp/with \"\"quote\"\", comma\nand newline\"\r\n");
}

TEST(TableExport, JsonRowsAreTheListObjectsAndSurviveBadUtf8) {
    IpcObject a;
    a.kind = Kind::Fifo;
    a.name = std::string("/tmp/\xff\xfe-bytes");
    const std::string json = renderJsonRows({&a});
    const auto parsed = nlohmann::json::parse(json);
    ASSERT_TRUE(parsed.is_array());
    ASSERT_EQ(parsed.size(), 1u);
    EXPECT_EQ(parsed[0]["kind"], "fifo");
    EXPECT_EQ(parsed[0]["name"].get<std::string>().rfind("/tmp/", 0), 0u);
}
