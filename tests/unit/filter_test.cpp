#include "core/filter.h"
#include "test_objects.h"

#include <gtest/gtest.h>

using ipcscope::core::Filter;
using ipcscope::core::Holder;
using ipcscope::core::IpcObject;
using ipcscope::core::Kind;
using ipcscope::test::object;

namespace {

bool matches(const std::string& filter, const IpcObject& o) {
    auto f = Filter::parse(filter);
    EXPECT_TRUE(f.ok()) << filter << ": " << (f.ok() ? "" : f.error().message());
    return f.ok() && f->matches(o);
}

std::string parseError(const std::string& filter) {
    auto f = Filter::parse(filter);
    return f.ok() ? std::string("(parsed)") : f.error().context;
}

const IpcObject kFifo = object(Kind::Fifo, "/tmp/postgres.fifo", {{1234, "postgres", "fd 3 r"}, {812, "sleep", "fd 4 w"}});
const IpcObject kAnon = object(Kind::AnonPipe, "pipe:[4242]", {{77, "bash", "fd 1 w"}});

}  // namespace

TEST(Filter, EmptyMatchesEverything) {
    auto f = Filter::parse("   ");
    ASSERT_TRUE(f.ok());
    EXPECT_TRUE(f->empty());
    EXPECT_TRUE(f->matches(kFifo));
}

TEST(Filter, BareTermIsASubstringOfNameKindCommandOrPid) {
    EXPECT_TRUE(matches("POSTGRES", kFifo));  // name and command, any case
    EXPECT_TRUE(matches("fifo", kFifo));      // kind
    EXPECT_TRUE(matches("sleep", kFifo));     // holder command
    EXPECT_TRUE(matches("123", kFifo));       // part of a PID
    EXPECT_FALSE(matches("bash", kFifo));
}

TEST(Filter, FieldTerms) {
    EXPECT_TRUE(matches("pid:1234", kFifo));
    EXPECT_TRUE(matches("pid:812", kFifo));
    EXPECT_FALSE(matches("pid:123", kFifo)) << "pid: is an exact PID, not a substring";
    EXPECT_TRUE(matches("kind:fifo", kFifo));
    EXPECT_FALSE(matches("kind:fifo", kAnon));
    EXPECT_TRUE(matches("kind:pipe", kAnon));
    EXPECT_TRUE(matches("name:postgres", kFifo));
    EXPECT_FALSE(matches("name:sleep", kFifo)) << "name: looks at the name only";
    EXPECT_TRUE(matches("cmd:sleep", kFifo));
    EXPECT_TRUE(matches("Command:SLEEP", kFifo));
    EXPECT_TRUE(matches("family:pipes", kFifo));
}

TEST(Filter, DetailFieldsAreFields) {
    IpcObject sock = object(Kind::UnixSocket, "/run/app.sock", {{5, "app", "fd 7"}});
    sock.details["peer"] = "/run/other.sock";
    sock.details["inode"] = 99123;
    EXPECT_TRUE(matches("peer:other", sock));
    EXPECT_TRUE(matches("inode:99123", sock));
    EXPECT_FALSE(matches("peer:nobody", sock));
    EXPECT_FALSE(matches("nosuchfield:x", sock));
}

TEST(Filter, AllTermsMustMatchAndMinusNegates) {
    EXPECT_TRUE(matches("pid:1234 kind:fifo name:postgres", kFifo));
    EXPECT_FALSE(matches("pid:1234 kind:anon", kFifo));
    EXPECT_TRUE(matches("-kind:anon-pipe", kFifo));
    EXPECT_FALSE(matches("-kind:anon-pipe", kAnon));
    EXPECT_FALSE(matches("-postgres", kFifo));
    EXPECT_TRUE(matches("-postgres", kAnon));
}

TEST(Filter, QuotesKeepSpaces) {
    const IpcObject spaced = object(Kind::Fifo, "/tmp/my file", {});
    EXPECT_TRUE(matches("name:\"my file\"", spaced));
    EXPECT_TRUE(matches("\"my file\"", spaced));
    EXPECT_FALSE(matches("name:\"my  file\"", spaced));
    auto f = Filter::parse("-name:\"a b\" pid:7");
    ASSERT_TRUE(f.ok());
    ASSERT_EQ(f->terms().size(), 2u);
    EXPECT_EQ(f->terms()[0], (Filter::Term{"name", "a b", true}));
    EXPECT_EQ(f->terms()[1], (Filter::Term{"pid", "7", false}));
}

TEST(Filter, BadInputGetsAClearError) {
    EXPECT_EQ(parseError("pid:"), "'pid:' needs a value after the ':'");
    EXPECT_EQ(parseError("kind:fifo -"), "'-' needs a term after it");
    EXPECT_EQ(parseError("pid:12ab"), "'pid:12ab': a PID is a number");
    EXPECT_EQ(parseError("name:\"open"), "unclosed quote in 'name:\"open'");
}

TEST(Filter, AColonInsideAValueIsNotAField) {
    // A bare term with a colon that does not start with a field name stays a substring.
    EXPECT_TRUE(matches("pipe:[4242]", kAnon)) << "'pipe' is not a field: the whole term is a substring";
    const IpcObject tcp = object(Kind::TcpSocket, "127.0.0.1:8080", {});
    EXPECT_TRUE(matches(":8080", tcp));
}
