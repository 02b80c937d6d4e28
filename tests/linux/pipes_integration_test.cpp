// Real FIFOs and Unix sockets, held by child processes; ipcscope must report each with the
// right kind, name and PIDs.

#include "test_util.h"

#include <cstring>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <random>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

using namespace ipcscope::test;

namespace {

bool listenUnix(const std::string& name, bool abstract) {
    int s = ::socket(AF_UNIX, SOCK_STREAM, 0);
    if (s < 0) return false;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    socklen_t len;
    if (abstract) {
        addr.sun_path[0] = '\0';
        std::memcpy(addr.sun_path + 1, name.data(), name.size());
        len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
    } else {
        std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", name.c_str());
        len = sizeof addr;
    }
    return ::bind(s, reinterpret_cast<sockaddr*>(&addr), len) == 0 && ::listen(s, 4) == 0;
}

}  // namespace

TEST(PipesIntegration, FifoWithReaderAndWriterChildren) {
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    const std::string fifo = dir.path() + "/test fifo";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    Holder reader([&] { return ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK) >= 0; });
    ASSERT_TRUE(reader.ready());
    Holder writer([&] { return ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK) >= 0; });
    ASSERT_TRUE(writer.ready());

    const auto snap = listJson({"pipes"});
    ASSERT_TRUE(snap.is_object());
    EXPECT_EQ(snap["platform"], "linux");
    const auto obj = findObject(snap, "fifo", fifo);
    ASSERT_TRUE(obj.is_object()) << "fifo " << fifo << " not reported";
    EXPECT_EQ(obj["family"], "pipes");
    EXPECT_TRUE(hasPid(obj, reader.pid()));
    EXPECT_TRUE(hasPid(obj, writer.pid()));
    bool sawRead = false, sawWrite = false;
    for (const auto& h : obj["details"]["holders"]) {
        if (h["pid"] == reader.pid() && h["how"].get<std::string>().ends_with(" r")) sawRead = true;
        if (h["pid"] == writer.pid() && h["how"].get<std::string>().ends_with(" w")) sawWrite = true;
    }
    EXPECT_TRUE(sawRead);
    EXPECT_TRUE(sawWrite);
}

TEST(PipesIntegration, KindFilterListsOnlyFifos) {
    TempDir dir;
    const std::string fifo = dir.path() + "/only";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    Holder reader([&] { return ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK) >= 0; });
    ASSERT_TRUE(reader.ready());
    const auto snap = listJson({"fifo"});
    ASSERT_TRUE(snap.is_object());
    ASSERT_FALSE(snap["objects"].empty());
    for (const auto& o : snap["objects"]) EXPECT_EQ(o["kind"], "fifo");
    EXPECT_TRUE(findObject(snap, "fifo", fifo).is_object());
}

TEST(PipesIntegration, UnixListenersWithPathAndAbstractNames) {
    TempDir dir;
    const std::string path = dir.path() + "/listener.sock";
    const std::string abstractName = uniqueName("ipcscope-test-abstract-");
    Holder server([&] { return listenUnix(path, false) && listenUnix(abstractName, true); });
    ASSERT_TRUE(server.ready());

    const auto snap = listJson({"unix-socket"});
    const auto byPath = findObject(snap, "unix-socket", path);
    ASSERT_TRUE(byPath.is_object()) << "path socket not reported";
    EXPECT_TRUE(hasPid(byPath, server.pid()));
    EXPECT_EQ(byPath["details"]["state"], "listen");
    EXPECT_EQ(byPath["details"]["address"], "path");

    const auto byAbstract = findObject(snap, "unix-socket", "@" + abstractName);
    ASSERT_TRUE(byAbstract.is_object()) << "abstract socket not reported";
    EXPECT_TRUE(hasPid(byAbstract, server.pid()));
    EXPECT_EQ(byAbstract["details"]["address"], "abstract");
    EXPECT_EQ(byAbstract["family"], "pipes");
}

TEST(PipesIntegration, VanishedHolderDisappearsFromTheNextSnapshot) {
    TempDir dir;
    const std::string fifo = dir.path() + "/short-lived";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    pid_t pid;
    {
        Holder reader([&] { return ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK) >= 0; });
        ASSERT_TRUE(reader.ready());
        pid = reader.pid();
        EXPECT_TRUE(hasPid(findObject(listJson({"fifo"}), "fifo", fifo), pid));
    }
    EXPECT_FALSE(findObject(listJson({"fifo"}), "fifo", fifo).is_object());
}
