// D-Bus names: a private dbus-daemon started by the test, a helper owning a well-known name,
// an activatable name that is not running, a bus that never answers and a missing system
// bus. Parity with `busctl --address=... list`.

#include "test_util.h"

#include <chrono>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <memory>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

using namespace ipcscope::test;

namespace {

const char* kOwned = "org.ipcscope.Test.Owner";
const char* kActivatable = "org.ipcscope.Test.Activatable";

}  // namespace

// The fixture and its Child have external linkage: the classes TEST_F derives from the fixture
// do, and the unity build makes this file a header to the compiler (-Wsubobject-linkage).

// A child process whose stdout is read line by line; killed on destruction.
class Child {
public:
    explicit Child(const std::vector<std::string>& argv) {
        int p[2];
        if (::pipe(p) != 0) return;
        m_pid = ::fork();
        if (m_pid == 0) {
            ::dup2(p[1], 1);
            ::close(p[0]);
            ::close(p[1]);
            std::vector<char*> args;
            for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
            args.push_back(nullptr);
            ::execvp(args[0], args.data());
            ::_exit(127);
        }
        ::close(p[1]);
        m_out = p[0];
    }
    ~Child() {
        if (m_pid > 0) {
            ::kill(m_pid, SIGKILL);
            ::waitpid(m_pid, nullptr, 0);
        }
        if (m_out >= 0) ::close(m_out);
    }
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    [[nodiscard]] pid_t pid() const { return m_pid; }
    /// The first line the child prints, or "" after 10 s.
    std::string firstLine() {
        std::string line;
        const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        char c;
        while (std::chrono::steady_clock::now() < end) {
            pollfd pfd{m_out, POLLIN, 0};
            if (::poll(&pfd, 1, 200) <= 0) continue;
            if (::read(m_out, &c, 1) != 1 || c == '\n') break;
            line += c;
        }
        return line;
    }

private:
    pid_t m_pid = -1;
    int m_out = -1;
};

// A private bus: its own config (socket in a temporary folder, one service directory with an
// activatable name), started with --print-address.
class PrivateBus : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_FALSE(m_dir.path().empty());
        ASSERT_EQ(::mkdir((m_dir.path() + "/services").c_str(), 0755), 0);
        std::ofstream(m_dir.path() + "/services/" + kActivatable + ".service")
            << "[D-BUS Service]\nName=" << kActivatable << "\nExec=/bin/false\n";
        std::ofstream(m_dir.path() + "/bus.conf")
            << "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
               " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
               "<busconfig><type>session</type><listen>unix:path="
            << m_dir.path() << "/bus</listen><servicedir>" << m_dir.path()
            << "/services</servicedir><auth>EXTERNAL</auth>"
               "<policy context=\"default\"><allow send_destination=\"*\" eavesdrop=\"true\"/>"
               "<allow eavesdrop=\"true\"/><allow own=\"*\"/></policy></busconfig>\n";
        m_daemon = std::make_unique<Child>(std::vector<std::string>{
            "dbus-daemon", "--config-file=" + m_dir.path() + "/bus.conf", "--nofork", "--nopidfile", "--print-address"});
        m_address = m_daemon->firstLine();
        ASSERT_NE(m_address.find("unix:path="), std::string::npos) << "dbus-daemon printed no address";
        m_owner = std::make_unique<Child>(std::vector<std::string>{IPCSCOPE_DBUS_OWNER, m_address, kOwned});
        const std::string ready = m_owner->firstLine();
        ASSERT_EQ(ready.rfind(std::string("ready ") + kOwned + " :", 0), 0u) << ready;
        m_unique = ready.substr(ready.rfind(' ') + 1);
    }

    // ipcscope with a system bus that certainly does not exist and no session bus of its own.
    nlohmann::json list(const std::vector<std::string>& extra = {}) {
        std::vector<std::string> argv{IPCSCOPE_BIN, "list", "dbus-name", "--json", "--dbus-address", m_address};
        argv.insert(argv.end(), extra.begin(), extra.end());
        auto r = runCmd(argv, 60,
                        {"DBUS_SYSTEM_BUS_ADDRESS=unix:path=" + m_dir.path() + "/no-system-bus", "DBUS_SESSION_BUS_ADDRESS"});
        EXPECT_EQ(r.exitCode, 0) << r.err;
        return nlohmann::json::parse(r.out, nullptr, false);
    }

    static nlohmann::json onBus(const nlohmann::json& snap, const std::string& name, const std::string& address) {
        for (const auto& o : snap["objects"])
            if (o["kind"] == "dbus-name" && o["name"] == name && o["details"]["address"] == address) return o;
        return nullptr;
    }

    TempDir m_dir;
    std::unique_ptr<Child> m_daemon, m_owner;
    std::string m_address, m_unique;
};

TEST_F(PrivateBus, WellKnownUniqueAndActivatableNamesWithOwners) {
    const auto snap = list();
    ASSERT_TRUE(snap.is_object());
    const auto owned = onBus(snap, kOwned, m_address);
    ASSERT_TRUE(owned.is_object()) << snap.dump();
    EXPECT_EQ(owned["family"], "services");
    EXPECT_EQ(owned["details"]["state"], "running");
    EXPECT_EQ(owned["details"]["owner"], m_unique);
    EXPECT_EQ(owned["details"]["pid"], m_owner->pid());
    EXPECT_EQ(owned["details"]["uid"], ::getuid());
    EXPECT_EQ(owned["pids"], nlohmann::json::array({m_owner->pid()}));
    EXPECT_EQ(owned["details"]["holders"][0]["command"], "dbus_name_owner");
    EXPECT_EQ(owned["details"]["bus"], m_address);

    const auto unique = onBus(snap, m_unique, m_address);
    ASSERT_TRUE(unique.is_object());
    EXPECT_EQ(unique["details"]["pid"], m_owner->pid());

    const auto daemon = onBus(snap, "org.freedesktop.DBus", m_address);
    ASSERT_TRUE(daemon.is_object());
    EXPECT_EQ(daemon["details"]["pid"], m_daemon->pid());

    const auto idle = onBus(snap, kActivatable, m_address);
    ASSERT_TRUE(idle.is_object());
    EXPECT_EQ(idle["details"]["state"], "activatable");
    EXPECT_TRUE(idle["pids"].empty());

    // The system bus this run was pointed at does not exist: one error entry says so.
    bool told = false;
    for (const auto& e : snap["errors"])
        told = told || (e["kind"] == "dbus-name" && e["code"] == "not-found" &&
                        e["message"].get<std::string>().rfind("system bus", 0) == 0);
    EXPECT_TRUE(told) << snap["errors"].dump();
}

TEST_F(PrivateBus, ParityWithBusctlList) {
    auto r = runCmd({"busctl", "--address=" + m_address, "list", "--json=short"}, 30);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto busctl = nlohmann::json::parse(r.out, nullptr, false);
    ASSERT_TRUE(busctl.is_array()) << r.out;
    const auto snap = list();
    std::size_t compared = 0;
    for (const auto& row : busctl) {
        const std::string name = row["name"];
        // busctl's own connection is gone by now, as ours is when busctl runs.
        if (name.front() == ':' && name != m_unique) continue;
        const auto ours = onBus(snap, name, m_address);
        ASSERT_TRUE(ours.is_object()) << name << " is listed by busctl, not by ipcscope";
        if (row["pid"].is_number()) EXPECT_EQ(ours["details"]["pid"], row["pid"]) << name;
        else EXPECT_TRUE(ours["pids"].empty()) << name;
        ++compared;
    }
    EXPECT_GE(compared, 4u);  // the daemon, the helper's two names, the activatable name
}

TEST(DbusBus, ABusThatNeverAnswersIsAnErrorNotAHang) {
    TempDir dir;
    const std::string path = dir.path() + "/silent";
    const int s = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
    ASSERT_EQ(::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ASSERT_EQ(::listen(s, 8), 0);  // connects succeed; nothing is ever read or written
    const auto start = std::chrono::steady_clock::now();
    auto r = runCmd({IPCSCOPE_BIN, "list", "dbus-name", "--json", "--dbus-address", "unix:path=" + path}, 60,
                    {"DBUS_SYSTEM_BUS_ADDRESS=unix:path=" + dir.path() + "/none", "DBUS_SESSION_BUS_ADDRESS"});
    const auto took = std::chrono::steady_clock::now() - start;
    ::close(s);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_LT(took, std::chrono::seconds(10));
    const auto snap = nlohmann::json::parse(r.out, nullptr, false);
    bool told = false;
    for (const auto& e : snap["errors"])
        told = told || (e["code"] == "timeout" && e["message"].get<std::string>().find(path) != std::string::npos);
    EXPECT_TRUE(told) << snap["errors"].dump();
}
