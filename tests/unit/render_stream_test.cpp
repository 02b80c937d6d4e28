// renderJson writes without building a JSON tree; it must stay byte-identical to the tree's
// dump through base::dumpJson, including escapes, invalid UTF-8, floating point and nested details.

#include "base/json.h"
#include "core/render.h"

#include <gtest/gtest.h>

#include <algorithm>

using namespace ipcscope::core;

namespace {

std::string viaTree(const Snapshot& s) {
    return ipcscope::base::dumpJson(toJson(s), 2) + "\n";
}

}  // namespace

TEST(RenderStream, EmptySnapshotMatchesTheTree) {
    Snapshot s;
    s.host = "h";
    EXPECT_EQ(renderJson(s), viaTree(s));
}

TEST(RenderStream, AwkwardValuesMatchTheTree) {
    Snapshot s;
    s.host = "host \"quoted\" \\ tab\t";
    s.platform = Platform::Windows;
    s.duration = std::chrono::microseconds(123457);
    s.deniedProcesses = 7;
    s.families = {Family::Pipes, Family::Clipboard};
    IpcObject a;
    a.kind = Kind::UnixSocket;
    a.name = std::string("@abs\0tract\x01\x7f", 12) + "\xff\xfe bad utf8 \xc3\xa9 ok";
    a.size = 0;
    a.details["nested"] = {{"list", {1, -2, 3.25, "x", nullptr, true}}, {"empty_obj", nlohmann::ordered_json::object()},
                           {"empty_arr", nlohmann::ordered_json::array()}};
    a.details["big"] = std::uint64_t{18446744073709551615ULL};
    a.details["neg"] = -5;
    a.details["ratio"] = 0.1;
    a.details["holders"] = "replaced by the holder list";
    a.addHolder({1, "sh", "fd 0 r"});
    a.addHolder({2, "with \"quote\"", "fd 1 w"});
    a.error = "failed: \n newline";
    s.objects.push_back(a);
    IpcObject b;
    b.kind = Kind::Fifo;
    b.name = "plain";
    s.objects.push_back(b);
    IpcObject c;
    c.kind = Kind::AnonPipe;
    c.name = "details not an object";
    c.details = nlohmann::ordered_json::array({1, 2});
    c.addHolder({3, "x", "fd 4 r"});
    s.objects.push_back(c);
    s.errors.push_back({std::nullopt, Kind::Memfd, Error::fromErrno(13, "denied")});
    EXPECT_EQ(renderJson(s), viaTree(s));
}

TEST(RenderStream, PiecesOfALargeSnapshotAddUpToTheSameText) {
    Snapshot s;
    s.host = "h";
    s.families = {Family::Pipes};
    for (int i = 0; i < 2000; ++i) {  // about 500 KiB of text: several 64 KiB pieces
        IpcObject o;
        o.kind = Kind::UnixSocket;
        o.name = "socket:[" + std::to_string(i) + "]";
        o.details["inode"] = i;
        o.details["type"] = "stream";
        o.addHolder({100 + i, "holder", "fd 3"});
        s.objects.push_back(std::move(o));
    }
    s.errors.push_back({Family::Pipes, std::nullopt, Error::fromErrno(13, "denied")});
    std::string joined;
    std::size_t pieces = 0, largest = 0;
    writeJson(s, [&](std::string_view text) {
        joined += text;
        ++pieces;
        largest = std::max(largest, text.size());
    });
    const std::string whole = renderJson(s);
    EXPECT_EQ(joined, whole);
    EXPECT_EQ(joined, viaTree(s));
    EXPECT_GT(pieces, 4u);                  // streamed, not handed over at the end in one piece
    EXPECT_LT(largest, 80u * 1024);         // and never much more than one chunk held at once
}
