#pragma once
// The system handle table and what collectors do with it: which process holds which object.
//
// Context is created once per snapshot and shared by every collector: it queries the table
// (NtQuerySystemInformation class 64, falling back to 16), learns type indexes from handles of
// known type it opened itself (Wine's indexes are offset from its type list), opens each owning
// process once for PROCESS_DUP_HANDLE (counting those it may not open), and names every File
// handle of other processes on a QueryWorker, since such queries can block forever.

#include "core/model.h"
#include "platform/windows/nt.h"
#include "platform/windows/nt_parse.h"
#include "platform/windows/pipe_rows.h"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ipcscope::win {

/// Owns a Win32 HANDLE (null and INVALID_HANDLE_VALUE both mean none).
class UniqueHandle {
public:
    UniqueHandle() = default;
    explicit UniqueHandle(HANDLE h) noexcept : m_h(h == INVALID_HANDLE_VALUE ? nullptr : h) {}
    ~UniqueHandle() { reset(); }
    UniqueHandle(UniqueHandle&& o) noexcept : m_h(o.release()) {}
    UniqueHandle& operator=(UniqueHandle&& o) noexcept {
        if (this != &o) {
            reset();
            m_h = o.release();
        }
        return *this;
    }
    UniqueHandle(const UniqueHandle&) = delete;
    UniqueHandle& operator=(const UniqueHandle&) = delete;

    [[nodiscard]] HANDLE get() const noexcept { return m_h; }
    explicit operator bool() const noexcept { return m_h != nullptr; }
    HANDLE release() noexcept {
        HANDLE h = m_h;
        m_h = nullptr;
        return h;
    }
    void reset(HANDLE h = nullptr) noexcept {
        if (m_h) CloseHandle(m_h);
        m_h = h == INVALID_HANDLE_VALUE ? nullptr : h;
    }

private:
    HANDLE m_h = nullptr;
};

/// Runs queries that may block forever (name or information queries on file handles with a
/// synchronous I/O pending) on a long-lived worker thread, waiting at most `timeout` for each.
/// On a timeout the worker is terminated and a fresh one started for the next query, as System
/// Informer does. Query functions run on the worker and must neither allocate nor lock: they
/// get a buffer owned by the worker and only call the OS.
class QueryWorker {
public:
    /// A query: fill `buffer` (of `size` bytes) about `handle`, set `*used`, return an NTSTATUS.
    using Fn = NTSTATUS (*)(HANDLE handle, void* buffer, ULONG size, ULONG* used);

    /// Size of the worker's buffer: the most one query can return.
    static constexpr ULONG kBufferSize = 64 * 1024;

    explicit QueryWorker(std::chrono::milliseconds timeout = std::chrono::milliseconds(200));
    ~QueryWorker();
    QueryWorker(const QueryWorker&) = delete;
    QueryWorker& operator=(const QueryWorker&) = delete;

    /// Runs fn(handle) on the worker. The bytes it reported as used, or an NtStatus error, or
    /// Errc::Timeout (the worker was replaced), or Errc::Io if no worker thread could start.
    [[nodiscard]] core::Result<std::vector<std::uint8_t>> run(Fn fn, HANDLE handle);

    /// How many queries timed out (and so how many workers were terminated).
    [[nodiscard]] unsigned timeouts() const noexcept { return m_timeouts; }

private:
    struct State;
    bool start();
    void abandon();

    std::chrono::milliseconds m_timeout;
    State* m_state = nullptr;
    unsigned m_timeouts = 0;
};

/// NtQueryObject(ObjectNameInformation) on the worker: the object's NT name ("" if unnamed).
[[nodiscard]] core::Result<std::u16string> queryObjectName(QueryWorker& worker, HANDLE h);

/// NtQueryInformationFile(FilePipeLocalInformation) on the worker.
[[nodiscard]] core::Result<PipeLocalInfo> queryPipeLocal(QueryWorker& worker, HANDLE h);

/// GetMailslotInfo on the worker.
[[nodiscard]] core::Result<MailslotInfo> queryMailslot(QueryWorker& worker, HANDLE h);

/// A handle of another process with its object's NT name.
struct NamedHandle {
    HandleEntry entry;
    std::u16string name;
};

/// The handle table state shared by the collectors of one snapshot. Everything is computed on
/// first use, so a snapshot that needs no handle pays nothing.
class Context {
public:
    Context();
    ~Context();
    Context(const Context&) = delete;
    Context& operator=(const Context&) = delete;

    /// The system handle table, or why it could not be read.
    [[nodiscard]] const core::Result<std::vector<HandleEntry>>& handleTable();

    /// The table's type index for a type name ("File", "Section", "Event", "Key"), learnt from
    /// a handle of that type this process held while the table was taken.
    [[nodiscard]] std::optional<std::uint16_t> typeIndex(std::string_view typeName);

    /// Every named File handle of other processes (pipes, mailslots, files, devices). Handles
    /// of processes that cannot be opened are skipped and the process counted as denied.
    /// Unnamed File handles (sockets, anonymous pipes) are not kept: walk handleTable() with
    /// typeIndex("File") and duplicate() for those.
    [[nodiscard]] const std::vector<NamedHandle>& namedFileHandles();

    /// The opened process for an entry's pid (PROCESS_DUP_HANDLE), or null if denied or gone.
    [[nodiscard]] HANDLE process(std::uint32_t pid);

    /// Duplicates a handle of another process into this one with the same access; null when
    /// the process cannot be opened or the handle is gone.
    [[nodiscard]] UniqueHandle duplicate(const HandleEntry& entry);

    /// The worker shared by every blocking query of the snapshot.
    [[nodiscard]] QueryWorker& worker() { return m_worker; }

    /// Executable name of a process ("" when unknown).
    [[nodiscard]] const std::string& processName(std::uint32_t pid);

    /// A holder row: pid, process name and "handle 0x1c" plus `role`.
    [[nodiscard]] core::Holder holder(const HandleEntry& entry, std::string_view role);

    /// Processes that could not be opened for handle duplication.
    [[nodiscard]] std::uint32_t deniedProcesses() const noexcept { return m_denied; }

    /// Adds what the handle table work found to the snapshot: deniedProcesses and, once, the
    /// errors of shared sources (the table itself, name query timeouts).
    void finish(core::Snapshot& out);

private:
    void loadTable();
    void loadProcessNames();
    void enableDebugPrivilege();

    QueryWorker m_worker;
    std::optional<core::Result<std::vector<HandleEntry>>> m_table;
    std::map<std::string, std::uint16_t, std::less<>> m_typeIndex;
    std::optional<std::vector<NamedHandle>> m_named;
    std::map<std::uint32_t, UniqueHandle> m_processes;  ///< null handle: denied or gone
    std::optional<std::map<std::uint32_t, std::string>> m_names;
    std::uint32_t m_denied = 0;
    std::uint32_t m_skippedStuck = 0;  ///< handles that timed out in an earlier snapshot
    std::uint32_t m_self = 0;
};

}  // namespace ipcscope::win
