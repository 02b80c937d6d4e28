#include "core/model.h"

#include "base/text.h"

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <numeric>
#include <tuple>

namespace ipcscope::core {
namespace {

struct KindInfo {
    Kind kind;
    std::string_view name;
    Family family;
    bool onLinux;
    bool onWindows;
};

// The capability table. Order is the display order within a family.
constexpr KindInfo kKinds[] = {
    {Kind::NamedPipe, "named-pipe", Family::Pipes, false, true},
    {Kind::Fifo, "fifo", Family::Pipes, true, false},
    {Kind::AnonPipe, "anon-pipe", Family::Pipes, true, false},
    {Kind::UnixSocket, "unix-socket", Family::Pipes, true, false},
    {Kind::Mailslot, "mailslot", Family::Mailslots, false, true},
    {Kind::Section, "section", Family::Mappings, false, true},
    {Kind::PosixShm, "posix-shm", Family::Mappings, true, false},
    {Kind::SysvShm, "sysv-shm", Family::Mappings, true, false},
    {Kind::Memfd, "memfd", Family::Mappings, true, false},
    {Kind::SharedFileMapping, "shared-file-mapping", Family::Mappings, true, false},
    {Kind::SharedDll, "shared-dll", Family::Mappings, false, true},
    {Kind::SysvMsg, "sysv-msg", Family::Queues, true, false},
    {Kind::PosixMq, "posix-mq", Family::Queues, true, false},
    {Kind::AlpcPort, "alpc-port", Family::Queues, false, true},
    {Kind::SysvSem, "sysv-sem", Family::Sync, true, false},
    {Kind::Event, "event", Family::Sync, false, true},
    {Kind::Mutex, "mutex", Family::Sync, false, true},
    {Kind::Semaphore, "semaphore", Family::Sync, false, true},
    {Kind::ClipboardFormat, "clipboard-format", Family::Clipboard, true, true},
    {Kind::TcpSocket, "tcp", Family::Sockets, true, true},
    {Kind::UdpSocket, "udp", Family::Sockets, true, true},
    {Kind::Window, "window", Family::Windows, false, true},
    {Kind::DdeServer, "dde", Family::Services, false, true},
    {Kind::RotEntry, "rot", Family::Services, false, true},
    {Kind::RpcEndpoint, "rpc", Family::Services, false, true},
    {Kind::DbusName, "dbus-name", Family::Services, true, false},
};
static_assert(std::size(kKinds) == kAllKinds.size());

const KindInfo& info(Kind k) noexcept {
    for (const auto& i : kKinds)
        if (i.kind == k) return i;
    return kKinds[0];
}

}  // namespace

std::string_view familyName(Family f) noexcept {
    switch (f) {
    case Family::Pipes: return "pipes";
    case Family::Mailslots: return "mailslots";
    case Family::Mappings: return "mappings";
    case Family::Queues: return "queues";
    case Family::Sync: return "sync";
    case Family::Clipboard: return "clipboard";
    case Family::Sockets: return "sockets";
    case Family::Windows: return "windows";
    case Family::Services: return "services";
    }
    return "pipes";
}

std::string_view kindName(Kind k) noexcept { return info(k).name; }

std::string_view platformName(Platform p) noexcept {
    switch (p) {
    case Platform::Linux: return "linux";
    case Platform::Windows: return "windows";
    case Platform::Unsupported: return "unsupported";
    }
    return "unsupported";
}

Family familyOf(Kind k) noexcept { return info(k).family; }

std::optional<Family> parseFamily(std::string_view name) noexcept {
    for (Family f : kAllFamilies)
        if (familyName(f) == name) return f;
    return std::nullopt;
}

std::optional<Kind> parseKind(std::string_view name) noexcept {
    for (const auto& i : kKinds)
        if (i.name == name) return i.kind;
    return std::nullopt;
}

bool kindSupported(Kind k, Platform p) noexcept {
    const auto& i = info(k);
    switch (p) {
    case Platform::Linux: return i.onLinux;
    case Platform::Windows: return i.onWindows;
    case Platform::Unsupported: return false;
    }
    return false;
}

bool familySupported(Family f, Platform p) noexcept {
    return std::any_of(std::begin(kKinds), std::end(kKinds),
                       [&](const KindInfo& i) { return i.family == f && kindSupported(i.kind, p); });
}

std::vector<Kind> kindsOf(Family f, Platform p) {
    std::vector<Kind> out;
    for (const auto& i : kKinds)
        if (i.family == f && kindSupported(i.kind, p)) out.push_back(i.kind);
    return out;
}

void IpcObject::addHolder(Holder h) {
    auto it = std::lower_bound(pids.begin(), pids.end(), h.pid);
    if (it == pids.end() || *it != h.pid) pids.insert(it, h.pid);
    if (std::find(holders.begin(), holders.end(), h) == holders.end()) holders.push_back(std::move(h));
}

bool Snapshot::wantsDeepLook(std::string_view name) const {
    if (!deep) return false;
    if (deepMatch.empty()) return true;
    return base::containsNoCase(name, deepMatch);
}

void Snapshot::sort() {
    // Sorts positions, then moves each row once into its place: a stable sort of the rows
    // themselves would allocate a buffer of half the rows and move each row several times.
    std::vector<std::uint32_t> order(objects.size());
    std::iota(order.begin(), order.end(), 0u);
    std::stable_sort(order.begin(), order.end(), [this](std::uint32_t i, std::uint32_t j) {
        const IpcObject& a = objects[i];
        const IpcObject& b = objects[j];
        return std::tuple(static_cast<int>(a.family()), static_cast<int>(a.kind), std::string_view(a.name)) <
               std::tuple(static_cast<int>(b.family()), static_cast<int>(b.kind), std::string_view(b.name));
    });
    // Position k takes the row at order[k]: follow each cycle of the permutation once.
    for (std::size_t start = 0; start < order.size(); ++start) {
        if (order[start] == start) continue;
        IpcObject held = std::move(objects[start]);
        std::size_t k = start;
        while (order[k] != start) {
            const std::size_t from = order[k];
            objects[k] = std::move(objects[from]);
            order[k] = static_cast<std::uint32_t>(k);
            k = from;
        }
        objects[k] = std::move(held);
        order[k] = static_cast<std::uint32_t>(k);
    }
}

std::string isoUtc(std::chrono::system_clock::time_point t) {
    using namespace std::chrono;
    const auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count();
    std::time_t secs = static_cast<std::time_t>(ms / 1000);
    if (ms < 0 && ms % 1000 != 0) --secs;
    std::tm tm{};
#if defined(_WIN32)
    gmtime_s(&tm, &secs);
#else
    gmtime_r(&secs, &tm);
#endif
    return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:03d}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                       tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(((ms % 1000) + 1000) % 1000));
}

}  // namespace ipcscope::core
