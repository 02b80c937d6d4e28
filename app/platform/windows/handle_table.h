#pragma once
// The system handle table and what collectors do with it: which process holds which object.
//
// Context is created once per snapshot and shared by every collector: it queries the table
// (NtQuerySystemInformation class 64, falling back to 16), learns type indexes from handles of
// known type it opened itself (Wine's indexes are offset from its type list), opens each owning
// process once for PROCESS_DUP_HANDLE (counting those it may not open), and names every File
// handle of other processes with scanHandles: queries that can block forever (System Informer
// #746, git-for-windows #2376) run on timed QueryWorkers, several at once, within a time budget.

#include "core/model.h"
#include "windows/nt.h"
#include "windows/nt_parse.h"
#include "windows/pipe_rows.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
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
    /// A query about `handle`. `buffer` (of `size` bytes) holds the caller's input, `*used` bytes
    /// of it, on entry; the query overwrites it with its answer, sets `*used` and returns an NTSTATUS.
    using Fn = NTSTATUS (*)(HANDLE handle, void* buffer, ULONG size, ULONG* used);

    /// Size of the worker's buffer: the most one query can take or return.
    static constexpr ULONG kBufferSize = 64 * 1024;

    /// A leak guard, not the scan's limit (that is ScanLimits::budget): after this many
    /// terminated workers, each of which leaks its state (see abandon), run() refuses.
    static constexpr unsigned kMaxTimeouts = 64;

    explicit QueryWorker(std::chrono::milliseconds timeout = std::chrono::milliseconds(200));
    ~QueryWorker();
    QueryWorker(const QueryWorker&) = delete;
    QueryWorker& operator=(const QueryWorker&) = delete;

    /// Runs fn(handle) on the worker with `input` at the start of its buffer. The bytes it
    /// reported as used, or an NtStatus error, or Errc::Timeout (the worker was replaced), or
    /// Errc::Io if no worker thread could start, or Errc::TooLarge if `input` does not fit.
    [[nodiscard]] core::Result<std::vector<std::uint8_t>> run(Fn fn, HANDLE handle,
                                                              std::span<const std::uint8_t> input = {});

    /// How many queries timed out (and so how many workers were terminated).
    [[nodiscard]] unsigned timeouts() const noexcept { return m_timeouts; }
    [[nodiscard]] std::chrono::milliseconds timeout() const noexcept { return m_timeout; }

private:
    struct State;
    bool start();
    void abandon();

    std::chrono::milliseconds m_timeout;
    State* m_state = nullptr;
    unsigned m_timeouts = 0;
};

/// Handles whose queries timed out, remembered across snapshots so a GUI refreshing every few
/// seconds does not wait on the same stuck handle each time. Thread-safe and bounded.
/// NOTE: a handle value reused by its process for another object with the same access is
/// skipped too until the set is cleared.
class StuckHandles {
public:
    /// The set shared by every snapshot of this process.
    static StuckHandles& shared();

    [[nodiscard]] bool contains(const HandleEntry& e) const;
    void remember(const HandleEntry& e);

private:
    mutable std::mutex m_mutex;
    std::set<std::tuple<std::uint32_t, std::uint64_t, std::uint32_t>> m_set;
};

/// The limits of one scan of handles.
struct ScanLimits {
    std::chrono::milliseconds perQuery{200};  ///< one query's timeout
    std::chrono::milliseconds budget{4000};   ///< no query starts after this much of the scan
    unsigned workers = 4;                     ///< queries in flight at once, one QueryWorker each
};

/// What a scan did with each handle: every handle it was given is in exactly one count.
struct ScanReport {
    std::uint32_t answered = 0;    ///< the query answered (successfully or with an error)
    std::uint32_t skipped = 0;     ///< the opener gave no handle (process gone, not the wanted type)
    std::uint32_t timedOut = 0;    ///< did not answer in time: at most one per kernel object
    std::uint32_t sameObject = 0;  ///< not asked: another handle of an object that timed out
    std::uint32_t knownStuck = 0;  ///< not asked: timed out in an earlier snapshot
    std::uint32_t overBudget = 0;  ///< not asked: the scan's time budget was spent
    std::chrono::milliseconds perQuery{0};
    std::chrono::milliseconds budget{0};

    /// Handles whose query gave no answer (timedOut + sameObject + knownStuck + overBudget).
    [[nodiscard]] std::uint32_t unexamined() const noexcept;
    /// One sentence: how many handles were left unexamined and why ("" when none were).
    [[nodiscard]] std::string describe(std::string_view what) const;
    /// Adds the counts; the limits become the larger of the two.
    void add(const ScanReport& other) noexcept;
};

/// Opens the handle to query for a table entry (a duplicate in this process), or returns null
/// to skip the entry. Called from several threads at once.
using HandleOpener = std::function<UniqueHandle(const HandleEntry&)>;

/// An answer of a scan: the index of the entry in the scanned span and the query's bytes.
struct ScanAnswer {
    std::size_t index = 0;
    std::vector<std::uint8_t> bytes;
};

/// Runs `fn` on every entry's opened handle with `limits.workers` QueryWorkers in parallel.
/// Handles of one kernel object (same non-zero Object address) go to one worker in turn: once
/// one of them times out, the others are not asked (their queries would block the same way).
/// Entries `stuck` remembers are not asked; those that time out are remembered. No query
/// starts once `limits.budget` has passed, so the scan ends within budget + perQuery. Answers
/// come back in entry order; `report` counts what happened to every entry.
[[nodiscard]] std::vector<ScanAnswer> scanHandles(std::span<const HandleEntry> entries, const HandleOpener& open,
                                                  QueryWorker::Fn fn, const ScanLimits& limits, StuckHandles& stuck,
                                                  ScanReport& report);

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
    explicit Context(ScanLimits limits = {});
    ~Context();
    Context(const Context&) = delete;
    Context& operator=(const Context&) = delete;

    /// The system handle table, or why it could not be read.
    [[nodiscard]] const core::Result<std::vector<HandleEntry>>& handleTable();

    /// The table's type index for a type name ("File", "Section", "Event", "Key"), learnt from
    /// a handle of that type this process held while the table was taken.
    [[nodiscard]] std::optional<std::uint16_t> typeIndex(std::string_view typeName);

    /// Every named File handle of other processes (pipes, mailslots, files, devices), named by
    /// scanHandles within the Context's limits. Handles of processes that cannot be opened are
    /// skipped and the process counted as denied.
    /// Unnamed File handles (sockets, anonymous pipes) are not kept: walk handleTable() with
    /// typeIndex("File") and duplicate() for those.
    [[nodiscard]] const std::vector<NamedHandle>& namedFileHandles() { return namedHandles("File"); }

    /// The same for handles of another type ("Section", "Event", "Mutant", "Semaphore",
    /// "ALPC Port"): named on the timed workers too, within the same limits per type. Empty when
    /// typeIndex(typeName) is unknown (only File handles are then told apart by asking each one).
    [[nodiscard]] const std::vector<NamedHandle>& namedHandles(std::string_view typeName);

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

    /// What the name scans of namedHandles() did, all types together (zero before one ran).
    [[nodiscard]] const ScanReport& nameScan() const noexcept { return m_scan; }

    /// Adds what the handle table work found to the snapshot: deniedProcesses, the handles the
    /// name scan left unexamined and why, and, once, the errors of shared sources.
    void finish(core::Snapshot& out);

private:
    void loadTable();
    void loadProcessNames();
    void enableDebugPrivilege();
    void openProcesses(std::span<const HandleEntry> entries);

    ScanLimits m_limits;
    QueryWorker m_worker;
    ScanReport m_scan;
    std::optional<core::Result<std::vector<HandleEntry>>> m_table;
    std::map<std::string, std::uint16_t, std::less<>> m_typeIndex;
    std::map<std::string, std::vector<NamedHandle>, std::less<>> m_named;  ///< by type name
    std::map<std::uint32_t, UniqueHandle> m_processes;  ///< null handle: denied or gone
    std::optional<std::map<std::uint32_t, std::string>> m_names;
    std::uint32_t m_denied = 0;
    std::uint32_t m_self = 0;
};

}  // namespace ipcscope::win
