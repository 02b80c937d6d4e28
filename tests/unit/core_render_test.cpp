#include "core/render.h"

#include <fstream>
#include <gtest/gtest.h>
#include <sstream>

using namespace ipcscope::core;

namespace {

Snapshot sample() {
    Snapshot s;
    s.host = "testhost";
    s.platform = Platform::Linux;
    s.takenAt = std::chrono::system_clock::time_point{std::chrono::milliseconds(1764151200123LL)};
    s.duration = std::chrono::microseconds(1500);
    s.elevated = true;
    s.families = {Family::Pipes, Family::Queues, Family::Services};
    IpcObject fifo;
    fifo.kind = Kind::Fifo;
    fifo.name = "/tmp/demo fifo";
    fifo.details["inode"] = 1234;
    fifo.addHolder({4242, "reader", "fd 3 r"});
    fifo.addHolder({17, "writer", "fd 5 w"});
    s.objects.push_back(fifo);
    IpcObject sock;
    sock.kind = Kind::UnixSocket;
    sock.name = "@abstract";
    sock.size = 4096;
    sock.details["type"] = "stream";
    sock.details["state"] = "listen";
    sock.error = "peer vanished";
    s.objects.push_back(sock);
    IpcObject queue;
    queue.kind = Kind::SysvMsg;
    queue.name = "0x1234abcd";
    queue.size = 16;
    queue.details["key"] = "0x1234abcd";
    queue.details["msqid"] = 3;
    queue.details["messages"] = 2;
    queue.details["lspid"] = 4242;
    queue.details["lrpid"] = 0;
    queue.addHolder({4242, "sender", "last msgsnd"});
    s.objects.push_back(queue);
    IpcObject name;
    name.kind = Kind::DbusName;
    name.name = "org.example.Demo";
    name.details["bus"] = "session";
    name.details["state"] = "running";
    name.details["owner"] = ":1.7";
    name.details["pid"] = 4242;
    name.addHolder({4242, "demo", "owns it on the session bus"});
    s.objects.push_back(name);
    s.errors.push_back({Family::Services, Kind::DbusName,
                        Error::make(Errc::NotFound, "system bus (unix:path=/run/dbus/system_bus_socket): cannot connect")});
    s.errors.push_back({Family::Mailslots, std::nullopt, Error::make(Errc::NotSupported, "mailslots are not supported on linux")});
    return s;
}

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace

TEST(Render, JsonMatchesTheGoldenFile) {
    const std::string golden = readFile(std::string(IPCSCOPE_TEST_DATA) + "/snapshot_golden.json");
    ASSERT_FALSE(golden.empty()) << "golden file missing";
    EXPECT_EQ(renderJson(sample()), golden);
}

TEST(Render, JsonKeepsTheContractKeys) {
    const auto j = toJson(sample());
    for (const char* key : {"host", "platform", "taken_at", "objects", "errors"}) EXPECT_TRUE(j.contains(key)) << key;
    const auto& o = j["objects"][0];
    for (const char* key : {"family", "kind", "name", "pids", "size", "details"}) EXPECT_TRUE(o.contains(key)) << key;
    EXPECT_TRUE(o["size"].is_null());
    EXPECT_EQ(o["pids"], nlohmann::ordered_json::parse("[17,4242]"));
    EXPECT_EQ(j["objects"][1]["size"], 4096);
}

TEST(Render, MixedFamiliesGetTheGenericColumns) {
    auto s = sample();
    s.errors.clear();
    s.families = {Family::Pipes, Family::Sockets};
    IpcObject tcp;
    tcp.kind = Kind::TcpSocket;
    tcp.name = "127.0.0.1:80";
    s.objects.push_back(tcp);
    const std::string t = renderTable(s);
    std::istringstream in(t);
    std::string header, row1, row2;
    std::getline(in, header);
    std::getline(in, row1);
    std::getline(in, row2);
    EXPECT_EQ(header.rfind("KIND", 0), 0u) << header;
    EXPECT_EQ(header.find("NAME"), row1.find("/tmp/demo fifo"));
    EXPECT_EQ(header.find("PIDS"), row1.find("17,4242"));
    EXPECT_EQ(header.find("SIZE"), row2.find("4.0 KiB"));
    EXPECT_NE(header.find("DETAILS"), std::string::npos);
    EXPECT_NE(t.find("5 objects on testhost (linux)"), std::string::npos);
}

TEST(Render, OneFamilyGetsItsOwnColumns) {
    auto s = sample();
    s.errors.clear();
    s.families = {Family::Pipes};
    std::erase_if(s.objects, [](const IpcObject& o) { return o.family() != Family::Pipes; });
    const std::string t = renderTable(s);
    std::istringstream in(t);
    std::string header, row1, row2;
    std::getline(in, header);
    std::getline(in, row1);
    std::getline(in, row2);
    // The pipes columns, as in the GUI's tab; QUEUES is empty in every row and left out.
    EXPECT_EQ(header.rfind("KIND", 0), 0u) << header;
    EXPECT_NE(header.find("STATE"), std::string::npos) << header;
    EXPECT_NE(header.find("COMMANDS"), std::string::npos) << header;
    EXPECT_EQ(header.find("QUEUES"), std::string::npos) << header;
    EXPECT_EQ(header.find("PIDS"), row1.find("17,4242"));
    EXPECT_EQ(header.find("COMMANDS"), row1.find("reader, writer"));
    EXPECT_EQ(header.find("STATE"), row2.find("stream listen"));
    EXPECT_NE(t.find("2 objects on testhost (linux)"), std::string::npos);
}

TEST(Render, HumanSizesAndPidLists) {
    EXPECT_EQ(humanSize(std::nullopt), "-");
    EXPECT_EQ(humanSize(512), "512 B");
    EXPECT_EQ(humanSize(3u << 20), "3.0 MiB");
    EXPECT_EQ(pidList({}), "-");
    EXPECT_EQ(pidList({1, 2, 3}, 2), "1,2,+1");
}
