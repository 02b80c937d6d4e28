#pragma once
// The Linux collectors, one per family; backend.cpp dispatches to them.

#include "core/model.h"
#include "platform/linux/diag_unix.h"
#include "platform/linux/proc_scan.h"

#include <optional>
#include <string>

namespace ipcscope::lnx {

/// Fills a row's details: keys are appended without a lookup (each is set once) into storage
/// reserved up front and trimmed to fit at the end. With tens of thousands of rows the lookups and regrowth of an
/// ordered_json object cost more than everything else a collector does.
class Details {
public:
    Details(nlohmann::ordered_json& details, std::size_t expectedKeys)
        : m_obj((details = nlohmann::ordered_json::object()).get_ref<nlohmann::ordered_json::object_t&>()) {
        m_obj.reserve(expectedKeys);
    }
    /// Gives back what the reservation did not use: the freed block serves the next row's
    /// reservation, so the rows together take only the memory their keys need.
    ~Details() {
        if (m_obj.size() < m_obj.capacity()) m_obj.shrink_to_fit();
    }
    Details(const Details&) = delete;
    Details& operator=(const Details&) = delete;
    template <class V>
    void add(std::string_view key, V&& value) {
        m_obj.emplace_back(std::piecewise_construct, std::forward_as_tuple(key), std::forward_as_tuple(std::forward<V>(value)));
    }

private:
    nlohmann::ordered_json::object_t& m_obj;
};

/// "0644": the permission bits of a mode, in octal.
[[nodiscard]] std::string octalMode(unsigned mode);
/// The user name of a uid (cached per thread), or the number when it has none.
[[nodiscard]] std::string userName(std::uint32_t uid);
/// ISO 8601 UTC of seconds since the epoch; null for 0 ("never").
[[nodiscard]] nlohmann::ordered_json epochOrNull(std::int64_t t);

/// FIFOs, anonymous pipes and Unix domain sockets. `diag` is the unix_diag dump of the live
/// kernel when the caller took it (possibly failed); null means /proc/net/unix (fixture trees).
void collectPipes(const ProcScan& scan, core::Result<std::vector<UnixDiagEntry>>* diag, core::Snapshot& out);

/// POSIX shm, System V shm, memfds and shared file mappings.
void collectMappings(const ProcScan& scan, core::Snapshot& out);

/// One of the kernel's TCP/UDP tables (tcp, tcp6, udp, udp6), read ahead of the collector.
struct InetTable {
    bool read = false;
    bool fromDiag = false;  ///< inet_diag answered (else /proc/net text)
    std::vector<InetEntry> entries;
    std::size_t bad = 0;               ///< malformed /proc/net lines skipped
    std::optional<core::Error> error;  ///< the source failed as a whole
};
struct InetTables {
    InetTable tcp, tcp6, udp, udp6;
};
/// Reads the four tables: inet_diag on the live kernel (`live`), else /proc/net text under root.
[[nodiscard]] InetTables readInetTables(const std::string& root, bool live);

/// TCP and UDP endpoints, v4 and v6, from tables read ahead (null: read them now).
void collectSockets(const ProcScan& scan, const InetTables* tables, core::Snapshot& out);

/// System V message queues and POSIX message queues (held ones from the fd walk, all of them
/// from an mqueue file system: the mounted one, else a private mount when running as root).
void collectQueues(const ProcScan& scan, core::Snapshot& out);

/// System V semaphore sets.
void collectSync(const ProcScan& scan, core::Snapshot& out);

/// D-Bus names on the system bus, the session buses found and the addresses asked for. A bus
/// that cannot be reached or does not answer in time is an error entry.
void collectDbus(const ProcScan& scan, core::Snapshot& out);

/// X11 CLIPBOARD and PRIMARY: owners and their targets. Without a display, an error.
void collectClipboard(const ProcScan& scan, core::Snapshot& out);

}  // namespace ipcscope::lnx
