// The Linux backend: the platform functions declared in core/platform.h.

#include "base/code_page.h"
#include "core/platform.h"
#include "platform/linux/collectors.h"
#include "platform/linux/diag_unix.h"

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <future>
#include <system_error>
#include <spdlog/spdlog.h>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#include <sys/mman.h>
#endif

namespace ipcscope::platform {

core::Platform current() noexcept { return core::Platform::Linux; }

std::string hostName() {
    char buf[HOST_NAME_MAX + 1] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0) return "localhost";
    return buf;
}

bool isElevated() { return ::geteuid() == 0; }

unsigned oemCodePage() { return base::kDefaultOemCodePage; }

void prepareOneShotHeap() {
#if defined(__GLIBC__)
    // A snapshot of 10,000 Unix sockets allocates about 15 MB in blocks of 30 to 600 bytes,
    // and each 4 KiB page first touched costs a page fault, which on a virtual machine can be
    // most of the snapshot's time. Grown in one step and advised as huge pages, the heap takes
    // a fault per 2 MiB instead. Every thread allocates from that one heap (the fd walk's
    // threads too, whose rows the main thread reads), and large blocks (the row vector) come
    // from it rather than from separate mappings.
    constexpr std::size_t kReserve = 64u << 20;
    constexpr std::uintptr_t kHuge = 2u << 20;
    ::mallopt(M_ARENA_MAX, 1);
    ::mallopt(M_MMAP_THRESHOLD, 32 << 20);
    ::mallopt(M_TOP_PAD, static_cast<int>(kReserve));
    ::mallopt(M_TRIM_THRESHOLD, static_cast<int>(2 * kReserve));
    void* first = std::malloc(kHuge);  // grows the heap by kReserve at once (M_TOP_PAD)
    if (!first) return;
    const auto lo = (reinterpret_cast<std::uintptr_t>(first) + kHuge - 1) & ~(kHuge - 1);
    const auto hi = reinterpret_cast<std::uintptr_t>(::sbrk(0)) & ~(kHuge - 1);
    std::free(first);  // kept in the heap: below M_TRIM_THRESHOLD
    // Fails harmlessly where transparent huge pages are off: the heap is then as before.
    if (hi > lo) (void)::madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_HUGEPAGE);
#endif
}

void collect(std::span<const core::Family> families, core::Snapshot& out) {
    auto wants = [&](core::Family f) { return std::find(families.begin(), families.end(), f) != families.end(); };
    // The kernel's socket tables do not depend on the fd walk: one thread reads them meanwhile.
    struct Tables {
        std::optional<core::Result<std::vector<lnx::UnixDiagEntry>>> unixSockets;
        std::optional<lnx::InetTables> inet;
    };
    const bool live = lnx::procRoot() == "/proc";
    const bool pipes = wants(core::Family::Pipes), sockets = wants(core::Family::Sockets);
    auto readTables = [pipes, sockets, live, root = lnx::procRoot()] {
        Tables t;
        if (pipes && live) t.unixSockets = lnx::queryUnixDiag();
        if (sockets) t.inet = lnx::readInetTables(root, live);
        return t;
    };
    std::future<Tables> tables;
    if ((pipes && live) || sockets) {
        try {
            tables = std::async(std::launch::async, readTables);
        } catch (const std::system_error&) {
            tables = std::async(std::launch::deferred, readTables);  // no thread to spare: read after the walk
        }
    }
    // One fd walk serves every family of the snapshot: it is the expensive part. Maps are read
    // in the same walk, and only when the mappings family is asked for.
    using Clock = std::chrono::steady_clock;
    auto mark = Clock::now();
    auto phase = [&](const char* what) {  // `ipcscope -vv` shows where a snapshot spends its time
        const auto now = Clock::now();
        spdlog::debug("linux backend: {} took {:.1f} ms", what, std::chrono::duration<double, std::milli>(now - mark).count());
        mark = now;
    };
    const auto scan = lnx::ProcScan::run(lnx::procRoot(), {.maps = wants(core::Family::Mappings)});
    phase("fd walk");
    out.deniedProcesses = scan.deniedProcesses();
    if (scan.deniedProcesses() > 0)
        out.errors.push_back({std::nullopt, std::nullopt,
                              core::Error::make(core::Errc::PermissionDenied,
                                                "run as root to see the objects of " +
                                                    std::to_string(scan.deniedProcesses()) + " more processes")});
    Tables t;
    if (tables.valid()) t = tables.get();
    phase("socket tables (after the walk)");
    // Room for every row up front: growing the row vector would copy it several times over.
    std::size_t rows = scan.pipes().size() + scan.sockets().size() + scan.paths().size() + scan.memfds().size() + 256;
    if (t.unixSockets && t.unixSockets->ok()) rows += t.unixSockets->value().size();
    if (t.inet)
        for (const auto* table : {&t.inet->tcp, &t.inet->tcp6, &t.inet->udp, &t.inet->udp6}) rows += table->entries.size();
    out.objects.reserve(out.objects.size() + rows);
    for (core::Family family : families) {
        switch (family) {
        case core::Family::Pipes: lnx::collectPipes(scan, t.unixSockets ? &*t.unixSockets : nullptr, out); break;
        case core::Family::Mappings: lnx::collectMappings(scan, out); break;
        case core::Family::Sockets: lnx::collectSockets(scan, t.inet ? &*t.inet : nullptr, out); break;
        case core::Family::Clipboard: lnx::collectClipboard(scan, out); break;
        case core::Family::Queues: lnx::collectQueues(scan, out); break;
        case core::Family::Sync: lnx::collectSync(scan, out); break;
        case core::Family::Services: lnx::collectDbus(scan, out); break;
        default:
            out.errors.push_back({family, std::nullopt,
                                  core::Error::make(core::Errc::NotSupported,
                                                    std::string(core::familyName(family)) +
                                                        " are not collected on linux yet")});
            break;
        }
        phase(std::string(core::familyName(family)).c_str());
    }
}

}  // namespace ipcscope::platform
