// The Linux backend: the platform functions declared in core/platform.h.

#include "core/platform.h"
#include "linux/collectors.h"

#include <climits>
#include <unistd.h>

namespace ipcscope::platform {

core::Platform current() noexcept { return core::Platform::Linux; }

std::string hostName() {
    char buf[HOST_NAME_MAX + 1] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0) return "localhost";
    return buf;
}

bool isElevated() { return ::geteuid() == 0; }

void collect(std::span<const core::Family> families, core::Snapshot& out) {
    // One fd walk serves every family of the snapshot: it is the expensive part.
    const auto scan = lnx::ProcScan::run(lnx::procRoot());
    out.deniedProcesses = scan.deniedProcesses();
    if (scan.deniedProcesses() > 0)
        out.errors.push_back({std::nullopt, std::nullopt,
                              core::Error::make(core::Errc::PermissionDenied,
                                                "run as root to see the objects of " +
                                                    std::to_string(scan.deniedProcesses()) + " more processes")});
    for (core::Family family : families) {
        switch (family) {
        case core::Family::Pipes: lnx::collectPipes(scan, out); break;
        case core::Family::Mappings: lnx::collectMappings(scan, out); break;
        case core::Family::Sockets: lnx::collectSockets(scan, out); break;
        case core::Family::Clipboard: lnx::collectClipboard(scan, out); break;
        default:
            out.errors.push_back({family, std::nullopt,
                                  core::Error::make(core::Errc::NotSupported,
                                                    std::string(core::familyName(family)) +
                                                        " are not collected on linux yet")});
            break;
        }
    }
}

}  // namespace ipcscope::platform
