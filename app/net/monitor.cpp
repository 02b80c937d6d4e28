#include "net/monitor.h"

namespace ipcscope::net {

core::Result<MonitorOptions> monitorOnInterface(std::string_view nameOrAddress, std::uint16_t port) {
    auto i = findInterface(nameOrAddress);
    if (!i) return i.error();
    MonitorOptions o;
    o.port = port;
#ifdef _WIN32
    o.bindIp = i->address;
#else
    o.device = i->name;
#endif
    return o;
}

core::Result<std::unique_ptr<DatagramMonitor>> DatagramMonitor::start(const MonitorOptions& options) {
    auto s = UdpSocket::open();
    if (!s) return s.error();
    // Several listeners (nmbd, another monitor) may share 138: each gets every broadcast.
    (void)s->setReuseAddress(true);
    (void)s->setBroadcast(true);
    if (!options.device.empty())
        if (auto d = s->bindToDevice(options.device); !d) return d.error();
    if (auto b = s->bind(Endpoint{options.bindIp, options.port}); !b) {
        core::Error e = b.error();
        if (e.code == core::Errc::PermissionDenied && options.port < 1024)
            e.context += "; ports below 1024 need root (or use --port)";
        return e;
    }
    auto local = s->localEndpoint();
    if (!local) return local.error();
    std::unique_ptr<DatagramMonitor> m(new DatagramMonitor(std::move(s).value(), *local, options.queueLimit));
    m->m_thread = std::thread([raw = m.get()] { raw->run(); });
    return m;
}

DatagramMonitor::DatagramMonitor(UdpSocket socket, Endpoint bound, std::size_t limit)
    : m_socket(std::move(socket)), m_bound(bound), m_limit(limit == 0 ? 1 : limit) {}

DatagramMonitor::~DatagramMonitor() { stop(); }

void DatagramMonitor::stop() {
    m_stop = true;
    if (m_thread.joinable()) m_thread.join();
}

void DatagramMonitor::run() {
    while (!m_stop) {
        auto r = m_socket.receive(std::chrono::milliseconds(100));
        if (!r) {
            std::lock_guard lock(m_mutex);
            m_failure = r.error();
            m_cv.notify_all();
            return;
        }
        if (!r->has_value()) continue;
        auto& dg = **r;
        auto rec = core::makeReceived(std::chrono::system_clock::now(), wire::ipv4Text(dg.from.ip), dg.from.port,
                                      std::move(dg.bytes));
        std::lock_guard lock(m_mutex);
        ++m_counters.received;
        if (rec.malformed()) ++m_counters.malformed;
        if (rec.oversized) ++m_counters.oversized;
        if (m_queue.size() >= m_limit) {
            ++m_counters.dropped;
            continue;
        }
        m_queue.push_back(std::move(rec));
        m_cv.notify_all();
    }
}

std::vector<core::ReceivedDatagram> DatagramMonitor::drain(std::size_t max) {
    std::lock_guard lock(m_mutex);
    std::vector<core::ReceivedDatagram> out;
    while (!m_queue.empty() && out.size() < max) {
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
