#pragma once
// The Linux collectors, one per family; backend.cpp dispatches to them.

#include "core/model.h"
#include "platform/linux/diag_unix.h"
#include "platform/linux/proc_scan.h"

#include <optional>
#include <string>

namespace ipcscope::lnx {

/// Fills a row's details: keys are appended without a lookup (each is set once) into storage
/// reserved up front. With tens of thousands of rows the lookups and regrowth of an
/// ordered_json object cost more than everything else a collector does.
class Details {
public:
    Details(nlohmann::ordered_json& details, std::size_t expectedKeys)
        : m_obj((details = nlohmann::ordered_json::object()).get_ref<nlohmann::ordered_json::object_t&>()) {
        m_obj.reserve(expectedKeys);
    }
    template <class V>
    void add(std::string_view key, V&& value) {
        m_obj.emplace_back(std::piecewise_construct, std::forward_as_tuple(key), std::forward_as_tuple(std::forward<V>(value)));
    }

private:
    nlohmann::ordered_json::object_t& m_obj;
};

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

/// X11 CLIPBOARD and PRIMARY: owners and their targets. Without a display, an error.
void collectClipboard(const ProcScan& scan, core::Snapshot& out);

}  // namespace ipcscope::lnx
