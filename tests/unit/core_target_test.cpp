// The TARGET grammar of send/listen, the target form of snapshot rows, and message formatting.

#include "core/message.h"
#include "core/target.h"

#include <gtest/gtest.h>

using namespace ipcscope::core;

namespace {
Target parsed(std::string_view text) {
    auto t = parseTarget(text);
    EXPECT_TRUE(t.ok()) << text << ": " << (t.ok() ? "" : t.error().message());
    return t.ok() ? *t : Target{};
}
std::string errorOf(std::string_view text) {
    auto t = parseTarget(text);
    EXPECT_FALSE(t.ok()) << text;
    if (t.ok()) return {};
    EXPECT_EQ(t.error().code, Errc::InvalidArgument);
    return t.error().message();
}
}  // namespace

TEST(Target, ParsesEveryForm) {
    Target f = parsed("fifo:/tmp/a b");
    EXPECT_EQ(f.kind, TargetKind::Fifo);
    EXPECT_EQ(f.name, "/tmp/a b");

    Target u = parsed("unix:/run/x.sock");
    EXPECT_EQ(u.kind, TargetKind::Unix);
    EXPECT_FALSE(u.abstract);
    EXPECT_EQ(u.name, "/run/x.sock");
    Target ua = parsed("UNIX:@dbus-x");
    EXPECT_TRUE(ua.abstract);
    EXPECT_EQ(ua.name, "dbus-x");

    Target tcp = parsed("tcp:127.0.0.1:8080");
    EXPECT_EQ(tcp.kind, TargetKind::Tcp);
    EXPECT_EQ(tcp.host, "127.0.0.1");
    EXPECT_EQ(tcp.port, 8080);
    Target v6 = parsed("udp:[::1]:53");
    EXPECT_EQ(v6.kind, TargetKind::Udp);
    EXPECT_EQ(v6.host, "::1");
    EXPECT_EQ(v6.port, 53);
    EXPECT_EQ(parsed("tcp:localhost:0").port, 0);

    Target pipe = parsed("\\\\.\\pipe\\my pipe");
    EXPECT_EQ(pipe.kind, TargetKind::NamedPipe);
    EXPECT_EQ(pipe.host, ".");
    EXPECT_EQ(pipe.name, "my pipe");
    EXPECT_EQ(parsed("\\\\HOSTB\\PIPE\\x").host, "HOSTB");

    Target slot = parsed("\\\\*\\mailslot\\test");
    EXPECT_EQ(slot.kind, TargetKind::Mailslot);
    EXPECT_EQ(slot.host, "*");
    EXPECT_EQ(slot.name, "test");
    EXPECT_EQ(parsed("\\\\.\\MAILSLOT\\a\\b").name, "a\\b");

    Target clip = parsed("clipboard:text/plain;charset=utf-8");
    EXPECT_EQ(clip.kind, TargetKind::Clipboard);
    EXPECT_EQ(clip.name, "text/plain;charset=utf-8");

    Target cdHandle = parsed("copydata:0x1A2b");
    EXPECT_EQ(cdHandle.kind, TargetKind::CopyData);
    ASSERT_TRUE(cdHandle.handle);
    EXPECT_EQ(*cdHandle.handle, 0x1a2bu);
    Target cdClass = parsed("copydata:MyWindowClass");
    EXPECT_FALSE(cdClass.handle);
    EXPECT_EQ(cdClass.name, "MyWindowClass");

    Target poke = parsed("dde:Srv|Topic!Item");
    EXPECT_EQ(poke.kind, TargetKind::Dde);
    EXPECT_EQ(poke.name, "Srv");
    EXPECT_EQ(poke.topic, "Topic");
    EXPECT_EQ(poke.item, "Item");
    Target exec = parsed("dde:Srv|System");
    EXPECT_TRUE(exec.item.empty());
}

TEST(Target, FormatRoundTrips) {
    for (std::string_view text :
         {"fifo:/tmp/f", "unix:/run/s", "unix:@abs", "tcp:127.0.0.1:80", "udp:[::1]:5353", "clipboard:CF_TEXT",
          "copydata:0x10", "copydata:Class Name", "dde:S|T!I", "dde:S|T", "\\\\.\\pipe\\p", "\\\\*\\mailslot\\m"}) {
        const Target t = parsed(text);
        EXPECT_EQ(formatTarget(t), text);
        auto again = parseTarget(formatTarget(t));
        ASSERT_TRUE(again.ok());
        EXPECT_EQ(*again, t);
    }
}

TEST(Target, BadInputSaysWhatIsAccepted) {
    EXPECT_NE(errorOf("").find("fifo:PATH"), std::string::npos);
    EXPECT_NE(errorOf("ftp:x").find("unknown target 'ftp:x'"), std::string::npos);
    EXPECT_NE(errorOf("/tmp/f").find("unix:PATH"), std::string::npos);
    EXPECT_NE(errorOf("fifo:").find("path is empty"), std::string::npos);
    EXPECT_NE(errorOf("unix:@").find("abstract name"), std::string::npos);
    EXPECT_NE(errorOf("tcp:127.0.0.1").find("HOST:PORT"), std::string::npos);
    EXPECT_NE(errorOf("tcp:127.0.0.1:65536").find("0 to 65535"), std::string::npos);
    EXPECT_NE(errorOf("tcp:127.0.0.1:8x").find("0 to 65535"), std::string::npos);
    EXPECT_NE(errorOf("tcp::80").find("host is empty"), std::string::npos);
    EXPECT_NE(errorOf("udp:::1:53").find("[ADDRESS]:PORT"), std::string::npos);
    EXPECT_NE(errorOf("udp:[::1]53").find("[ADDRESS]:PORT"), std::string::npos);
    EXPECT_NE(errorOf("\\\\.\\pipes\\x").find("\\\\HOST\\pipe\\NAME"), std::string::npos);
    EXPECT_NE(errorOf("\\\\.\\pipe\\").find("\\\\HOST\\pipe\\NAME"), std::string::npos);
    EXPECT_NE(errorOf("copydata:0xZZ").find("0x followed by hex"), std::string::npos);
    EXPECT_NE(errorOf("dde:Service").find("SERVICE|TOPIC"), std::string::npos);
    EXPECT_NE(errorOf("dde:S|T!").find("item"), std::string::npos);
    EXPECT_NE(errorOf("dde:|T").find("must not be empty"), std::string::npos);
}

TEST(Target, RowsThatTakeMessagesHaveATarget) {
    IpcObject fifo{Kind::Fifo, "/tmp/f"};
    EXPECT_EQ(targetOf(fifo), "fifo:/tmp/f");
    IpcObject anon{Kind::AnonPipe, "pipe:[123]"};
    EXPECT_FALSE(targetOf(anon));
    IpcObject unnamed{Kind::UnixSocket, "socket:[99]"};
    EXPECT_FALSE(targetOf(unnamed));
    IpcObject abs{Kind::UnixSocket, "@bus"};
    EXPECT_EQ(targetOf(abs), "unix:@bus");

    IpcObject listener{Kind::TcpSocket, "0.0.0.0:22"};
    listener.details = {{"local", "0.0.0.0:22"}, {"state", "listen"}};
    EXPECT_EQ(targetOf(listener), "tcp:0.0.0.0:22");
    IpcObject connected{Kind::TcpSocket, "127.0.0.1:22 -> 127.0.0.1:40000"};
    connected.details = {{"local", "127.0.0.1:22"}, {"state", "established"}};
    EXPECT_FALSE(targetOf(connected));
    IpcObject udp{Kind::UdpSocket, "[::]:5353"};
    udp.details = {{"local", "[::]:5353"}, {"remote", "[::]:0"}};
    EXPECT_EQ(targetOf(udp), "udp:[::]:5353");
    IpcObject udpConnected{Kind::UdpSocket, "127.0.0.1:5000 -> 127.0.0.1:53"};
    udpConnected.details = {{"local", "127.0.0.1:5000"}};
    EXPECT_FALSE(targetOf(udpConnected));

    EXPECT_EQ(targetOf(IpcObject{Kind::NamedPipe, "demo"}), "\\\\.\\pipe\\demo");
    EXPECT_EQ(targetOf(IpcObject{Kind::Mailslot, "slot"}), "\\\\.\\mailslot\\slot");
    IpcObject x11{Kind::ClipboardFormat, "CLIPBOARD text/plain"};
    x11.details = {{"selection", "CLIPBOARD"}};
    EXPECT_EQ(targetOf(x11), "clipboard:text/plain");
    x11.details = {{"selection", "PRIMARY"}};
    EXPECT_FALSE(targetOf(x11));
    EXPECT_EQ(targetOf(IpcObject{Kind::ClipboardFormat, "CF_UNICODETEXT"}), "clipboard:CF_UNICODETEXT");
    IpcObject window{Kind::Window, "Cls \"Title\""};
    window.details = {{"hwnd", "0x10062"}};
    EXPECT_EQ(targetOf(window), "copydata:0x10062");
    IpcObject dde{Kind::DdeServer, "Srv|Topic"};
    dde.details = {{"service", "Srv"}, {"topic", "Topic"}};
    EXPECT_EQ(targetOf(dde), "dde:Srv|Topic");
    EXPECT_FALSE(targetOf(IpcObject{Kind::PosixShm, "/dev/shm/x"}));

    // Every target a row prints parses back.
    for (const IpcObject* o : {&fifo, &abs, &listener, &udp, &window, &dde})
        EXPECT_TRUE(parseTarget(*targetOf(*o)).ok()) << o->name;
}

TEST(Message, SentAndReceivedRecords) {
    SentRecord s{"fifo:/tmp/f", 2, 5, std::chrono::microseconds(1250), "fifo", std::nullopt};
    EXPECT_EQ(renderLine(s), "sent 5 bytes to fifo:/tmp/f in 1.25 ms (fifo)");
    EXPECT_EQ(toJson(s).dump(),
              R"({"target":"fifo:/tmp/f","seq":2,"bytes_written":5,"elapsed_ms":1.25,"via":"fifo","reply":null})");
    s.reply = std::vector<std::uint8_t>{'o', 'k', 0x00, '\\'};
    EXPECT_EQ(renderLine(s), "sent 5 bytes to fifo:/tmp/f in 1.25 ms (fifo); reply 4 bytes: ok\\x00\\\\ (6f6b005c)");
    EXPECT_EQ(toJson(s)["reply"].dump(), R"({"size":4,"hex":"6f6b005c","text":"ok\\x00\\\\"})");

    ReceivedRecord r{"udp:127.0.0.1:9", 1, std::chrono::system_clock::time_point(std::chrono::milliseconds(1764151200123)),
                     "127.0.0.1:4000", {'h', 'i', '\n'}, true};
    EXPECT_EQ(renderLine(r), "10:00:00.123 #1 3 bytes from 127.0.0.1:4000: hi\\x0a (68690a) [echoed]");
    EXPECT_EQ(toJson(r).dump(), R"({"time":"2025-11-26T10:00:00.123Z","endpoint":"udp:127.0.0.1:9","seq":1,)"
                                R"("from":"127.0.0.1:4000","size":3,"hex":"68690a","text":"hi\\x0a","echoed":true})");
}
