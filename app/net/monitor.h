#pragma once
// The datagram monitor: a thread reads UDP datagrams (138 by default), decodes each one and
// hands them over through a bounded queue; a flood fills the queue and counts as dropped.

#include "core/datagram.h"
#include "net/udp.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

namespace ipcscope::net {

struct MonitorOptions {
    std::uint32_t bindIp = 0;  ///< 0: any address
    std::uint16_t port = 138;
    std::string device;        ///< Linux: receive only on this interface
    std::size_t queueLimit = 4096;
};

struct MonitorCounters {
    std::uint64_t received = 0;
    std::uint64_t malformed = 0;
    std::uint64_t oversized = 0;
    std::uint64_t dropped = 0;  ///< arrived while the queue was full
};

class DatagramMonitor {
public:
    /// Binds the socket (errors come back here, e.g. port 138 needs root) and starts reading.
    [[nodiscard]] static core::Result<std::unique_ptr<DatagramMonitor>> start(const MonitorOptions& options);
    ~DatagramMonitor();
    DatagramMonitor(const DatagramMonitor&) = delete;
    DatagramMonitor& operator=(const DatagramMonitor&) = delete;

    /// Takes up to `max` queued datagrams, oldest first.
    [[nodiscard]] std::vector<core::ReceivedDatagram> drain(std::size_t max = SIZE_MAX);
    /// Waits until a datagram is queued or `timeout` passes.
    bool waitFor(std::chrono::milliseconds timeout);
    [[nodiscard]] MonitorCounters counters() const;
    [[nodiscard]] Endpoint bound() const noexcept { return m_bound; }
    /// The last receive error, if the reader stopped on one.
    [[nodiscard]] std::optional<core::Error> failure() const;
    void stop();

private:
    DatagramMonitor(UdpSocket socket, Endpoint bound, std::size_t limit);
    void run();

    UdpSocket m_socket;
    Endpoint m_bound;
    std::size_t m_limit;
    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<core::ReceivedDatagram> m_queue;
    MonitorCounters m_counters;
    std::optional<core::Error> m_failure;
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
};

}  // namespace ipcscope::net
