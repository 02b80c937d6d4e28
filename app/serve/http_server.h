#pragma once
// A small read-only HTTP server for the exporter. cpp-httplib parses requests and writes
// responses; this layer owns the sockets so that every client is bounded before the library
// sees a byte:
//  - a poller thread holds every connection until its request head (request line and headers,
//    up to the blank line) has arrived, within a byte budget, a line budget and a deadline; a
//    slow client costs a buffer, never a thread;
//  - a few workers answer complete requests; a response must be written within a deadline;
//  - past the connection cap, the connection that has waited longest is closed, so a flood of
//    idle connections cannot lock out a scrape.

#include "net/tcp.h"

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ipcscope::serve {

struct HttpLimits {
    std::size_t maxConnections = 256;     ///< open connections, waiting or being answered
    std::size_t workers = 4;              ///< threads answering complete requests
    std::size_t maxQueued = 64;           ///< complete requests waiting for a worker (past it: 503)
    std::size_t maxHeadBytes = 16 * 1024;  ///< request line and headers (past it: 431)
    std::size_t maxHeaderLines = 64;       ///< header lines (past it: 431)
    std::size_t maxBodyBytes = 4096;       ///< a GET has no body; larger ones are refused
    std::chrono::milliseconds headTimeout{5000};  ///< from accept (or the previous response) to a full head
    std::chrono::milliseconds writeTimeout{10000};  ///< to write one response
    std::size_t maxRequestsPerConnection = 100;
};

struct HttpRequest {
    std::string method;  ///< GET or HEAD
    std::string path;
    std::multimap<std::string, std::string> params;  ///< query parameters, decoded
};

struct HttpResponse {
    int status = 200;
    std::string contentType = "text/plain; charset=utf-8";
    std::string body;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

/// Counters of what the limits turned away (for logs and tests).
struct HttpCounters {
    std::uint64_t accepted = 0;
    std::uint64_t evicted = 0;    ///< closed to make room past maxConnections
    std::uint64_t timedOut = 0;   ///< head not complete in time
    std::uint64_t tooLarge = 0;   ///< head over maxHeadBytes or maxHeaderLines
    std::uint64_t busy = 0;       ///< answered 503: the worker queue was full
};

class HttpServer {
public:
    /// Binds `where` and starts the poller and the workers. `routes` maps exact paths to handlers
    /// for GET and HEAD; any other method gets 405.
    [[nodiscard]] static core::Result<std::unique_ptr<HttpServer>> start(const net::ListenAddress& where,
                                                                         std::map<std::string, HttpHandler> routes,
                                                                         const HttpLimits& limits = {});
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    /// The bound address (with the port the OS chose when 0 was asked for).
    [[nodiscard]] const net::ListenAddress& bound() const noexcept;
    [[nodiscard]] HttpCounters counters() const;
    /// Stops accepting, closes every connection and joins the threads.
    void stop();

    struct Impl;

private:
    explicit HttpServer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

}  // namespace ipcscope::serve
