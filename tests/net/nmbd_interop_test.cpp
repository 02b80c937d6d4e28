// Interop with Samba's nmbd, a NetBIOS peer written elsewhere: ipcscope decodes its
// \MAILSLOT\BROWSE announcements, lists the names it registers, and resolves its host name.

#include "netns.h"
#include "test_util.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

using namespace ipcscope::test;
using nlohmann::json;

namespace {

std::string writeConfig(const TempDir& dir, const std::string& dev) {
    const std::string d = dir.path() + "/samba";
    for (const char* sub : {"lock", "state", "cache", "pid", "private", "log"}) (void)runCmd({"mkdir", "-p", d + "/" + sub});
    const std::string path = d + "/smb.conf";
    std::ofstream f(path);
    f << "[global]\n"
         "workgroup = TESTDOM\n"
         "netbios name = HOSTB\n"
         "server string = ipcscope interop peer\n"
         "interfaces = " << dev << "\n"
         "bind interfaces only = yes\n"
         "local master = yes\npreferred master = yes\nos level = 65\ndomain master = no\nwins support = no\n"
         "disable netbios = no\n"
         "lock directory = " << d << "/lock\n"
         "state directory = " << d << "/state\n"
         "cache directory = " << d << "/cache\n"
         "pid directory = " << d << "/pid\n"
         "private dir = " << d << "/private\n"
         "log file = " << d << "/log/log.%m\n";
    return path;
}

bool hasAnnouncement(const std::string& out, const std::string& type, json* found = nullptr) {
    for (const auto& l : lines(out)) {
        auto j = json::parse(l, nullptr, false);
        if (j.is_object() && j.contains("browser") && j["browser"]["type"] == type) {
            if (found) *found = j;
            return true;
        }
    }
    return false;
}

}  // namespace

TEST(NmbdInterop, DecodesBrowseAnnouncementsListsNamesAndResolvesTheHost) {
    TempDir dir;
    TestLan lan("ipcs_nb", 3, 78);
    ASSERT_TRUE(lan.ok()) << lan.error();
    const std::string conf = writeConfig(dir, lan.dev(kB));
    Background listener(lan.in(kC, {IPCSCOPE_BIN, "mailslot", "listen", "--json", "--iface", lan.dev(kC), "--slot", "BROWSE",
                                    "--seconds", "40"}),
                        dir.path(), "listener");
    ASSERT_TRUE(lan.waitUdpPort(kC, 138, std::chrono::seconds(5)));
    Background nmbd(lan.in(kB, {"timeout", "45", "nmbd", "-F", "--debug-stdout", "--no-process-group", "-d", "1", "-s", conf}),
                    dir.path(), "nmbd");

    // The host announcement comes at once; the domain announcement after about 25 s, once
    // nmbd has won the browser election. Stop as soon as both are there (at most 40 s).
    json host, domain;
    const bool both = eventually(
        [&] { return hasAnnouncement(listener.out(), "host_announcement", &host) &&
                     hasAnnouncement(listener.out(), "domain_announcement", &domain); },
        std::chrono::seconds(40));

    // While nmbd runs: the names it registers, and \\HOSTB resolved by a name query.
    auto names = runCmd(lan.in(kC, {IPCSCOPE_BIN, "list", "netbios", "--iface", lan.dev(kC), "--json"}), 30);
    auto resolved = runCmd(lan.in(kA, {IPCSCOPE_BIN, "send", "\\\\HOSTB\\mailslot\\ipcscope-test", "--text", "found you",
                                       "--iface", lan.dev(kA), "--domain", "TESTDOM", "--json"}),
                           30);
    nmbd.terminate();
    listener.terminate();
    nmbd.wait(std::chrono::seconds(10));
    listener.wait(std::chrono::seconds(10));

    ASSERT_TRUE(both) << "listener saw:\n" << listener.out() << "\nnmbd said:\n" << nmbd.out() << nmbd.err();
    EXPECT_EQ(host["source_name"], "HOSTB");
    EXPECT_EQ(host["source_ip"], lan.ip(kB));
    EXPECT_EQ(host["dest_name"], "TESTDOM");
    EXPECT_EQ(host["slot"], "\\MAILSLOT\\BROWSE");
    EXPECT_EQ(host["browser"]["server_name"], "HOSTB");
    EXPECT_EQ(host["browser"]["comment"], "ipcscope interop peer");
    const auto flags = host["browser"]["server_type_flags"];
    EXPECT_NE(std::find(flags.begin(), flags.end(), "server"), flags.end()) << flags.dump();
    EXPECT_EQ(domain["browser"]["server_name"], "TESTDOM");
    EXPECT_EQ(domain["browser"]["comment"], "HOSTB");  // the master browser's name
    for (const auto& l : lines(listener.out())) {
        auto j = json::parse(l, nullptr, false);
        EXPECT_FALSE(j.contains("error")) << l;
    }

    ASSERT_EQ(names.exitCode, 0) << names.err;
    auto hosts = json::parse(names.out, nullptr, false);
    ASSERT_TRUE(hosts.is_array()) << names.out;
    bool unique = false, group = false;
    for (const auto& h : hosts) {
        if (h["ip"] != lan.ip(kB)) continue;
        for (const auto& n : h["names"]) {
            unique |= n["name"] == "HOSTB" && n["suffix"] == "0x00" && n["group"] == false;
            group |= n["name"] == "TESTDOM" && n["suffix"] == "0x00" && n["group"] == true;
        }
    }
    EXPECT_TRUE(unique && group) << names.out;

    ASSERT_EQ(resolved.exitCode, 0) << resolved.err;
    auto r = json::parse(resolved.out);
    EXPECT_EQ(r["msg_type"], "direct_unique");
    EXPECT_EQ(r["destination"], lan.ip(kB) + ":138");
}
