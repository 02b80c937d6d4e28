// send and listen on Linux against real receivers: ipcscope listen, cat on a FIFO, Python
// sockets. Every byte a receiver got is compared; failures must exit 1 within the timeout.

#include "test_util.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <sstream>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <thread>

using namespace ipcscope::test;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

std::string readAll(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

bool exists(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0;
}

std::size_t lineCount(const std::string& s) {
    std::size_t n = 0;
    for (char c : s) n += c == '\n';
    return n;
}

/// A shell command in the background, stdout and stderr to files; SIGTERM at the end.
class Background {
public:
    Background(const std::string& dir, const std::string& command)
        : m_out(dir + "/bg" + std::to_string(++s_count) + ".out"), m_err(dir + "/bg" + std::to_string(s_count) + ".err") {
        m_pid = ::fork();
        if (m_pid == 0) {
            ::execl("/bin/sh", "sh", "-c", ("exec " + command + " >" + m_out + " 2>" + m_err + " </dev/null").c_str(), nullptr);
            ::_exit(127);
        }
    }
    ~Background() { stop(SIGTERM); }
    /// Sends `sig` and waits (at most 10 s) for the exit; returns the exit code or -1.
    int stop(int sig) {
        if (m_pid <= 0) return m_status;
        ::kill(m_pid, sig);
        return wait(10);
    }
    /// Waits for the process to exit on its own; -1 on timeout (then kills it).
    int wait(int seconds) {
        if (m_pid <= 0) return m_status;
        const auto deadline = Clock::now() + std::chrono::seconds(seconds);
        int st = 0;
        while (::waitpid(m_pid, &st, WNOHANG) == 0) {
            if (Clock::now() > deadline) {
                ::kill(m_pid, SIGKILL);
                ::waitpid(m_pid, &st, 0);
                m_pid = -1;
                return m_status = -1;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        m_pid = -1;
        return m_status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    }
    [[nodiscard]] std::string out() const { return readAll(m_out); }
    [[nodiscard]] std::string err() const { return readAll(m_err); }
    /// Waits until stderr contains `text` (listen prints "listening on TARGET").
    bool waitForErr(const std::string& text, int seconds = 10) const {
        const auto deadline = Clock::now() + std::chrono::seconds(seconds);
        while (Clock::now() < deadline) {
            if (err().find(text) != std::string::npos) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return false;
    }
    /// The endpoint from "ipcscope: listening on TARGET".
    std::string endpoint() const {
        if (!waitForErr("listening on ")) return {};
        const std::string e = err();
        const auto at = e.find("listening on ") + 13;
        return e.substr(at, e.find('\n', at) - at);
    }

private:
    static inline int s_count = 0;
    pid_t m_pid = -1;
    int m_status = -1;
    std::string m_out, m_err;
};

CmdResult send(std::vector<std::string> args) {
    args.insert(args.begin(), {IPCSCOPE_BIN, "send"});
    return runCmd(args, 30);
}

json lastJson(const std::string& out) {
    std::istringstream in(out);
    std::string line, last;
    while (std::getline(in, line))
        if (!line.empty()) last = line;
    return json::parse(last, nullptr, false);
}

std::string listen(const std::string& args) { return std::string(IPCSCOPE_BIN) + " listen " + args; }

}  // namespace

TEST(InjectFifo, CatReadsExactlyTheBytes) {
    TempDir dir;
    const std::string fifo = dir.path() + "/f";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    Background cat(dir.path(), "cat " + fifo);
    auto r = send({"fifo:" + fifo, "--hex", "68656c6c6f00ff0a"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("sent 8 bytes to fifo:" + fifo), std::string::npos) << r.out;
    ASSERT_EQ(cat.wait(10), 0);  // cat sees EOF once send closed its end
    EXPECT_EQ(cat.out(), std::string("hello\0\xff\n", 8));
}

// --file and --stdin carry the bytes unchanged (a NUL, 0xff, a newline); a file that cannot be
// read is one sentence and exit 1.
TEST(InjectFifo, FileAndStdinCarryTheBytes) {
    TempDir dir;
    const std::string fifo = dir.path() + "/fs";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    const std::string file = dir.path() + "/msg.bin";
    const std::string bytes("\0file\xff\n", 7);
    std::ofstream(file, std::ios::binary) << bytes;
    {
        Background cat(dir.path(), "cat " + fifo);
        auto r = send({"fifo:" + fifo, "--file", file, "--json"});
        ASSERT_EQ(r.exitCode, 0) << r.err;
        EXPECT_EQ(lastJson(r.out)["bytes_written"], 7);
        ASSERT_EQ(cat.wait(10), 0);
        EXPECT_EQ(cat.out(), bytes);
    }
    {
        Background cat(dir.path(), "cat " + fifo);
        auto r = runCmd({"sh", "-c", std::string(IPCSCOPE_BIN) + " send fifo:" + fifo + " --stdin < " + file}, 30);
        ASSERT_EQ(r.exitCode, 0) << r.err;
        ASSERT_EQ(cat.wait(10), 0);
        EXPECT_EQ(cat.out(), bytes);
    }
    auto missing = send({"fifo:" + fifo, "--file", dir.path() + "/none.bin"});
    EXPECT_EQ(missing.exitCode, 1);
    EXPECT_EQ(lineCount(missing.err), 1u) << missing.err;
    EXPECT_NE(missing.err.find("cannot read"), std::string::npos) << missing.err;
}

TEST(InjectFifo, ListenReceivesAndRemovesTheFifo) {
    TempDir dir;
    const std::string fifo = dir.path() + "/lf";
    Background l(dir.path(), listen("fifo:" + fifo + " --count 1 --json"));
    ASSERT_EQ(l.endpoint(), "fifo:" + fifo) << l.err();
    auto r = send({"fifo:" + fifo, "--text", "from send", "--json"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const json sent = json::parse(r.out);
    EXPECT_EQ(sent["bytes_written"], 9);
    EXPECT_EQ(sent["target"], "fifo:" + fifo);
    EXPECT_TRUE(sent["reply"].is_null());
    ASSERT_EQ(l.wait(10), 0) << l.err();
    const json got = json::parse(l.out());
    EXPECT_EQ(got["hex"], "66726f6d2073656e64");
    EXPECT_EQ(got["text"], "from send");
    EXPECT_FALSE(exists(fifo)) << "listen leaves the FIFO behind";
}

TEST(InjectFifo, NoReaderFailsWithinTheTimeout) {
    TempDir dir;
    const std::string fifo = dir.path() + "/noreader";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    const auto start = Clock::now();
    auto r = send({"fifo:" + fifo, "--text", "x", "--timeout", "400"});
    const auto took = Clock::now() - start;
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_EQ(lineCount(r.err), 1u) << r.err;
    EXPECT_NE(r.err.find("has no reader"), std::string::npos) << r.err;
    EXPECT_GE(took, std::chrono::milliseconds(350));
    EXPECT_LT(took, std::chrono::seconds(4));
    auto reply = send({"fifo:" + fifo, "--text", "x", "--expect-reply"});
    EXPECT_EQ(reply.exitCode, 2) << reply.err;
    EXPECT_NE(reply.err.find("no way back"), std::string::npos) << reply.err;
}

TEST(InjectErrors, MissingTargetsAreOneSentenceAndExitOne) {
    TempDir dir;
    for (const std::string& t : {"fifo:" + dir.path() + "/none", "unix:" + dir.path() + "/none.sock",
                                 std::string("unix:@ipcscope-none-") + std::to_string(::getpid()), std::string("tcp:127.0.0.1:1")}) {
        auto r = send({t, "--text", "x", "--timeout", "2000"});
        EXPECT_EQ(r.exitCode, 1) << t << ": " << r.err;
        EXPECT_EQ(lineCount(r.err), 1u) << r.err;
        EXPECT_EQ(r.err.rfind("ipcscope: ", 0), 0u) << r.err;
        EXPECT_TRUE(r.out.empty()) << r.out;
    }
    auto bad = send({"nonsense", "--text", "x"});
    EXPECT_EQ(bad.exitCode, 2);
    EXPECT_NE(bad.err.find("fifo:PATH"), std::string::npos) << bad.err;
    auto copydata = send({"copydata:SomeWindow", "--text", "x"});
    EXPECT_EQ(copydata.exitCode, 1);
    EXPECT_NE(copydata.err.find("not supported on linux"), std::string::npos) << copydata.err;
}

TEST(InjectUnix, EveryTypeIsDetectedAndEchoes) {
    TempDir dir;
    for (const std::string type : {"stream", "dgram", "seqpacket"}) {
        for (bool abstractName : {false, true}) {
            const std::string target = abstractName ? "unix:@ipcscope-test-" + std::to_string(::getpid()) + "-" + type
                                                    : "unix:" + dir.path() + "/" + type + ".sock";
            Background l(dir.path(), listen("'" + target + "' --type " + type + " --echo --count 2 --json"));
            ASSERT_EQ(l.endpoint(), target) << l.err();
            auto r = send({target, "--text", "ping " + type, "--expect-reply", "--repeat", "2", "--json"});
            ASSERT_EQ(r.exitCode, 0) << type << ": " << r.err;
            const json sent = lastJson(r.out);
            EXPECT_EQ(sent["seq"], 2);
            EXPECT_EQ(sent["via"], "unix " + std::string(type == "dgram" ? "datagram" : type));
            EXPECT_EQ(sent["reply"]["text"], "ping " + type);
            ASSERT_EQ(l.wait(10), 0) << l.err();
            const json got = lastJson(l.out());
            EXPECT_EQ(got["text"], "ping " + type);
            EXPECT_EQ(got["echoed"], true);
            if (!abstractName) {
                EXPECT_FALSE(exists(target.substr(5))) << "listen leaves the socket path behind";
            }
        }
    }
}

TEST(InjectUnix, PythonDatagramReceiverGetsTheBytes) {
    TempDir dir;
    const std::string path = dir.path() + "/py.sock";
    const std::string script = "import socket,sys\n"
                               "s=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM)\n"
                               "s.bind(sys.argv[1]); print('ready',flush=True); s.settimeout(10)\n"
                               "sys.stdout.write(s.recv(4096).hex()); sys.stdout.flush()\n";
    std::ofstream(dir.path() + "/recv.py") << script;
    Background py(dir.path(), "python3 " + dir.path() + "/recv.py " + path);
    for (int i = 0; i < 500 && !exists(path); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    auto r = send({"unix:" + path, "--hex", "00010203fe"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("(unix datagram)"), std::string::npos) << r.out;
    ASSERT_EQ(py.wait(10), 0) << py.err();
    EXPECT_EQ(py.out(), "ready\n00010203fe");
}

TEST(InjectUnix, FullDatagramQueueFailsWithinTheTimeout) {
    TempDir dir;
    const std::string path = dir.path() + "/full.sock";
    // A bound datagram socket nobody reads: its queue holds net.unix.max_dgram_qlen datagrams.
    const int fd = ::socket(AF_UNIX, SOCK_DGRAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path.c_str());
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
    const auto start = Clock::now();
    auto r = send({"unix:" + path, "--text", "fill", "--repeat", "5000", "--timeout", "300"});
    const auto took = Clock::now() - start;
    ::close(fd);
    EXPECT_EQ(r.exitCode, 1) << r.out;
    EXPECT_EQ(lineCount(r.err), 1u) << r.err;
    EXPECT_NE(r.err.find("stayed full for 300 ms"), std::string::npos) << r.err;
    EXPECT_GE(lineCount(r.out), 1u);  // the queue took some before it filled
    EXPECT_LT(lineCount(r.out), 5000u);
    EXPECT_LT(took, std::chrono::seconds(5));
}

TEST(InjectInet, TcpAndUdpRoundTripThroughListenEcho) {
    TempDir dir;
    for (const std::string proto : {"tcp", "udp"}) {
        Background l(dir.path(), listen(proto + ":127.0.0.1:0 --echo --count 3 --json"));
        const std::string target = l.endpoint();
        ASSERT_EQ(target.rfind(proto + ":127.0.0.1:", 0), 0u) << l.err();
        auto r = send({target, "--hex", "0102030405", "--expect-reply", "--reply-bytes", "5", "--repeat", "3",
                       "--interval", "20", "--json"});
        ASSERT_EQ(r.exitCode, 0) << proto << ": " << r.err;
        EXPECT_EQ(lineCount(r.out), 3u) << r.out;
        const json sent = lastJson(r.out);
        EXPECT_EQ(sent["reply"]["hex"], "0102030405");
        EXPECT_EQ(sent["bytes_written"], 5);
        ASSERT_EQ(l.wait(10), 0) << l.err();
        const json got = lastJson(l.out());
        EXPECT_EQ(got["seq"], 3);
        EXPECT_EQ(got["hex"], "0102030405");
        EXPECT_EQ(got["from"].get<std::string>().rfind("127.0.0.1:", 0), 0u);
    }
}

TEST(InjectInet, PythonReceiversGetTheBytes) {
    TempDir dir;
    const std::string script =
        "import socket,sys\n"
        "tcp=sys.argv[1]=='tcp'\n"
        "s=socket.socket(socket.AF_INET,socket.SOCK_STREAM if tcp else socket.SOCK_DGRAM)\n"
        "s.bind(('127.0.0.1',0))\n"
        "if tcp: s.listen(1)\n"
        "print(s.getsockname()[1],flush=True); s.settimeout(10)\n"
        "if tcp:\n"
        "  c,_=s.accept(); data=b''\n"
        "  while True:\n"
        "    b=c.recv(4096)\n"
        "    if not b: break\n"
        "    data+=b\n"
        "else: data=s.recv(4096)\n"
        "sys.stdout.write(data.hex()); sys.stdout.flush()\n";
    std::ofstream(dir.path() + "/inet.py") << script;
    for (const std::string proto : {"tcp", "udp"}) {
        Background py(dir.path(), "python3 -u " + dir.path() + "/inet.py " + proto);
        std::string port;
        for (int i = 0; i < 500 && port.empty(); ++i) {
            const std::string out = py.out();
            if (out.find('\n') != std::string::npos) port = out.substr(0, out.find('\n'));
            else std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        ASSERT_FALSE(port.empty());
        auto r = send({proto + ":127.0.0.1:" + port, "--text", "exact bytes\t!"});
        ASSERT_EQ(r.exitCode, 0) << r.err;
        ASSERT_EQ(py.wait(10), 0) << py.err();
        EXPECT_EQ(py.out(), port + "\n" + "65786163742062797465730921");
    }
}

TEST(InjectListen, CtrlCRemovesTheEndpoint) {
    TempDir dir;
    const std::string path = dir.path() + "/ctrlc.sock";
    Background l(dir.path(), listen("unix:" + path));
    ASSERT_EQ(l.endpoint(), "unix:" + path) << l.err();
    ASSERT_TRUE(exists(path));
    EXPECT_EQ(l.stop(SIGINT), 0);
    EXPECT_FALSE(exists(path));
    Background f(dir.path(), listen("fifo:" + dir.path() + "/ctrlc.fifo --seconds 0.3"));
    EXPECT_EQ(f.wait(10), 0) << f.err();
    EXPECT_FALSE(exists(dir.path() + "/ctrlc.fifo"));
}

TEST(InjectList, RowsPrintATargetThatSendAccepts) {
    TempDir dir;
    const std::string fifo = dir.path() + "/listed";
    Background l(dir.path(), listen("fifo:" + fifo + " --count 1"));
    ASSERT_FALSE(l.endpoint().empty());
    const json snap = listJson({"fifo"});
    const json row = findObject(snap, "fifo", fifo);
    ASSERT_TRUE(row.is_object()) << snap.dump();
    ASSERT_EQ(row["target"], "fifo:" + fifo);
    auto r = send({row["target"].get<std::string>(), "--text", "via list"});
    ASSERT_EQ(r.exitCode, 0) << r.err;
    ASSERT_EQ(l.wait(10), 0);
    EXPECT_NE(l.out().find("via list"), std::string::npos) << l.out();
}
