#include "serve/http_server.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <list>
#include <optional>
#include <mutex>
#include <string_view>
#include <thread>

namespace ipcscope::serve {
namespace {

using Clock = std::chrono::steady_clock;

// How often the poller looks at connections the workers handed back (keep-alive).
constexpr auto kPollTick = std::chrono::milliseconds(20);

struct Connection {
    net::SocketHandle socket = net::kNoSocket;
    std::string buffer;        ///< received bytes not yet consumed by a request
    Clock::time_point deadline;  ///< the request head must be complete by then
    Clock::time_point since;     ///< when it started waiting (eviction order)
    std::size_t served = 0;    ///< requests answered on this connection
};

// The end of the request head (the blank line) in `buffer`, or npos.
std::size_t headEnd(std::string_view buffer) {
    const auto end = buffer.find("\r\n\r\n");
    return end == std::string_view::npos ? end : end + 4;
}

// Writes a whole fixed response on a non-blocking socket, best effort: used to turn a client
// away (408, 431, 503), so it never waits.
void refuse(net::SocketHandle s, int status, std::string_view reason) {
    const std::string text = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) +
                             "\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(reason.size() + 1) +
                             "\r\nConnection: close\r\n\r\n" + std::string(reason) + "\n";
    (void)net::sendSome(s, text);
}

// The stream the HTTP library reads a request from and writes its response to: the head comes
// from the buffer the poller filled; a body may be read from the socket within a byte budget and
// the head deadline; the response must be written before the write deadline.
class BoundedStream final : public httplib::Stream {
public:
    BoundedStream(Connection& c, const HttpLimits& limits)
        : m_conn(c), m_limits(limits), m_readDeadline(Clock::now() + limits.headTimeout) {}

    bool is_readable() const override { return m_offset < m_conn.buffer.size() || wait(true, m_readDeadline); }
    bool is_writable() const override { return !m_failed && wait(false, writeDeadline()); }

    ssize_t read(char* ptr, size_t size) override {
        if (m_offset < m_conn.buffer.size()) {
            const auto n = std::min(size, m_conn.buffer.size() - m_offset);
            std::copy_n(m_conn.buffer.data() + m_offset, n, ptr);
            m_offset += n;
            return static_cast<ssize_t>(n);
        }
        if (m_bodyRead >= m_limits.maxBodyBytes || size == 0) return -1;
        size = std::min(size, m_limits.maxBodyBytes - m_bodyRead);
        while (true) {
            const auto r = net::receiveSome(m_conn.socket, std::span<char>(ptr, size));
            if (r.status == net::Io::Done) {
                m_bodyRead += r.bytes;
                return static_cast<ssize_t>(r.bytes);
            }
            if (r.status == net::Io::Closed) return 0;
            if (r.status == net::Io::Failed || !wait(true, m_readDeadline)) return -1;
        }
    }

    ssize_t write(const char* ptr, size_t size) override {
        std::size_t done = 0;
        while (done < size && !m_failed) {
            const auto r = net::sendSome(m_conn.socket, std::span<const char>(ptr + done, size - done));
            if (r.status == net::Io::Done) done += r.bytes;
            else if (r.status != net::Io::WouldBlock || !wait(false, writeDeadline())) m_failed = true;
        }
        return m_failed ? -1 : static_cast<ssize_t>(size);
    }

    void get_remote_ip_and_port(std::string& ip, int& port) const override { fill(net::peerAddress(m_conn.socket), ip, port); }
    void get_local_ip_and_port(std::string& ip, int& port) const override { fill(net::localAddress(m_conn.socket), ip, port); }
    socket_t socket() const override { return static_cast<socket_t>(m_conn.socket); }

    [[nodiscard]] bool failed() const noexcept { return m_failed; }
    /// Bytes received but not consumed (a pipelined next request).
    [[nodiscard]] std::string leftover() const { return m_conn.buffer.substr(std::min(m_offset, m_conn.buffer.size())); }

private:
    static void fill(const core::Result<net::ListenAddress>& a, std::string& ip, int& port) {
        if (a) {
            ip = a->host;
            port = a->port;
        }
    }
    Clock::time_point writeDeadline() const {
        if (!m_writeDeadline) m_writeDeadline = Clock::now() + m_limits.writeTimeout;
        return *m_writeDeadline;
    }
    bool wait(bool read, Clock::time_point deadline) const {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) return false;
        net::PollEntry e{m_conn.socket, read, !read};
        auto r = net::pollSockets(std::span(&e, 1), left);
        return r && *r > 0;
    }

    Connection& m_conn;
    const HttpLimits& m_limits;
    std::size_t m_offset = 0;
    std::size_t m_bodyRead = 0;
    Clock::time_point m_readDeadline;
    mutable std::optional<Clock::time_point> m_writeDeadline;
    bool m_failed = false;
};

// The HTTP library's request handling, fed one request at a time by the workers.
class Router final : public httplib::Server {
public:
    bool answer(httplib::Stream& s, bool closeConnection, bool& closed) {
        return process_request(s, closeConnection, closed, nullptr);
    }
};

std::string regexEscaped(const std::string& path) {
    std::string out;
    for (char c : path) {
        if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) out += '\\';
        out += c;
    }
    return out;
}

}  // namespace

struct HttpServer::Impl {
    HttpLimits limits;
    net::SocketHandle listener = net::kNoSocket;
    net::ListenAddress bound;
    Router router;

    std::atomic<bool> stopping{false};
    std::thread poller;
    std::vector<std::thread> workers;

    mutable std::mutex mutex;  // guards everything below
    std::condition_variable workCv;
    std::deque<Connection> ready;     ///< complete heads waiting for a worker
    std::vector<Connection> returned;  ///< kept alive by a worker, back to the poller
    std::size_t busy = 0;              ///< connections queued or being answered
    HttpCounters counters;

    void pollLoop();
    void workLoop();
    void dispatch(Connection c);
};

void HttpServer::Impl::dispatch(Connection c) {
    std::lock_guard lock(mutex);
    if (ready.size() >= limits.maxQueued) {
        ++counters.busy;
        refuse(c.socket, 503, "Service Unavailable");
        net::closeSocket(c.socket);
        return;
    }
    ++busy;
    ready.push_back(std::move(c));
    workCv.notify_one();
}

void HttpServer::Impl::pollLoop() {
    std::list<Connection> waiting;  // oldest first
    std::vector<net::PollEntry> entries;
    auto closeAt = [&](std::list<Connection>::iterator it) {
        net::closeSocket(it->socket);
        return waiting.erase(it);
    };
    // Moves a connection whose head is complete to the workers; true when it left the list.
    auto checkHead = [&](std::list<Connection>::iterator& it) {
        const auto end = headEnd(it->buffer);
        const auto head = std::string_view(it->buffer).substr(0, end == std::string_view::npos ? it->buffer.size() : end);
        const auto lines = static_cast<std::size_t>(std::count(head.begin(), head.end(), '\n'));
        if (head.size() > limits.maxHeadBytes || lines > limits.maxHeaderLines + 2) {
            {
                std::lock_guard lock(mutex);
                ++counters.tooLarge;
            }
            refuse(it->socket, 431, "Request Header Fields Too Large");
            it = closeAt(it);
            return true;
        }
        if (end == std::string_view::npos) return false;
        dispatch(std::move(*it));
        it = waiting.erase(it);
        return true;
    };

    while (!stopping) {
        const auto now = Clock::now();
        {
            std::lock_guard lock(mutex);
            for (auto& c : returned) {
                c.deadline = now + limits.headTimeout;
                c.since = now;
                --busy;
                waiting.push_back(std::move(c));
            }
            returned.clear();
        }
        for (auto it = waiting.begin(); it != waiting.end();) {
            if (!it->buffer.empty() && checkHead(it)) continue;
            if (it->deadline <= now) {
                if (!it->buffer.empty()) refuse(it->socket, 408, "Request Timeout");
                std::lock_guard lock(mutex);
                ++counters.timedOut;
                it = closeAt(it);
                continue;
            }
            ++it;
        }

        entries.clear();
        entries.push_back({listener, true, false});
        for (const auto& c : waiting) entries.push_back({c.socket, true, false});
        auto polled = net::pollSockets(entries, kPollTick);
        if (!polled) {
            spdlog::warn("http: {}", polled.error().message());
            std::this_thread::sleep_for(kPollTick);
            continue;
        }

        // Read what arrived before accepting: the entries follow the list's order.
        std::size_t i = 1;
        char chunk[4096];
        for (auto it = waiting.begin(); it != waiting.end() && i < entries.size(); ++i) {
            if (!entries[i].readable) {
                ++it;
                continue;
            }
            const std::size_t room = limits.maxHeadBytes + 1 - std::min(it->buffer.size(), limits.maxHeadBytes);
            const auto r = net::receiveSome(it->socket, std::span<char>(chunk, std::min(room, sizeof chunk)));
            if (r.status == net::Io::Closed || r.status == net::Io::Failed) {
                it = closeAt(it);
                continue;
            }
            if (r.status == net::Io::Done) {
                it->buffer.append(chunk, r.bytes);
                if (checkHead(it)) continue;
            }
            ++it;
        }

        if (!entries[0].readable) continue;
        for (int n = 0; n < 64; ++n) {  // a bounded batch, then serve the others again
            const auto s = net::acceptTcp(listener);
            if (s == net::kNoSocket) break;
            std::size_t open = 0;
            {
                std::lock_guard lock(mutex);
                ++counters.accepted;
                open = busy + waiting.size();
                if (open >= limits.maxConnections && !waiting.empty()) ++counters.evicted;
            }
            if (open >= limits.maxConnections) {
                if (waiting.empty()) {  // every slot is being answered: turn this one away
                    refuse(s, 503, "Service Unavailable");
                    net::closeSocket(s);
                    continue;
                }
                closeAt(waiting.begin());  // the one that has waited longest
            }
            const auto t = Clock::now();
            waiting.push_back(Connection{s, {}, t + limits.headTimeout, t, 0});
        }
    }
    for (auto& c : waiting) net::closeSocket(c.socket);
}

void HttpServer::Impl::workLoop() {
    while (true) {
        Connection c;
        {
            std::unique_lock lock(mutex);
            workCv.wait(lock, [&] { return stopping || !ready.empty(); });
            if (stopping) return;
            c = std::move(ready.front());
            ready.pop_front();
        }
        bool keep = false;
        {
            BoundedStream stream(c, limits);
            const bool last = c.served + 1 >= limits.maxRequestsPerConnection;
            bool closed = false;
            const bool ok = router.answer(stream, last, closed);
            ++c.served;
            keep = ok && !closed && !last && !stream.failed();
            if (keep) c.buffer = stream.leftover();
        }
        std::lock_guard lock(mutex);
        if (keep && !stopping) {
            returned.push_back(std::move(c));
        } else {
            net::closeSocket(c.socket);
            --busy;
        }
    }
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

HttpServer::~HttpServer() { stop(); }

core::Result<std::unique_ptr<HttpServer>> HttpServer::start(const net::ListenAddress& where,
                                                           std::map<std::string, HttpHandler> routes,
                                                           const HttpLimits& limits) {
    auto impl = std::make_unique<Impl>();
    impl->limits = limits;
    impl->limits.workers = std::max<std::size_t>(1, limits.workers);
    auto listener = net::listenTcp(where, 128);
    if (!listener) return listener.error();
    impl->listener = *listener;
    auto bound = net::localAddress(*listener);
    if (!bound) {
        net::closeSocket(*listener);
        return bound.error();
    }
    impl->bound = *bound;

    auto& r = impl->router;
    r.set_payload_max_length(limits.maxBodyBytes);
    r.set_keep_alive_max_count(std::max<std::size_t>(1, limits.maxRequestsPerConnection));
    r.set_keep_alive_timeout(std::max<time_t>(1, std::chrono::duration_cast<std::chrono::seconds>(limits.headTimeout).count()));
    r.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
        if (req.method == "GET" || req.method == "HEAD") return httplib::Server::HandlerResponse::Unhandled;
        res.status = 405;  // read-only: nothing over HTTP changes anything
        res.set_header("Allow", "GET, HEAD");
        res.set_content("only GET and HEAD are served\n", "text/plain");
        return httplib::Server::HandlerResponse::Handled;
    });
    for (auto& [path, handler] : routes)
        r.Get(regexEscaped(path), [h = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
            HttpRequest in{req.method, req.path, {req.params.begin(), req.params.end()}};
            HttpResponse out = h(in);
            res.status = out.status;
            res.set_content(std::move(out.body), out.contentType.c_str());
        });

    Impl* p = impl.get();
    impl->poller = std::thread([p] { p->pollLoop(); });
    for (std::size_t i = 0; i < impl->limits.workers; ++i) impl->workers.emplace_back([p] { p->workLoop(); });
    return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

const net::ListenAddress& HttpServer::bound() const noexcept { return m_impl->bound; }

HttpCounters HttpServer::counters() const {
    std::lock_guard lock(m_impl->mutex);
    return m_impl->counters;
}

void HttpServer::stop() {
    auto& m = *m_impl;
    if (m.stopping.exchange(true)) return;
    m.workCv.notify_all();
    if (m.poller.joinable()) m.poller.join();
    for (auto& w : m.workers)
        if (w.joinable()) w.join();
    std::lock_guard lock(m.mutex);
    for (auto& c : m.ready) net::closeSocket(c.socket);
    for (auto& c : m.returned) net::closeSocket(c.socket);
    m.ready.clear();
    m.returned.clear();
    net::closeSocket(m.listener);
}

}  // namespace ipcscope::serve
