#pragma once
// The datagram monitor: a thread reads UDP datagrams (138 by default), decodes each one and
// hands them over through a bounded queue; a flood fills the queue and counts as dropped.
// Datagrams the kernel dropped before they were read (a full socket buffer) are counted too,
// where the kernel says so (Linux SO_RXQ_OVFL), so every datagram that arrived is accounted
// for: received + kernel_dropped.

#include "core/datagram.h"
#include "net/udp.h"

#include <nlohmann/json.hpp>

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
    std::size_t queueLimit = 4096;                  ///< datagrams waiting for drain()
    std::size_t queueByteLimit = 16 * 1024 * 1024;  ///< and their bytes
    int receiveBuffer = 4 * 1024 * 1024;            ///< socket buffer asked for, to ride out bursts
};

struct MonitorCounters {
    std::uint64_t received = 0;
    std::uint64_t malformed = 0;
    std::uint64_t oversized = 0;
    std::uint64_t dropped = 0;  ///< read, but arrived while the queue was full
    std::uint64_t kernelDropped = 0;  ///< dropped by the kernel before they could be read
    bool kernelDropsCounted = false;  ///< false where the OS does not tell (Windows)
};

/// Options that listen on one interface (a name or an address): Linux binds to the device,
/// Windows to the interface address, where it delivers the LAN's broadcasts.
[[nodiscard]] core::Result<MonitorOptions> monitorOnInterface(std::string_view nameOrAddress, std::uint16_t port);
/// "12 datagrams received, 2 malformed, 0 oversized, 0 dropped, 5 dropped by the kernel"
/// (the CLI's stderr summary and the GUI's status line).
[[nodiscard]] std::string summaryText(const MonitorCounters& c);
/// {"received", "malformed", "oversized", "dropped", "kernel_dropped"}; kernel_dropped is
/// null where the OS does not count kernel drops.
[[nodiscard]] nlohmann::ordered_json toJson(const MonitorCounters& c);

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
    DatagramMonitor(UdpSocket socket, Endpoint bound, const MonitorOptions& options, bool dropsCounted);
    void run();
    // Adds the kernel's cumulative 32-bit drop count `now` to the counters (under m_mutex).
    void noteKernelDrops(std::uint32_t now);

    UdpSocket m_socket;
    Endpoint m_bound;
    std::size_t m_limit;
    std::size_t m_byteLimit;
    std::size_t m_queuedBytes = 0;
    std::uint32_t m_lastKernelDrops = 0;
    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<core::ReceivedDatagram> m_queue;
    MonitorCounters m_counters;
    std::optional<core::Error> m_failure;
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
};

}  // namespace ipcscope::net
