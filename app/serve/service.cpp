#include "serve/service.h"

#include "base/json.h"
#include "core/platform.h"
#include "core/render.h"
#include "platform/sampler.h"
#include "base/version.h"
#include "exporter/metrics.h"
#include "net/monitor.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <mutex>
#include <thread>

namespace ipcscope::serve {
namespace {

constexpr auto kJson = "application/json";

HttpResponse jsonError(int status, const std::string& message) {
    nlohmann::ordered_json j{{"error", message}};
    return {status, kJson, base::dumpJson(j) + "\n"};
}

// Every family this platform supports: serve never asks for what cannot exist here.
core::Selection supportedSelection() {
    core::Selection sel;
    for (core::Family f : core::kAllFamilies)
        if (core::familySupported(f, platform::current())) sel.families.push_back(f);
    return sel;
}

}  // namespace

struct Service::Impl {
    ServeOptions options;
    core::Sampler sampler{supportedSelection(), options.interval};
    std::unique_ptr<net::DatagramMonitor> monitor;
    std::unique_ptr<HttpServer> http;

    mutable std::mutex mutex;  // guards the stats below
    exporter::SnapshotStats stats;
    exporter::MailslotStats mailslots;
    std::uint64_t recordedGeneration = 0;
    std::optional<core::Error> failure;

    std::mutex stopMutex;
    std::condition_variable stopCv;
    bool stopping = false;
    std::thread watcher;

    explicit Impl(const ServeOptions& o) : options(o) {}

    // Folds each new snapshot into the counters and drains the mailslot listener, so that
    // nothing between two scrapes is missed.
    void watch() {
        while (true) {
            if (monitor) {
                monitor->waitFor(std::chrono::milliseconds(100));
            } else {
                std::unique_lock lock(stopMutex);
                stopCv.wait_for(lock, std::chrono::milliseconds(100), [&] { return stopping; });
            }
            {
                std::lock_guard lock(stopMutex);
                if (stopping) return;
            }
            record();
        }
    }

    void record() {
        auto snap = sampler.latest();
        const auto generation = sampler.generation();
        std::vector<core::ReceivedDatagram> datagrams;
        if (monitor) datagrams = monitor->drain();
        std::lock_guard lock(mutex);
        if (snap && generation != recordedGeneration) {
            recordedGeneration = generation;
            stats.record(*snap);
        }
        if (monitor) {
            for (const auto& d : datagrams) mailslots.record(d);
            const auto c = monitor->counters();
            mailslots.setDropped(c.dropped, c.kernelDropped);
            if (!failure) failure = monitor->failure();
        }
    }

    HttpResponse metrics() {
        record();
        auto snap = sampler.latest();
        exporter::MetricsInput in;
        in.snapshot = snap.get();
        in.maxSeries = options.maxSeries;
        in.platform = platform::current();
        in.version = std::string(base::version());
        std::lock_guard lock(mutex);
        in.stats = &stats;
        in.mailslots = monitor ? &mailslots : nullptr;
        return {200, std::string(exporter::kExpositionContentType), exporter::renderMetrics(in)};
    }

    HttpResponse snapshot(const HttpRequest& req) {
        std::vector<core::Family> families;
        std::vector<core::Kind> kinds;
        for (const auto& [key, value] : req.params) {
            if (key == "family") {
                auto f = core::parseFamily(value);
                if (!f) return jsonError(400, "unknown family '" + value + "'");
                families.push_back(*f);
            } else if (key == "kind") {
                auto k = core::parseKind(value);
                if (!k) return jsonError(400, "unknown kind '" + value + "'");
                kinds.push_back(*k);
            } else {
                return jsonError(400, "unknown parameter '" + key + "' (family and kind are accepted)");
            }
        }
        auto snap = sampler.latest();
        if (!snap) return jsonError(503, "no snapshot taken yet");
        auto wanted = [&](core::Family f, std::optional<core::Kind> k) {
            if (!families.empty() && std::find(families.begin(), families.end(), f) == families.end()) return false;
            return kinds.empty() || !k || std::find(kinds.begin(), kinds.end(), *k) != kinds.end();
        };
        core::Snapshot shown;
        shown.host = snap->host;
        shown.platform = snap->platform;
        shown.takenAt = snap->takenAt;
        shown.duration = snap->duration;
        shown.elevated = snap->elevated;
        shown.deniedProcesses = snap->deniedProcesses;
        for (core::Family f : snap->families)
            if (wanted(f, std::nullopt)) shown.families.push_back(f);
        for (const auto& o : snap->objects)
            if (wanted(o.family(), o.kind)) shown.objects.push_back(o);
        for (const auto& e : snap->errors)
            if (!e.family || wanted(*e.family, e.kind)) shown.errors.push_back(e);
        return {200, kJson, core::renderJson(shown)};
    }

    HttpResponse health() {
        auto snap = sampler.latest();
        if (!snap) return {503, "text/plain; charset=utf-8", "starting: no snapshot yet\n"};
        // Stale when the sampler missed several intervals (a backend call stuck past its timeouts).
        const auto age = std::chrono::system_clock::now() - snap->takenAt;
        const auto limit = std::max<std::chrono::milliseconds>(std::chrono::seconds(30), options.interval * 5);
        if (age > limit) return {503, "text/plain; charset=utf-8", "stale: the latest snapshot is too old\n"};
        std::lock_guard lock(mutex);
        if (failure) return {503, "text/plain; charset=utf-8", "mailslot listener failed: " + failure->message() + "\n"};
        return {200, "text/plain; charset=utf-8", "ok\n"};
    }
};

Service::Service(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

Service::~Service() { stop(); }

core::Result<std::unique_ptr<Service>> Service::start(const ServeOptions& options) {
    // The mailslot listener first: a bad interface or a refused port is a start-up error.
    std::unique_ptr<net::DatagramMonitor> monitor;
    if (!options.mailslotIface.empty()) {
        auto mo = net::monitorOnInterface(options.mailslotIface, options.mailslotPort);
        if (!mo) return mo.error();
        auto m = net::DatagramMonitor::start(*mo);
        if (!m) return m.error();
        monitor = std::move(*m);
    }
    auto impl = std::make_unique<Impl>(options);
    impl->monitor = std::move(monitor);
    Impl* p = impl.get();
    std::map<std::string, HttpHandler> routes;
    routes["/metrics"] = [p](const HttpRequest&) { return p->metrics(); };
    routes["/api/snapshot"] = [p](const HttpRequest& r) { return p->snapshot(r); };
    routes["/healthz"] = [p](const HttpRequest&) { return p->health(); };
    routes["/"] = [](const HttpRequest&) {
        return HttpResponse{200, "text/plain; charset=utf-8",
                            "ipcscope exporter: /metrics (Prometheus), /api/snapshot?family=&kind= (JSON), /healthz\n"};
    };
    auto http = HttpServer::start(options.listen, std::move(routes), options.limits);
    if (!http) return http.error();
    impl->http = std::move(*http);
    impl->watcher = std::thread([p] { p->watch(); });
    return std::unique_ptr<Service>(new Service(std::move(impl)));
}

const net::ListenAddress& Service::bound() const noexcept { return m_impl->http->bound(); }

std::optional<core::Error> Service::failure() const {
    std::lock_guard lock(m_impl->mutex);
    return m_impl->failure;
}

void Service::stop() {
    auto& m = *m_impl;
    {
        std::lock_guard lock(m.stopMutex);
        if (m.stopping) return;
        m.stopping = true;
    }
    m.stopCv.notify_all();
    if (m.http) m.http->stop();
    if (m.watcher.joinable()) m.watcher.join();
    if (m.monitor) m.monitor->stop();
}

}  // namespace ipcscope::serve
