// The merge of directory entries and handle sightings into rows, on inputs built here:
// this covers the directory half that Wine 8.0 cannot produce live.

#include "core/render.h"
#include "platform/windows/pipe_rows.h"

#include <gtest/gtest.h>

using namespace ipcscope;
using namespace ipcscope::win;

namespace {

Sighting pipeSighting(std::u16string name, std::uint32_t pid, std::uint64_t handle, std::uint32_t end,
                      std::uint32_t cur = 2, std::uint32_t max = 4) {
    Sighting s;
    s.name = std::move(name);
    s.entry.pid = pid;
    s.entry.handle = handle;
    s.command = "server.exe";
    s.duplicated = true;
    PipeLocalInfo p;
    p.type = 1;
    p.configuration = 2;
    p.curInstances = cur;
    p.maxInstances = max;
    p.inboundQuota = 1024;
    p.outboundQuota = 2048;
    p.end = end;
    s.pipe = p;
    return s;
}

const core::IpcObject* find(const std::vector<core::IpcObject>& rows, const std::string& name) {
    for (const auto& r : rows)
        if (r.name == name) return &r;
    return nullptr;
}

}  // namespace

TEST(PipeRows, DirectoryAloneGivesNamesAndInstanceCounts) {
    const std::vector<DirEntry> dir{{u"InitShutdown", 3, 0xFFFFFFFF, 0x80}, {u"ipcscope-test-1", 2, 4, 0x80}};
    auto rows = mergePipes(dir, {});
    ASSERT_EQ(rows.size(), 2u);
    const auto* p = find(rows, "ipcscope-test-1");
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->kind, core::Kind::NamedPipe);
    EXPECT_TRUE(p->pids.empty());
    EXPECT_EQ(p->details["instances"], 2);
    EXPECT_EQ(p->details["max_instances"], 4);
    EXPECT_EQ(p->details["source"], "directory");
    EXPECT_FALSE(p->details.contains("unlimited"));
    const auto* u = find(rows, "InitShutdown");
    ASSERT_NE(u, nullptr);
    EXPECT_TRUE(u->details["max_instances"].is_null());
    EXPECT_EQ(u->details["unlimited"], true);
    EXPECT_EQ(u->details["instances"], 3);
}

TEST(PipeRows, DirectoryAndHandlesMergeIntoOneRowWithoutCase) {
    const std::vector<DirEntry> dir{{u"IpcScope-Test-2", 2, 4, 0x80}};
    const std::vector<Sighting> seen{pipeSighting(u"ipcscope-test-2", 300, 0x1c, 1, 9, 9),
                                     pipeSighting(u"IPCSCOPE-TEST-2", 300, 0x20, 1, 9, 9),
                                     pipeSighting(u"ipcscope-test-2", 412, 0x8, 0, 9, 9)};
    auto rows = mergePipes(dir, seen);
    ASSERT_EQ(rows.size(), 1u);
    const auto& r = rows[0];
    EXPECT_EQ(r.name, "IpcScope-Test-2");  // the directory's spelling, seen first
    EXPECT_EQ(r.pids, (std::vector<std::int64_t>{300, 412}));
    EXPECT_EQ(r.details["source"], "directory+handles");
    EXPECT_EQ(r.details["instances"], 2);  // the directory wins over the handles' counts
    EXPECT_EQ(r.details["max_instances"], 4);
    EXPECT_EQ(r.details["ends"]["server"], nlohmann::json::array({300}));
    EXPECT_EQ(r.details["ends"]["client"], nlohmann::json::array({412}));
    EXPECT_EQ(r.details["type"], "message");
    EXPECT_EQ(r.details["direction"], "duplex");
    EXPECT_EQ(r.details["in_quota"], 1024);
    ASSERT_EQ(r.holders.size(), 3u);
    EXPECT_EQ(r.holders[0].how, "handle 0x1c server");
    EXPECT_EQ(r.holders[2].how, "handle 0x8 client");
    EXPECT_EQ(r.holders[0].command, "server.exe");
}

TEST(PipeRows, HandlesAloneTakeCountsFromTheHandle) {
    const std::vector<Sighting> seen{pipeSighting(u"only-handles", 77, 0x44, 1, 1, 0xFFFFFFFF)};
    auto rows = mergePipes({}, seen);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].details["source"], "handles");
    EXPECT_EQ(rows[0].details["instances"], 1);
    EXPECT_TRUE(rows[0].details["max_instances"].is_null());
    EXPECT_EQ(rows[0].details["unlimited"], true);
}

TEST(PipeRows, AHandleThatDidNotAnswerStillNamesItsHolder) {
    Sighting s = pipeSighting(u"write-only", 55, 0x10, 0);
    s.pipe.reset();  // a write-only client end refuses FilePipeLocalInformation
    auto rows = mergePipes({}, std::vector<Sighting>{s});
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].pids, std::vector<std::int64_t>{55});
    EXPECT_EQ(rows[0].holders[0].how, "handle 0x10");
    EXPECT_TRUE(rows[0].details["instances"].is_null());
    EXPECT_TRUE(rows[0].details["ends"]["client"].empty());
    EXPECT_FALSE(rows[0].details.contains("type"));
}

TEST(PipeRows, EmptyNamesAreNotRows) {
    const std::vector<DirEntry> dir{{u"", 1, 1, 0}};
    const std::vector<Sighting> seen{pipeSighting(u"", 1, 4, 1)};
    EXPECT_TRUE(mergePipes(dir, seen).empty());
    EXPECT_TRUE(mergeMailslots(dir, seen).empty());
}

TEST(PipeRows, NonAsciiNamesAreUtf8InTheJson) {
    const std::vector<DirEntry> dir{{u"caf\u00e9", 1, 1, 0}};
    auto rows = mergePipes(dir, {});
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(core::toJson(rows[0])["name"], "caf\xC3\xA9");
}

TEST(MailslotRows, ReaderAndWriterEndsWithGetMailslotInfo) {
    Sighting reader;
    reader.name = u"net\\browse";
    reader.entry = {10, 0x30, 0x120089, 37, 0, 0};
    reader.command = "reader.exe";
    reader.duplicated = true;
    reader.mailslot = MailslotInfo{512, 14, 3, kWaitForever};
    Sighting writer = reader;
    writer.entry.pid = 20;
    writer.entry.handle = 0x44;
    writer.mailslot.reset();
    Sighting opaque = writer;  // a process we could not duplicate from: holder, no end
    opaque.entry.pid = 30;
    opaque.duplicated = false;
    const std::vector<DirEntry> dir{{u"NET\\BROWSE", 0, 0, 0}, {u"other", 0, 0, 0}};
    auto rows = mergeMailslots(dir, std::vector<Sighting>{reader, writer, opaque});
    ASSERT_EQ(rows.size(), 2u);
    const auto* m = find(rows, "NET\\BROWSE");
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(m->kind, core::Kind::Mailslot);
    EXPECT_EQ(m->pids, (std::vector<std::int64_t>{10, 20, 30}));
    EXPECT_EQ(m->details["max_message_size"], 512);
    EXPECT_EQ(m->details["next_size"], 14);
    EXPECT_EQ(m->details["pending"], 3);
    EXPECT_TRUE(m->details["read_timeout_ms"].is_null());
    EXPECT_EQ(m->details["ends"]["server"], nlohmann::json::array({10}));
    EXPECT_EQ(m->details["ends"]["client"], nlohmann::json::array({20}));
    EXPECT_EQ(m->details["source"], "directory+handles");
    EXPECT_EQ(m->holders[0].how, "handle 0x30 server");
    EXPECT_EQ(m->holders[1].how, "handle 0x44 client");
    EXPECT_EQ(m->holders[2].how, "handle 0x44");
    const auto* o = find(rows, "other");
    ASSERT_NE(o, nullptr);
    EXPECT_EQ(o->details["source"], "directory");
    EXPECT_FALSE(o->details.contains("pending"));
}

TEST(MailslotRows, NoMessageWaitingAndAFiniteTimeout) {
    Sighting reader;
    reader.name = u"slot";
    reader.entry.pid = 5;
    reader.duplicated = true;
    reader.mailslot = MailslotInfo{0, std::nullopt, 0, 250};
    auto rows = mergeMailslots({}, std::vector<Sighting>{reader});
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].details["max_message_size"], 0);
    EXPECT_TRUE(rows[0].details["next_size"].is_null());
    EXPECT_EQ(rows[0].details["pending"], 0);
    EXPECT_EQ(rows[0].details["read_timeout_ms"], 250);
    EXPECT_EQ(rows[0].details["source"], "handles");
}

// Windows keeps FILE_PIPE_REJECT_REMOTE_CLIENTS (0x2) in NamedPipeType: 3 is a message pipe
// that rejects remote clients, not a byte pipe.
TEST(PipeRows, TheRejectBitIsItsOwnColumnAndDoesNotChangeTheType) {
    auto withType = [](std::u16string name, std::uint32_t type) {
        Sighting s = pipeSighting(std::move(name), 10, 0x4, 1);
        s.pipe->type = type;
        return s;
    };
    const std::vector<Sighting> seen{withType(u"byte-accept", 0), withType(u"message-accept", 1),
                                     withType(u"byte-reject", 2), withType(u"message-reject", 3)};
    auto rows = mergePipes({}, seen);
    ASSERT_EQ(rows.size(), 4u);
    const std::pair<const char*, const char*> want[] = {{"byte", "accept"}, {"message", "accept"},
                                                        {"byte", "reject"}, {"message", "reject"}};
    const char* names[] = {"byte-accept", "message-accept", "byte-reject", "message-reject"};
    for (int i = 0; i < 4; ++i) {
        const auto* r = find(rows, names[i]);
        ASSERT_NE(r, nullptr) << names[i];
        EXPECT_EQ(r->details["type"], want[i].first) << names[i];
        EXPECT_EQ(r->details["remote_clients"], want[i].second) << names[i];
    }
    // The pipes table has a column for it.
    core::Snapshot snap;
    snap.objects = rows;
    const std::string table = core::renderTable(snap);
    EXPECT_NE(table.find("REMOTE CLIENTS"), std::string::npos) << table;
    EXPECT_NE(table.find("reject"), std::string::npos) << table;
}

TEST(PipeRows, TheServerEndAndTheNameAsTheOsSpellsItAreKeptForADeepLook) {
    // An unpaired surrogate cannot survive UTF-8: the row's name shows U+FFFD, the kept name
    // still opens the pipe.
    const std::u16string odd = u"odd-\xD800-name";
    const std::vector<Sighting> seen{pipeSighting(odd, 412, 0x8, 0), pipeSighting(odd, 300, 0x1c, 1),
                                     pipeSighting(u"clients-only", 5, 0x10, 0)};
    auto rows = mergePipeRows({}, seen);
    ASSERT_EQ(rows.size(), 2u);
    const PipeRow& c = rows[0];
    EXPECT_EQ(c.obj.name, "clients-only");
    EXPECT_FALSE(c.server.has_value());
    const PipeRow& r = rows[1];
    EXPECT_EQ(r.obj.name, "odd-\xEF\xBF\xBD-name");
    EXPECT_EQ(r.name, odd);
    ASSERT_TRUE(r.server.has_value());
    EXPECT_EQ(r.server->entry.pid, 300u);  // the server end, not the client seen first

    // A server end wins whatever is allowed; connecting only on request.
    EXPECT_EQ(chooseDeepSource(r, false), DeepSource::ServerHandle);
    EXPECT_EQ(chooseDeepSource(r, true), DeepSource::ServerHandle);
    EXPECT_EQ(chooseDeepSource(c, false), DeepSource::None);
    EXPECT_EQ(chooseDeepSource(c, true), DeepSource::Connect);

    const auto d = deepFromServer(*r.server);
    EXPECT_EQ(d["via"], "server-handle");
    EXPECT_EQ(d["mode"], "message");
    EXPECT_EQ(d["in_buffer"], 1024);
    EXPECT_EQ(d["out_buffer"], 2048);
    EXPECT_EQ(d["server_pid"], 300);
    EXPECT_EQ(d["remote_clients"], "accept");
}
