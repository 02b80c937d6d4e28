// `ipcscope serve` live: a real Prometheus scrapes it on loopback, promtool checks the
// exposition, bad clients (a 1 MiB header, a slowloris, 200 idle connections) do not stall a
// normal scrape, the default address is loopback, and --max-series holds.

#include "test_util.h"

#include <httplib.h>
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

using namespace ipcscope::test;
using Clock = std::chrono::steady_clock;

namespace {

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// A child process with stdout and stderr in a file; SIGTERM (then SIGKILL) at the end.
class Background {
public:
    Background(const std::vector<std::string>& argv, const std::string& log) : m_log(log) {
        m_pid = ::fork();
        if (m_pid == 0) {
            const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            ::dup2(fd, 1);
            ::dup2(fd, 2);
            const int null = ::open("/dev/null", O_RDONLY);
            ::dup2(null, 0);
            // Under AddressSanitizer, freed blocks wait in a quarantine (256 MiB by default) that
            // would show as RSS growth: keep it small so the memory bound measures the server.
            if (const char* asan = std::getenv("ASAN_OPTIONS")) {
                const std::string opts = std::string(asan) + ":quarantine_size_mb=1:thread_local_quarantine_size_kb=64";
                ::setenv("ASAN_OPTIONS", opts.c_str(), 1);
            }
            std::vector<char*> args;
            for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
            args.push_back(nullptr);
            ::execvp(args[0], args.data());
            ::_exit(127);
        }
    }
    ~Background() { stop(); }
    Background(const Background&) = delete;
    Background& operator=(const Background&) = delete;

    /// Waits (bounded) until `pattern` appears in the log; returns the first capture group.
    std::string waitFor(const std::regex& pattern, std::chrono::seconds limit = std::chrono::seconds(15)) {
        const auto end = Clock::now() + limit;
        std::smatch m;
        while (Clock::now() < end) {
            const std::string text = readFile(m_log);
            if (std::regex_search(text, m, pattern)) return m.size() > 1 ? m[1].str() : m[0].str();
            if (::waitpid(m_pid, nullptr, WNOHANG) == m_pid) {
                m_pid = -1;
                return {};
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return {};
    }
    void stop() {
        if (m_pid <= 0) return;
        ::kill(m_pid, SIGTERM);
        for (int i = 0; i < 100; ++i) {
            if (::waitpid(m_pid, nullptr, WNOHANG) == m_pid) {
                m_pid = -1;
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        ::kill(m_pid, SIGKILL);
        ::waitpid(m_pid, nullptr, 0);
        m_pid = -1;
    }
    [[nodiscard]] pid_t pid() const { return m_pid; }
    [[nodiscard]] std::string log() const { return readFile(m_log); }

private:
    pid_t m_pid = -1;
    std::string m_log;
};

// `ipcscope serve` on a free loopback port; port() is 0 when it did not start.
class Serve {
public:
    Serve(const TempDir& dir, std::vector<std::string> extra = {}) {
        std::vector<std::string> argv{IPCSCOPE_BIN, "serve", "--listen", "127.0.0.1:0", "--interval", "300", "--seconds", "60"};
        argv.insert(argv.end(), extra.begin(), extra.end());
        m_proc = std::make_unique<Background>(argv, dir.path() + "/serve.log");
        const auto port = m_proc->waitFor(std::regex(R"(serving http://127\.0\.0\.1:(\d+)/metrics)"));
        if (!port.empty()) m_port = std::stoi(port);
    }
    [[nodiscard]] int port() const { return m_port; }
    [[nodiscard]] pid_t pid() const { return m_proc->pid(); }
    [[nodiscard]] std::string log() const { return m_proc->log(); }

private:
    std::unique_ptr<Background> m_proc;
    int m_port = 0;
};

httplib::Result get(int port, const std::string& path, int timeoutMs = 1000) {
    httplib::Client c("127.0.0.1", port);
    c.set_connection_timeout(0, timeoutMs * 1000);
    c.set_read_timeout(0, timeoutMs * 1000);
    c.set_write_timeout(0, timeoutMs * 1000);
    return c.Get(path.c_str());
}

// Waits (bounded) until /metrics shows at least one snapshot.
bool waitForSnapshot(int port) {
    const auto end = Clock::now() + std::chrono::seconds(15);
    while (Clock::now() < end) {
        auto r = get(port, "/healthz");
        if (r && r->status == 200) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
}

int freePort() {
    const int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(s);
    return ntohs(a.sin_port);
}

int connectTo(int port) {
    const int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(s);
        return -1;
    }
    return s;
}

long rssKiB(pid_t pid, const char* field = "VmRSS:") {
    std::istringstream in(readFile("/proc/" + std::to_string(pid) + "/status"));
    std::string line;
    while (std::getline(in, line))
        if (line.starts_with(field)) return std::stol(line.substr(std::strlen(field)));
    return -1;
}

// The value of a one-sample instant query through Prometheus's HTTP API, or NaN.
double promQuery(int port, const std::string& query) {
    httplib::Client c("127.0.0.1", port);
    c.set_connection_timeout(1);
    c.set_read_timeout(2);
    auto r = c.Get("/api/v1/query", httplib::Params{{"query", query}}, httplib::Headers{});
    if (!r || r->status != 200) return NAN;
    auto j = nlohmann::json::parse(r->body, nullptr, false);
    if (!j.is_object() || j["status"] != "success" || j["data"]["result"].empty()) return NAN;
    return std::stod(j["data"]["result"][0]["value"][1].get<std::string>());
}

}  // namespace

TEST(Serve, RealPrometheusScrapesFifoAndShmOnLoopback) {
    TempDir dir;
    const std::string fifo = dir.path() + "/served fifo";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    Holder fifoHolder([&] { return ::open(fifo.c_str(), O_RDWR | O_NONBLOCK) >= 0; });
    ASSERT_TRUE(fifoHolder.ready());
    const std::string shm = "/ipcscope-serve-test-" + std::to_string(::getpid());
    struct UnlinkAtEnd {
        const std::string& name;
        ~UnlinkAtEnd() { ::shm_unlink(name.c_str()); }
    } unlinkAtEnd{shm};
    Holder shmHolder([&] {
        const int fd = ::shm_open(shm.c_str(), O_CREAT | O_RDWR, 0600);
        if (fd < 0 || ::ftruncate(fd, 8192) != 0) return false;
        return ::mmap(nullptr, 8192, PROT_READ, MAP_SHARED, fd, 0) != MAP_FAILED;
    });
    ASSERT_TRUE(shmHolder.ready());

    Serve serve(dir);
    ASSERT_GT(serve.port(), 0) << serve.log();
    const int promPort = freePort();
    {
        std::ofstream cfg(dir.path() + "/prometheus.yml");
        cfg << "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n"
            << "scrape_configs:\n  - job_name: ipcscope\n    static_configs:\n"
            << "      - targets: ['127.0.0.1:" << serve.port() << "']\n";
    }
    Background prom({"prometheus", "--config.file=" + dir.path() + "/prometheus.yml",
                     "--storage.tsdb.path=" + dir.path() + "/data", "--web.listen-address=127.0.0.1:" + std::to_string(promPort),
                     "--log.level=warn"},
                    dir.path() + "/prometheus.log");

    double fifos = NAN, shms = NAN, up = NAN;
    const auto end = Clock::now() + std::chrono::seconds(30);
    while (Clock::now() < end) {
        fifos = promQuery(promPort, "ipcscope_objects{kind=\"fifo\"}");
        shms = promQuery(promPort, "ipcscope_objects{kind=\"posix-shm\"}");
        up = promQuery(promPort, "up{job=\"ipcscope\"}");
        if (fifos >= 1 && shms >= 1 && up == 1) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
    EXPECT_GE(fifos, 1) << prom.log();
    EXPECT_GE(shms, 1) << prom.log();
    EXPECT_EQ(up, 1) << prom.log();
    EXPECT_EQ(promQuery(promPort, "ipcscope_build_info{platform=\"linux\"}"), 1);
    prom.stop();

    // The JSON API filters by family and kind and keeps the contract.
    auto r = get(serve.port(), "/api/snapshot?kind=fifo");
    ASSERT_TRUE(r && r->status == 200);
    const auto snap = nlohmann::json::parse(r->body, nullptr, false);
    ASSERT_TRUE(snap.is_object());
    EXPECT_TRUE(findObject(snap, "fifo", fifo).is_object());
    for (const auto& o : snap["objects"]) EXPECT_EQ(o["kind"], "fifo");
    // The object's name stays until the test ends: a snapshot taken after shm_unlink no longer
    // lists it by that name (the cause of an earlier, intermittent miss here).
    r = get(serve.port(), "/api/snapshot?family=mappings");
    ASSERT_TRUE(r && r->status == 200);
    EXPECT_TRUE(findObject(nlohmann::json::parse(r->body), "posix-shm", shm).is_object());
    r = get(serve.port(), "/api/snapshot?kind=no-such-kind");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
}

TEST(Serve, PromtoolAcceptsTheExpositionAndMaxSeriesHolds) {
    TempDir dir;
    Serve serve(dir, {"--max-series", "4"});
    ASSERT_GT(serve.port(), 0) << serve.log();
    ASSERT_TRUE(waitForSnapshot(serve.port()));
    auto r = get(serve.port(), "/metrics");
    ASSERT_TRUE(r && r->status == 200);
    EXPECT_EQ(r->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
    std::ofstream(dir.path() + "/metrics.txt") << r->body;
    const auto check = runCmd({"sh", "-c", "promtool check metrics < '" + dir.path() + "/metrics.txt'"}, 30);
    EXPECT_EQ(check.exitCode, 0) << check.out << check.err;
    EXPECT_EQ(check.out + check.err, "");

    // This machine has far more than 4 (process, family) pairs: the cap holds and says what it left out.
    std::size_t series = 0;
    std::istringstream in(r->body);
    std::string line;
    long omitted = -1;
    while (std::getline(in, line)) {
        if (line.starts_with("ipcscope_process_objects{")) ++series;
        if (line.starts_with("ipcscope_process_objects_omitted_series ")) omitted = std::stol(line.substr(line.find(' ') + 1));
    }
    EXPECT_EQ(series, 4U);
    EXPECT_GT(omitted, 0);

    // Read-only: anything but GET and HEAD is refused.
    httplib::Client c("127.0.0.1", serve.port());
    c.set_read_timeout(2);
    auto post = c.Post("/metrics", "x", "text/plain");
    ASSERT_TRUE(post);
    EXPECT_EQ(post->status, 405);
}

TEST(Serve, BadClientsDoNotStallScrapesAndMemoryStaysBounded) {
    TempDir dir;
    Serve serve(dir);
    ASSERT_GT(serve.port(), 0) << serve.log();
    ASSERT_TRUE(waitForSnapshot(serve.port()));
    ASSERT_TRUE(get(serve.port(), "/metrics"));
    const long rssBefore = rssKiB(serve.pid());
    ASSERT_GT(rssBefore, 0);

    std::atomic<bool> done{false};
    // 200 connections that send half a request line and wait.
    std::vector<int> idle;
    for (int i = 0; i < 200; ++i) {
        const int s = connectTo(serve.port());
        if (s >= 0) {
            (void)!::send(s, "GET /metrics HTT", 16, MSG_NOSIGNAL);
            idle.push_back(s);
        }
    }
    EXPECT_EQ(idle.size(), 200U);
    // Clients that each send a 1 MiB header, again and again.
    std::atomic<int> bigSent{0}, bigRefused{0};
    std::thread big([&] {
        const std::string header = "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(1 << 20, 'a') + "\r\n\r\n";
        while (!done) {
            const int s = connectTo(serve.port());
            if (s < 0) continue;
            timeval tv{2, 0};
            ::setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
            ::setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
            (void)!::send(s, header.data(), header.size(), MSG_NOSIGNAL);
            ++bigSent;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
            char buf[256] = {};
            if (::recv(s, buf, sizeof buf - 1, 0) <= 0 || std::string_view(buf).starts_with("HTTP/1.1 431")) ++bigRefused;
            ::close(s);
        }
    });
    // A slowloris: one byte a second of a never-ending header.
    std::atomic<bool> slowCut{false};
    std::thread slow([&] {
        const int s = connectTo(serve.port());
        const std::string text = "GET /metrics HTTP/1.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
        for (std::size_t i = 0; i < text.size() && !done; ++i) {
            char buf[64];
            if (::send(s, &text[i], 1, MSG_NOSIGNAL) != 1 || ::recv(s, buf, sizeof buf, MSG_DONTWAIT) >= 0) {
                slowCut = true;  // refused (408) or closed by the server
                break;
            }
            std::this_thread::sleep_for(std::chrono::seconds(1));
        }
        ::close(s);
    });

    // Normal scrapes throughout, each within 1 s.
    double worst = 0;
    int scrapes = 0, failures = 0;
    long rssPeak = rssBefore;
    const auto end = Clock::now() + std::chrono::seconds(8);
    while (Clock::now() < end) {
        const auto t0 = Clock::now();
        auto r = get(serve.port(), "/metrics", 1000);
        const double took = std::chrono::duration<double>(Clock::now() - t0).count();
        ++scrapes;
        if (!r || r->status != 200 || r->body.find("ipcscope_objects{") == std::string::npos) ++failures;
        worst = std::max(worst, took);
        rssPeak = std::max(rssPeak, rssKiB(serve.pid()));
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    done = true;
    big.join();
    slow.join();
    for (int s : idle) ::close(s);

    EXPECT_EQ(failures, 0) << "of " << scrapes << " scrapes";
    EXPECT_LT(worst, 1.0);
    EXPECT_GT(bigSent.load(), 3);
    EXPECT_EQ(bigRefused.load(), bigSent.load());
    EXPECT_TRUE(slowCut) << "the slowloris connection was never closed";
    // Buffers are capped at 16 KiB per connection: 256 connections cost at most ~4 MiB.
    EXPECT_LT(rssPeak - rssBefore, 24 * 1024) << "RSS grew from " << rssBefore << " KiB to " << rssPeak << " KiB";
    std::printf("scrapes %d, worst %.3f s, RSS %ld -> peak %ld KiB, 1 MiB headers sent %d\n", scrapes, worst, rssBefore,
                rssPeak, bigSent.load());
    EXPECT_TRUE(get(serve.port(), "/healthz"));
}

TEST(Serve, ListensOnLoopbackUnlessToldOtherwise) {
    TempDir dir;
    // The default address: 127.0.0.1:9464 (or, when that port is taken, an error naming it).
    Background def({IPCSCOPE_BIN, "serve", "--seconds", "3"}, dir.path() + "/default.log");
    const auto said = def.waitFor(std::regex(R"((serving http://[^ \n]+|cannot listen on TCP [^ :]+:\d+))"));
    EXPECT_TRUE(said == "serving http://127.0.0.1:9464/metrics" || said == "cannot listen on TCP 127.0.0.1:9464") << said;
    if (said.starts_with("serving")) {
        const auto tcp = readFile("/proc/net/tcp");
        EXPECT_NE(tcp.find("0100007F:24F8 00000000:0000 0A"), std::string::npos);  // 127.0.0.1:9464 LISTEN
        EXPECT_EQ(tcp.find("00000000:24F8 00000000:0000 0A"), std::string::npos);  // not 0.0.0.0:9464
    }
    def.stop();

    // A bare port is a loopback port too.
    Background bare({IPCSCOPE_BIN, "serve", "--listen", "0", "--seconds", "3"}, dir.path() + "/bare.log");
    const auto port = bare.waitFor(std::regex(R"(serving http://127\.0\.0\.1:(\d+)/metrics)"));
    ASSERT_FALSE(port.empty()) << bare.log();
    char hex[16];
    std::snprintf(hex, sizeof hex, ":%04X ", std::stoi(port));
    const auto tcp = readFile("/proc/net/tcp");
    EXPECT_NE(tcp.find(std::string("0100007F") + hex + "00000000:0000 0A"), std::string::npos);
    EXPECT_EQ(bare.log().find("not a loopback address"), std::string::npos);
    bare.stop();

    // Asked for, any address works, with a warning.
    Background any({IPCSCOPE_BIN, "serve", "--listen", "0.0.0.0:0", "--seconds", "3"}, dir.path() + "/any.log");
    EXPECT_FALSE(any.waitFor(std::regex("not a loopback address")).empty()) << any.log();
    any.stop();

    const auto bad = runCmd({IPCSCOPE_BIN, "serve", "--listen", "localhost:99999"});
    EXPECT_EQ(bad.exitCode, 2);
    EXPECT_NE(bad.err.find("--listen takes ADDRESS:PORT"), std::string::npos) << bad.err;
}

TEST(Serve, MailslotDatagramsAreCountedBySlotAndResult) {
    TempDir dir;
    const int udpPort = freePort();  // a free TCP port number is as good as any for UDP on loopback
    Serve serve(dir, {"--mailslot-iface", "lo", "--mailslot-port", std::to_string(udpPort)});
    ASSERT_GT(serve.port(), 0) << serve.log();
    for (int i = 0; i < 3; ++i) {
        const auto sent = runCmd({IPCSCOPE_BIN, "send", "\\\\HOSTB\\mailslot\\served", "--text", "hello", "--to", "127.0.0.1",
                                  "--port", std::to_string(udpPort)});
        ASSERT_EQ(sent.exitCode, 0) << sent.err;
    }
    {  // bytes that are not a NetBIOS datagram
        const int s = ::socket(AF_INET, SOCK_DGRAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(static_cast<std::uint16_t>(udpPort));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::sendto(s, "junk", 4, 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
        ::close(s);
    }
    std::string ok, malformed, senders;
    const auto end = Clock::now() + std::chrono::seconds(10);
    while (Clock::now() < end) {
        auto r = get(serve.port(), "/metrics");
        if (r && r->status == 200) {
            std::smatch m;
            if (std::regex_search(r->body, m, std::regex(R"(ipcscope_mailslot_datagrams_total\{slot="\\\\MAILSLOT\\\\served",result="ok"\} (\d+))")))
                ok = m[1];
            if (std::regex_search(r->body, m, std::regex(R"re(ipcscope_mailslot_datagrams_total\{slot="\(none\)",result="malformed"\} (\d+))re")))
                malformed = m[1];
            if (std::regex_search(r->body, m, std::regex(R"(ipcscope_mailslot_senders (\d+))"))) senders = m[1];
            if (ok == "3" && malformed == "1") break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    EXPECT_EQ(ok, "3") << serve.log();
    EXPECT_EQ(malformed, "1");
    ASSERT_FALSE(senders.empty());
    EXPECT_GE(std::stoi(senders), 1);
}
