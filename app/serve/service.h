#pragma once
// `ipcscope serve`: snapshots on the sampler thread, an optional mailslot datagram listener,
// and the HTTP endpoints over them (/metrics, /api/snapshot, /healthz). Read-only: no endpoint
// sends, injects or starts anything.

#include "serve/http_server.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace ipcscope::serve {

struct ServeOptions {
    net::ListenAddress listen;  ///< 127.0.0.1:9464 unless asked otherwise
    std::chrono::milliseconds interval{5000};
    std::string mailslotIface;  ///< empty: no mailslot listener
    std::uint16_t mailslotPort = 138;
    std::size_t maxSeries = 500;
    HttpLimits limits;
};

class Service {
public:
    /// Starts the sampler, the mailslot listener (when asked) and the HTTP server.
    [[nodiscard]] static core::Result<std::unique_ptr<Service>> start(const ServeOptions& options);
    ~Service();
    Service(const Service&) = delete;
    Service& operator=(const Service&) = delete;

    [[nodiscard]] const net::ListenAddress& bound() const noexcept;
    /// The mailslot listener's failure, if it stopped on one.
    [[nodiscard]] std::optional<core::Error> failure() const;
    void stop();

    struct Impl;

private:
    explicit Service(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

}  // namespace ipcscope::serve
