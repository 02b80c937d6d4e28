#include "net/monitor.h"

namespace ipcscope::net {

std::string summaryText(const MonitorCounters& c) {
    std::string s = std::to_string(c.received) + " datagrams received, " + std::to_string(c.malformed) + " malformed, " +
                    std::to_string(c.oversized) + " oversized, " + std::to_string(c.dropped) + " dropped, ";
    s += c.kernelDropsCounted ? std::to_string(c.kernelDropped) + " dropped by the kernel" : "kernel drops not counted here";
    return s;
}

nlohmann::ordered_json toJson(const MonitorCounters& c) {
    return {{"received", c.received},
            {"malformed", c.malformed},
            {"oversized", c.oversized},
            {"dropped", c.dropped},
            {"kernel_dropped", c.kernelDropsCounted ? nlohmann::ordered_json(c.kernelDropped) : nlohmann::ordered_json(nullptr)}};
}

core::Result<std::unique_ptr<DatagramMonitor>> DatagramMonitor::start(const MonitorOptions& options) {
    auto s = UdpSocket::open();
    if (!s) return s.error();
    // Several listeners (nmbd, another monitor) may share 138: each gets every broadcast.
    (void)s->setReuseAddress(true);
    (void)s->setBroadcast(true);
    if (!options.device.empty())
        if (auto d = s->bindToDevice(options.device); !d) return d.error();
    // A burst larger than the socket buffer is dropped by the kernel: ask for room, and for
    // the kernel's drop count with every datagram.
    (void)s->setReceiveBuffer(options.receiveBuffer);
    const bool dropsCounted = s->enableDropCounter().ok();
    if (auto b = s->bind(Endpoint{options.bindIp, options.port}); !b) {
        core::Error e = b.error();
        if (e.code == core::Errc::PermissionDenied && options.port < 1024)
            e.context += "; ports below 1024 need root (or use --port)";
        return e;
    }
    auto local = s->localEndpoint();
    if (!local) return local.error();
    std::unique_ptr<DatagramMonitor> m(new DatagramMonitor(std::move(s).value(), *local, options, dropsCounted));
    m->m_thread = std::thread([raw = m.get()] { raw->run(); });
    return m;
}

DatagramMonitor::DatagramMonitor(UdpSocket socket, Endpoint bound, const MonitorOptions& options, bool dropsCounted)
    : m_socket(std::move(socket)),
      m_bound(bound),
      m_limit(options.queueLimit == 0 ? 1 : options.queueLimit),
      m_byteLimit(options.queueByteLimit) {
    m_counters.kernelDropsCounted = dropsCounted;
}

DatagramMonitor::~DatagramMonitor() { stop(); }

void DatagramMonitor::stop() {
    m_stop = true;
    if (m_thread.joinable()) m_thread.join();
}

void DatagramMonitor::noteKernelDrops(std::uint32_t now) {
    // The count is cumulative since the socket was created and wraps at 2^32. A datagram
    // carries the count of when it was queued, which can be older than one read from the
    // socket since: the count only moves forward.
    const auto delta = static_cast<std::int32_t>(now - m_lastKernelDrops);
    if (delta <= 0) return;
    m_counters.kernelDropped += static_cast<std::uint32_t>(delta);
    m_lastKernelDrops = now;
}

void DatagramMonitor::run() {
    // Drops after the last datagram read travel with no datagram: ask the socket when idle
    // and once more on the way out.
    auto pollDrops = [&] {
        if (!m_counters.kernelDropsCounted) return;
        if (auto drops = m_socket.kernelDrops()) {
            std::lock_guard lock(m_mutex);
            noteKernelDrops(*drops);
        }
    };
    while (!m_stop) {
        auto r = m_socket.receive(std::chrono::milliseconds(100));
        if (!r) {
            pollDrops();
            std::lock_guard lock(m_mutex);
            m_failure = r.error();
            m_cv.notify_all();
            return;
        }
        if (!r->has_value()) {
            pollDrops();
            continue;
        }
        auto& dg = **r;
        const auto kernelDrops = dg.kernelDrops;
        auto rec = core::makeReceived(std::chrono::system_clock::now(), wire::ipv4Text(dg.from.ip), dg.from.port,
                                      std::move(dg.bytes));
        std::lock_guard lock(m_mutex);
        if (kernelDrops) noteKernelDrops(*kernelDrops);
        ++m_counters.received;
        if (rec.malformed()) ++m_counters.malformed;
        if (rec.oversized) ++m_counters.oversized;
        if (m_queue.size() >= m_limit || m_queuedBytes + rec.bytes.size() > m_byteLimit) {
            ++m_counters.dropped;
            continue;
        }
        m_queuedBytes += rec.bytes.size();
        m_queue.push_back(std::move(rec));
        m_cv.notify_all();
    }
    pollDrops();
}

std::vector<core::ReceivedDatagram> DatagramMonitor::drain(std::size_t max) {
    std::lock_guard lock(m_mutex);
    std::vector<core::ReceivedDatagram> out;
    while (!m_queue.empty() && out.size() < max) {
        m_queuedBytes -= m_queue.front().bytes.size();
        out.push_back(std::move(m_queue.front()));
        m_queue.pop_front();
    }
    return out;
}

bool DatagramMonitor::waitFor(std::chrono::milliseconds timeout) {
    std::unique_lock lock(m_mutex);
    return m_cv.wait_for(lock, timeout, [&] { return !m_queue.empty() || m_failure.has_value(); });
}

MonitorCounters DatagramMonitor::counters() const {
    std::lock_guard lock(m_mutex);
    return m_counters;
}

std::optional<core::Error> DatagramMonitor::failure() const {
    std::lock_guard lock(m_mutex);
    return m_failure;
}

}  // namespace ipcscope::net
