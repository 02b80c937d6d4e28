#pragma once
/// Who talks to whom: the processes at the other end of each channel a process holds. Used by
/// the process view and the connection graph.
///
/// The other end of an object is every other process that holds it (both ends of a pipe or
/// FIFO, a shared mapping), the processes holding the peer of a Unix socket (`peer_pids`), and for
/// a loopback TCP connection the processes holding the socket whose local address is this one's
/// remote address.

#include "core/model.h"

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace ipcscope::core {

struct ProcessInfo {
    std::int64_t pid = 0;
    std::string command;
    std::size_t objects = 0;  ///< objects it holds
};

struct Link {
    const IpcObject* object = nullptr;
    std::string how;                   ///< how `pid` holds it ("fd 3 r", ...), joined
    std::vector<std::int64_t> others;  ///< processes at the other end, sorted, without `pid`
};

/// An index of one snapshot: processes, and for each process the objects it holds.
class LinkIndex {
public:
    explicit LinkIndex(const Snapshot& snap);

    /// Every process that holds something, by PID.
    [[nodiscard]] const std::vector<ProcessInfo>& processes() const noexcept { return m_processes; }
    [[nodiscard]] const ProcessInfo* process(std::int64_t pid) const;
    /// The objects `pid` holds with the processes at their other ends.
    [[nodiscard]] std::vector<Link> linksOf(std::int64_t pid) const;

private:
    [[nodiscard]] std::vector<std::int64_t> holdersOf(const IpcObject& obj) const;

    std::vector<ProcessInfo> m_processes;  // sorted by pid
    std::unordered_map<std::int64_t, std::vector<const IpcObject*>> m_held;
    std::unordered_map<std::string, const IpcObject*> m_tcpByLocal;  // loopback TCP by local address
};

}  // namespace ipcscope::core
