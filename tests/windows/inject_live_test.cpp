// send and listen on Windows (under Wine in CI) against real receivers: ipcscope listen, and a
// small Win32 program (pipe server, mailslot, message-only window). Bytes are compared exactly.

#include "win_process.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <winsock2.h>
#include <windows.h>

#include <fstream>
#include <sstream>

using namespace ipcscope::test;
using json = nlohmann::json;

namespace {

WinRun send(std::vector<std::string> args) {
    args.insert(args.begin(), {IPCSCOPE_BIN, "send"});
    return runWin(args, 60000);
}

std::size_t lineCount(const std::string& s) {
    std::size_t n = 0;
    for (char c : s) n += c == '\n';
    return n;
}

json lastJson(const std::string& out) {
    std::istringstream in(out);
    std::string line, last;
    while (std::getline(in, line))
        if (!line.empty() && line != "\r") last = line;
    return json::parse(last, nullptr, false);
}

std::string tempFile(const std::string& name) {
    char dir[MAX_PATH] = {};
    GetTempPathA(MAX_PATH, dir);
    return std::string(dir) + name + ".hex";
}

/// Waits (10 s at most) for the file to have content, and returns it.
std::string waitForFile(const std::string& path) {
    for (int i = 0; i < 1000; ++i) {
        std::ifstream f(path, std::ios::binary);
        std::stringstream ss;
        ss << f.rdbuf();
        if (!ss.str().empty()) {
            Sleep(50);  // let the writer finish
            std::ifstream again(path, std::ios::binary);
            std::stringstream all;
            all << again.rdbuf();
            return all.str();
        }
        Sleep(10);
    }
    return {};
}

/// `ipcscope VERB ARGS` running next to the test (a listener, or a clipboard sender that holds
/// on); every wait on it is bounded.
class Background {
public:
    Background(const std::string& verb, std::vector<std::string> args) : m_child(withBin(verb, std::move(args))) {}
    /// Until the listener printed "listening on" (it created the endpoint), 30 s at most.
    bool listening() { return m_child.waitForOutput("ipcscope: listening on", 30000); }
    const WinRun& join() { return m_child.finish(60000); }

private:
    static std::vector<std::string> withBin(const std::string& verb, std::vector<std::string> args) {
        args.insert(args.begin(), {IPCSCOPE_BIN, verb});
        return args;
    }
    ChildProcess m_child;
};

bool waitForPipe(const std::string& name) {
    const std::string path = "\\\\.\\pipe\\" + name;
    for (int i = 0; i < 1000; ++i) {
        if (WaitNamedPipeA(path.c_str(), 1) || GetLastError() == ERROR_SEM_TIMEOUT) return true;
        Sleep(10);
    }
    return false;
}

bool waitForWindow(const std::string& cls) {
    for (int i = 0; i < 1000; ++i) {
        if (FindWindowExA(HWND_MESSAGE, nullptr, cls.c_str(), nullptr)) return true;
        Sleep(10);
    }
    return false;
}

bool waitForMailslot(const std::string& name) {
    const std::string path = "\\\\.\\mailslot\\" + name;
    for (int i = 0; i < 1000; ++i) {
        HANDLE h = CreateFileA(path.c_str(), GENERIC_WRITE, FILE_SHARE_READ, nullptr, OPEN_EXISTING, 0, nullptr);
        if (h != INVALID_HANDLE_VALUE) {
            CloseHandle(h);
            return true;
        }
        Sleep(10);
    }
    return false;
}

}  // namespace

TEST(InjectPipe, Win32PipeServerGetsTheMessage) {
    const std::string name = uniqueName();
    const std::string out = tempFile(name);
    HelperProcess server({"pipe-read", name, out});
    ASSERT_TRUE(server.ready()) << server.output();
    // The row `list` prints for the pipe carries the target that reaches it.
    auto list = runWin({IPCSCOPE_BIN, "list", "pipes", "--json"});
    ASSERT_EQ(list.exitCode, 0) << list.err;
    const json snap = json::parse(list.out, nullptr, false);
    std::string target;
    for (const auto& o : snap.value("objects", json::array()))
        if (o.value("kind", "") == "named-pipe" && o.value("name", "") == name) target = o.value("target", "");
    ASSERT_EQ(target, "\\\\.\\pipe\\" + name) << list.out.substr(0, 2000);
    auto r = send({target, "--hex", "68690001ff", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const json sent = lastJson(r.out);
    EXPECT_EQ(sent["bytes_written"], 5);
    EXPECT_EQ(sent["via"], "message mode");
    EXPECT_EQ(waitForFile(out), "68690001ff");
    DeleteFileA(out.c_str());
}

TEST(InjectPipe, ListenEchoesInBothModes) {
    for (const std::string mode : {"message", "byte"}) {
        const std::string name = uniqueName();
        Background l("listen", {"\\\\.\\pipe\\" + name, "--type", mode, "--echo", "--count", "2", "--seconds", "30", "--json"});
        ASSERT_TRUE(waitForPipe(name));
        auto r = send({"\\\\.\\pipe\\" + name, "--text", "ping " + mode, "--expect-reply", "--repeat", "2", "--json"});
        ASSERT_EQ(r.exitCode, 0) << mode << ": " << r.err;
        const json sent = lastJson(r.out);
        EXPECT_EQ(sent["seq"], 2);
        EXPECT_EQ(sent["via"], mode + " mode");
        EXPECT_EQ(sent["reply"]["text"], "ping " + mode);
        const WinRun& got = l.join();
        ASSERT_EQ(got.exitCode, 0) << got.err;
        const json last = lastJson(got.out);
        EXPECT_EQ(last["text"], "ping " + mode);
        EXPECT_EQ(last["echoed"], true);
        EXPECT_EQ(last["from"].get<std::string>().rfind("pid ", 0), 0u) << got.out;
        // The server is gone with the listener.
        EXPECT_FALSE(WaitNamedPipeA(("\\\\.\\pipe\\" + name).c_str(), 1));
    }
}

// The listener's last echo is still read by a client that reads only after the listener has
// exited: the server's end closes the pipe, it does not disconnect it (which drops unread bytes).
TEST(InjectPipe, TheLastEchoOutlivesTheListener) {
    const std::string name = uniqueName();
    const std::string path = "\\\\.\\pipe\\" + name;
    Background l("listen", {path, "--type", "message", "--echo", "--count", "1", "--seconds", "30", "--json"});
    ASSERT_TRUE(waitForPipe(name));
    HANDLE h = CreateFileA(path.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING, 0, nullptr);
    ASSERT_NE(h, INVALID_HANDLE_VALUE) << GetLastError();
    DWORD mode = PIPE_READMODE_MESSAGE;
    SetNamedPipeHandleState(h, &mode, nullptr, nullptr);
    DWORD n = 0;
    ASSERT_TRUE(WriteFile(h, "last word", 9, &n, nullptr)) << GetLastError();
    const WinRun& got = l.join();  // the listener echoed, printed and exited
    ASSERT_EQ(got.exitCode, 0) << got.err;
    EXPECT_EQ(lastJson(got.out)["echoed"], true) << got.out;
    char buf[64] = {};
    const BOOL read = ReadFile(h, buf, sizeof buf, &n, nullptr);
    const DWORD err = read ? 0 : GetLastError();
    EXPECT_TRUE(read) << "Win32 error " << err;
    EXPECT_EQ(std::string(buf, read ? n : 0), "last word");
    // After the echo, the pipe is closed.
    EXPECT_FALSE(ReadFile(h, buf, sizeof buf, &n, nullptr));
    EXPECT_EQ(GetLastError(), static_cast<DWORD>(ERROR_BROKEN_PIPE));
    CloseHandle(h);
}

TEST(InjectPipe, MissingAndBusyPipesFailWithinTheTimeout) {
    auto missing = send({"\\\\.\\pipe\\" + uniqueName(), "--text", "x"});
    EXPECT_EQ(missing.exitCode, 1);
    EXPECT_EQ(lineCount(missing.err), 1u) << missing.err;
    EXPECT_NE(missing.err.find("does not exist"), std::string::npos) << missing.err;

    // A one-instance server whose only instance this test holds: the pipe refuses new clients.
    const std::string name = uniqueName();
    Background l("listen", {"\\\\.\\pipe\\" + name, "--seconds", "6"});
    ASSERT_TRUE(waitForPipe(name));
    HANDLE holder = CreateFileA(("\\\\.\\pipe\\" + name).c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING, 0, nullptr);
    ASSERT_NE(holder, INVALID_HANDLE_VALUE);
    const DWORD start = GetTickCount();
    auto busy = send({"\\\\.\\pipe\\" + name, "--text", "x", "--timeout", "500"});
    const DWORD took = GetTickCount() - start;
    CloseHandle(holder);
    EXPECT_EQ(busy.exitCode, 1) << busy.out;
    EXPECT_EQ(lineCount(busy.err), 1u) << busy.err;
    EXPECT_NE(busy.err.find("refused"), std::string::npos) << busy.err;
    EXPECT_LT(took, 5000u);
    l.join();
}

TEST(InjectMailslot, Win32AndListenReceiversGetTheMessage) {
    const std::string name = uniqueName();
    const std::string out = tempFile(name);
    HelperProcess reader({"mailslot-read", name, out});
    ASSERT_TRUE(reader.ready()) << reader.output();
    auto r = send({"\\\\.\\mailslot\\" + name, "--hex", "00ff10"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(waitForFile(out), "00ff10");
    DeleteFileA(out.c_str());

    const std::string name2 = uniqueName();
    Background l("listen", {"\\\\.\\mailslot\\" + name2, "--count", "1", "--seconds", "30", "--json"});
    ASSERT_TRUE(waitForMailslot(name2));
    auto r2 = send({"\\\\.\\mailslot\\" + name2, "--text", "slot text"});
    ASSERT_EQ(r2.exitCode, 0) << r2.err;
    const WinRun& got = l.join();
    ASSERT_EQ(got.exitCode, 0) << got.err;
    EXPECT_EQ(lastJson(got.out)["text"], "slot text");
}

TEST(InjectCopyData, Win32WindowGetsTheBytesAndDwData) {
    const std::string cls = "ipcscope-cd-" + uniqueName();
    const std::string out = tempFile(cls);
    HelperProcess window({"copydata-read", cls, out});
    ASSERT_TRUE(window.ready()) << window.output();
    auto r = send({"copydata:" + cls, "--hex", "0102037f", "--dwdata", "77", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(lastJson(r.out)["via"], "WM_COPYDATA, result 42");
    EXPECT_EQ(waitForFile(out), "0102037f\n77");
    DeleteFileA(out.c_str());
}

TEST(InjectCopyData, ListenEchoesAndMissingOrSilentWindowsFail) {
    const std::string cls = "ipcscope-cdl-" + uniqueName();
    Background l("listen", {"copydata:" + cls, "--echo", "--count", "1", "--seconds", "30", "--json"});
    // Started under Wine on a busy machine, the listener can take seconds: its own word first.
    ASSERT_TRUE(l.listening()) << l.join().err;
    ASSERT_TRUE(waitForWindow(cls)) << "the listener is listening, but no message-only window of class " << cls;
    // The handle form, as a window row's target prints it.
    std::ostringstream handle;
    handle << "copydata:0x" << std::hex << reinterpret_cast<std::uintptr_t>(FindWindowExA(HWND_MESSAGE, nullptr, cls.c_str(), nullptr));
    auto r = send({handle.str(), "--text", "window ping", "--expect-reply", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(lastJson(r.out)["reply"]["text"], "window ping");
    const WinRun& got = l.join();
    ASSERT_EQ(got.exitCode, 0) << got.err;
    EXPECT_EQ(lastJson(got.out)["echoed"], true);

    auto missing = send({"copydata:NoSuchWindowClass-" + uniqueName(), "--text", "x"});
    EXPECT_EQ(missing.exitCode, 1);
    EXPECT_EQ(lineCount(missing.err), 1u) << missing.err;
    EXPECT_NE(missing.err.find("no window"), std::string::npos) << missing.err;

    // A window whose thread never pumps messages: SendMessageTimeout gives up.
    const std::string silent = "ipcscope-silent-" + uniqueName();
    WNDCLASSA wc{};
    wc.lpfnWndProc = DefWindowProcA;
    wc.hInstance = GetModuleHandleA(nullptr);
    wc.lpszClassName = silent.c_str();
    ASSERT_TRUE(RegisterClassA(&wc));
    HWND w = CreateWindowExA(0, silent.c_str(), "", 0, 0, 0, 0, 0, HWND_MESSAGE, nullptr, wc.hInstance, nullptr);
    ASSERT_NE(w, nullptr);
    const DWORD start = GetTickCount();
    auto hung = send({"copydata:" + silent, "--text", "x", "--timeout", "700"});
    const DWORD took = GetTickCount() - start;
    DestroyWindow(w);
    EXPECT_EQ(hung.exitCode, 1) << hung.out;
    EXPECT_NE(hung.err.find("did not answer"), std::string::npos) << hung.err;
    EXPECT_LT(took, 10000u);
}

TEST(InjectInet, TcpAndUdpEchoOnLoopback) {
    for (const std::string proto : {"tcp", "udp"}) {
        // A fixed loopback port per protocol and process keeps parallel runs apart.
        const std::string target = proto + ":127.0.0.1:" + std::to_string(20000 + GetCurrentProcessId() % 20000);
        Background l("listen", {target, "--echo", "--count", "1", "--seconds", "30", "--json"});
        ASSERT_TRUE(l.listening()) << l.join().err;
        auto r = send({target, "--hex", "cafe", "--expect-reply", "--reply-bytes", "2", "--json"});
        ASSERT_EQ(r.exitCode, 0) << proto << ": " << r.err;
        EXPECT_EQ(lastJson(r.out)["reply"]["hex"], "cafe");
        const WinRun& got = l.join();
        ASSERT_EQ(got.exitCode, 0) << got.err;
        EXPECT_EQ(lastJson(got.out)["hex"], "cafe");
    }
}

// Winsock receivers in this process (not ipcscope) get exactly the bytes.
TEST(InjectInet, Win32SocketsGetTheBytes) {
    WSADATA wsa;
    ASSERT_EQ(WSAStartup(MAKEWORD(2, 2), &wsa), 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int len = sizeof addr;
    // Every wait is bounded: select for 10 s before each accept and recv.
    const auto readable = [](SOCKET s) {
        fd_set set;
        FD_ZERO(&set);
        FD_SET(s, &set);
        timeval tv{10, 0};
        return select(0, &set, nullptr, nullptr, &tv) == 1;
    };
    const auto recvWithin = [&](SOCKET s, char* buf, int size) { return readable(s) ? recv(s, buf, size, 0) : -1; };

    SOCKET udp = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    ASSERT_EQ(bind(udp, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(getsockname(udp, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    auto u = send({"udp:127.0.0.1:" + std::to_string(ntohs(addr.sin_port)), "--hex", "00ff7564700a"});
    ASSERT_EQ(u.exitCode, 0) << u.err;
    char buf[64] = {};
    EXPECT_EQ(recvWithin(udp, buf, sizeof buf), 6);
    EXPECT_EQ(std::string(buf, 6), std::string("\0\xffudp\n", 6));
    closesocket(udp);

    SOCKET server = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    addr.sin_port = 0;
    ASSERT_EQ(bind(server, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(listen(server, 1), 0);
    len = sizeof addr;
    ASSERT_EQ(getsockname(server, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    auto t = send({"tcp:127.0.0.1:" + std::to_string(ntohs(addr.sin_port)), "--hex", "00ff7463700a"});
    ASSERT_EQ(t.exitCode, 0) << t.err;
    ASSERT_TRUE(readable(server));
    SOCKET conn = accept(server, nullptr, nullptr);
    ASSERT_NE(conn, INVALID_SOCKET);
    std::string got;
    for (int n; got.size() < 6 && (n = recvWithin(conn, buf, sizeof buf)) > 0;) got.append(buf, static_cast<std::size_t>(n));
    EXPECT_EQ(got, std::string("\0\xfftcp\n", 6));
    closesocket(conn);
    closesocket(server);
    WSACleanup();
}

TEST(InjectDde, Win32ServerGetsThePoke) {
    const std::string service = "ipcscope-dde-" + uniqueName();
    const std::string out = tempFile(service);
    HelperProcess server({"dde-read", service, "topic", out});
    ASSERT_TRUE(server.ready()) << server.output();
    auto r = send({"dde:" + service + "|topic!item1", "--hex", "706f6b6500ff", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(lastJson(r.out)["via"], "DDE poke");
    EXPECT_EQ(waitForFile(out), "706f6b6500ff\nitem1");
    DeleteFileA(out.c_str());
}

TEST(InjectDde, ListenTakesPokeAndExecuteAndEchoes) {
    const std::string service = "ipcscope-ddel-" + uniqueName();
    Background l("listen", {"dde:" + service + "|topic", "--echo", "--count", "2", "--seconds", "30", "--json"});
    ASSERT_TRUE(l.listening()) << l.join().err;
    auto poke = send({"dde:" + service + "|topic!value", "--hex", "706f6b656400ff", "--expect-reply", "--timeout", "5000", "--json"});
    ASSERT_EQ(poke.exitCode, 0) << poke.err;
    EXPECT_EQ(lastJson(poke.out)["via"], "DDE poke");
    EXPECT_EQ(lastJson(poke.out)["reply"]["hex"], "706f6b656400ff");
    auto exec = send({"dde:" + service + "|topic", "--execute", "--text", "[open(\"x\")]", "--json"});
    ASSERT_EQ(exec.exitCode, 0) << exec.err;
    EXPECT_EQ(lastJson(exec.out)["via"], "DDE execute");
    const WinRun& got = l.join();
    ASSERT_EQ(got.exitCode, 0) << got.err;
    std::istringstream lines(got.out);
    std::string first, second;
    std::getline(lines, first);
    std::getline(lines, second);
    const json p = json::parse(first, nullptr, false), e = json::parse(second, nullptr, false);
    EXPECT_EQ(p["hex"], "706f6b656400ff") << got.out;
    EXPECT_EQ(p["echoed"], true);
    EXPECT_EQ(p["from"].get<std::string>().rfind("poke value", 0), 0u) << got.out;
    EXPECT_EQ(e["seq"], 2) << got.out;
    EXPECT_EQ(e["hex"], "5b6f70656e28227822295d") << got.out;  // [open("x")], without the NUL
    EXPECT_EQ(e["from"].get<std::string>().rfind("execute", 0), 0u) << got.out;
}

TEST(InjectDde, MissingServiceAndBadFormsFail) {
    const DWORD start = GetTickCount();
    auto missing = send({"dde:ipcscope-no-such-" + uniqueName() + "|topic!x", "--text", "x", "--timeout", "1000"});
    EXPECT_EQ(missing.exitCode, 1);
    EXPECT_EQ(lineCount(missing.err), 1u) << missing.err;
    EXPECT_NE(missing.err.find("no DDE server answers"), std::string::npos) << missing.err;
    EXPECT_LT(GetTickCount() - start, 10000u);
    auto noItem = send({"dde:some|topic", "--text", "x"});
    EXPECT_EQ(noItem.exitCode, 2) << noItem.err;
    EXPECT_NE(noItem.err.find("needs an item"), std::string::npos) << noItem.err;
}

namespace {

/// Empties the clipboard as this process (not ipcscope): a new owner for whoever held it.
bool takeClipboard() {
    for (int i = 0; i < 250; ++i) {
        if (OpenClipboard(nullptr)) {
            EmptyClipboard();
            CloseClipboard();
            return true;
        }
        Sleep(20);
    }
    return false;
}

bool waitForClipboardFormat(UINT id) {
    for (int i = 0; i < 3000; ++i) {
        if (IsClipboardFormatAvailable(id)) return true;
        Sleep(10);
    }
    return false;
}

/// The clipboard's data in FORMAT as hex, read by the helper (a Win32 program, not ipcscope).
std::string readClipboard(const std::string& format) {
    auto r = runWin({IPCSCOPE_WIN_HELPER, "clipboard-read", format}, 30000);
    std::string hex = r.out;
    while (!hex.empty() && (hex.back() == '\n' || hex.back() == '\r')) hex.pop_back();
    return r.exitCode == 0 ? hex : "exit " + std::to_string(r.exitCode) + ": " + r.out;
}

}  // namespace

// The sender owns the clipboard and serves the data until another program empties it.
TEST(InjectClipboard, UnicodeTextReachesAWin32ReaderUntilAnotherOwner) {
    ASSERT_TRUE(takeClipboard());
    Background sender("send", {"clipboard:CF_UNICODETEXT", "--text", "h\xc3\xa9llo clip", "--seconds", "30", "--json"});
    ASSERT_TRUE(waitForClipboardFormat(CF_UNICODETEXT)) << sender.join().err;
    // UTF-16LE with the terminating NUL a CF_UNICODETEXT reader expects.
    EXPECT_EQ(readClipboard("CF_UNICODETEXT"), "6800e9006c006c006f00200063006c00690070000000");
    const DWORD start = GetTickCount();
    ASSERT_TRUE(takeClipboard());
    const WinRun& r = sender.join();
    EXPECT_LT(GetTickCount() - start, 10000u) << "send kept the clipboard after another owner took it" << r.err;
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const json sent = lastJson(r.out);
    EXPECT_EQ(sent["bytes_written"], 22);
    EXPECT_EQ(sent["via"], "clipboard format 13, then another owner took it");
}

// A registered format by name carries the bytes exactly; the sender holds on until --seconds passes.
TEST(InjectClipboard, RegisteredFormatIsServedForSeconds) {
    ASSERT_TRUE(takeClipboard());
    const std::string name = "ipcscope-format-" + uniqueName();
    const UINT id = RegisterClipboardFormatA(name.c_str());
    ASSERT_NE(id, 0u);
    const DWORD start = GetTickCount();
    Background sender("send", {"clipboard:" + name, "--hex", "00ff0102", "--seconds", "2", "--json"});
    ASSERT_TRUE(waitForClipboardFormat(id)) << sender.join().err;
    EXPECT_EQ(readClipboard(name), "00ff0102");
    const WinRun& r = sender.join();
    const DWORD took = GetTickCount() - start;
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_GE(took, 1900u);
    EXPECT_LT(took, 15000u);
    const json sent = lastJson(r.out);
    EXPECT_EQ(sent["bytes_written"], 4);
    EXPECT_EQ(sent["via"], "clipboard format " + std::to_string(id));
    // The data outlives the sender, as on Windows.
    EXPECT_EQ(readClipboard(name), "00ff0102");

    auto gdi = send({"clipboard:CF_BITMAP", "--text", "x"});
    EXPECT_EQ(gdi.exitCode, 2);
    EXPECT_NE(gdi.err.find("GDI handle"), std::string::npos) << gdi.err;
    auto reply = send({"clipboard:CF_TEXT", "--text", "x", "--expect-reply"});
    EXPECT_EQ(reply.exitCode, 2);
    EXPECT_EQ(lineCount(reply.err), 1u) << reply.err;
}
