// The system handle table (see handle_table.h).

#include "windows/handle_table.h"

#include "windows/nt.h"

#include <tlhelp32.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <thread>

namespace ipcscope::win {
namespace {

// The handle table of a busy machine is a few MiB; it is asked for again when it grew between
// the size query and the copy.
constexpr ULONG kFirstTableSize = 1u << 20;
constexpr ULONG kMaxTableSize = 1u << 30;

std::u16string fromWide(const wchar_t* s, std::size_t n) {
    std::u16string out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) out.push_back(static_cast<char16_t>(s[i]));
    return out;
}

NTSTATUS nameQuery(HANDLE h, void* buffer, ULONG size, ULONG* used) {
    ULONG ret = 0;
    const NTSTATUS st = NtQueryObject(h, ObjectNameInformation, buffer, size, &ret);
    if (!NT_SUCCESS(st)) return st;
    // Move the characters to the start of the buffer so the caller gets plain UTF-16 bytes.
    const auto* info = static_cast<const OBJECT_NAME_INFORMATION*>(buffer);
    const ULONG len = info->Name.Buffer ? info->Name.Length : 0;
    if (len > 0) std::memmove(buffer, info->Name.Buffer, len);
    *used = len;
    return st;
}

NTSTATUS pipeLocalQuery(HANDLE h, void* buffer, ULONG size, ULONG* used) {
    IO_STATUS_BLOCK iosb{};
    const NTSTATUS st = NtQueryInformationFile(h, &iosb, buffer, std::min<ULONG>(size, sizeof(FILE_PIPE_LOCAL_INFORMATION)),
                                               FilePipeLocalInformation);
    if (NT_SUCCESS(st)) *used = static_cast<ULONG>(iosb.Information);
    return st;
}

// GetMailslotInfo wraps NtQueryInformationFile(FileMailslotQueryInformation, [MS-FSCC] 2.4.28)
// and converts its read timeout (whose "forever" encoding differs between Windows and Wine);
// the NTSTATUS of a failure is kept by RtlGetLastNtStatus.
NTSTATUS mailslotQuery(HANDLE h, void* buffer, ULONG size, ULONG* used) {
    DWORD v[4] = {};
    if (size < sizeof v) return nt::kStatusBufferTooSmall;
    if (!GetMailslotInfo(h, &v[0], &v[1], &v[2], &v[3])) {
        const NTSTATUS st = RtlGetLastNtStatus();
        return NT_SUCCESS(st) ? nt::kStatusInvalidParameter : st;
    }
    std::memcpy(buffer, v, sizeof v);
    *used = sizeof v;
    return nt::kStatusSuccess;
}

std::uint32_t u32At(const std::vector<std::uint8_t>& b, std::size_t at) {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(b[at + i]) << (8 * i);
    return v;
}

// Why processes refuse PROCESS_DUP_HANDLE: protected processes refuse even administrators;
// without elevation, processes of other users and sessions refuse too.
constexpr const char* kDeniedElevated =
    " (protected processes such as System, csrss, services, MsMpEng and lsass with RunAsPPL refuse even an "
    "administrator: objects only they hold show no holder)";
constexpr const char* kDeniedNotElevated =
    " (processes of other users and sessions refuse a non-administrator: run as administrator to see more)";

}  // namespace

// ---------------------------------------------------------------------------------------------
// QueryWorker

struct QueryWorker::State {
    HANDLE thread = nullptr;
    HANDLE request = nullptr;  // auto-reset: a query (or quit) is ready
    HANDLE done = nullptr;     // auto-reset: the query finished
    Fn fn = nullptr;
    HANDLE handle = nullptr;
    ULONG used = 0;
    NTSTATUS status = 0;
    bool quit = false;
    alignas(16) unsigned char buffer[kBufferSize];

    static DWORD WINAPI main(void* arg) {
        auto* s = static_cast<State*>(arg);
        for (;;) {
            if (WaitForSingleObject(s->request, INFINITE) != WAIT_OBJECT_0) return 1;
            if (s->quit) return 0;
            s->status = s->fn(s->handle, s->buffer, kBufferSize, &s->used);
            if (s->used > kBufferSize) s->used = kBufferSize;
            SetEvent(s->done);
        }
    }
};

QueryWorker::QueryWorker(std::chrono::milliseconds timeout) : m_timeout(timeout) {}

QueryWorker::~QueryWorker() {
    if (!m_state) return;
    m_state->quit = true;
    SetEvent(m_state->request);
    if (WaitForSingleObject(m_state->thread, static_cast<DWORD>(m_timeout.count())) != WAIT_OBJECT_0) {
        abandon();
        return;
    }
    CloseHandle(m_state->thread);
    CloseHandle(m_state->request);
    CloseHandle(m_state->done);
    delete m_state;
}

bool QueryWorker::start() {
    auto* s = new State;
    s->request = CreateEventW(nullptr, FALSE, FALSE, nullptr);
    s->done = CreateEventW(nullptr, FALSE, FALSE, nullptr);
    if (s->request && s->done) s->thread = CreateThread(nullptr, 64 * 1024, &State::main, s, 0, nullptr);
    if (!s->thread) {
        if (s->request) CloseHandle(s->request);
        if (s->done) CloseHandle(s->done);
        delete s;
        return false;
    }
    m_state = s;
    return true;
}

void QueryWorker::abandon() {
    // NOTE: the terminated thread may still be inside the kernel and write into its state when
    // the blocked call returns, so the state (buffer and events) is deliberately leaked.
    TerminateThread(m_state->thread, 1);
    CloseHandle(m_state->thread);
    m_state = nullptr;
}

core::Result<std::vector<std::uint8_t>> QueryWorker::run(Fn fn, HANDLE handle, std::span<const std::uint8_t> input) {
    if (m_timeouts >= kMaxTimeouts)
        return core::Error::make(core::Errc::Timeout, "gave up on handle queries after " +
                                                          std::to_string(m_timeouts) + " timed out");
    if (input.size() > kBufferSize) return core::Error::make(core::Errc::TooLarge, "query input larger than the buffer");
    if (!m_state && !start()) return core::Error::fromWin32(GetLastError(), "cannot start the handle query thread");
    m_state->fn = fn;
    m_state->handle = handle;
    if (!input.empty()) std::memcpy(m_state->buffer, input.data(), input.size());
    m_state->used = static_cast<ULONG>(input.size());
    SetEvent(m_state->request);
    const DWORD w = WaitForSingleObject(m_state->done, static_cast<DWORD>(m_timeout.count()));
    if (w != WAIT_OBJECT_0) {
        abandon();
        ++m_timeouts;
        return core::Error::make(core::Errc::Timeout, "handle query did not answer within " +
                                                          std::to_string(m_timeout.count()) + " ms");
    }
    if (!NT_SUCCESS(m_state->status))
        return core::Error::fromNtStatus(static_cast<std::uint32_t>(m_state->status), "handle query failed");
    return std::vector<std::uint8_t>(m_state->buffer, m_state->buffer + m_state->used);
}

// ---------------------------------------------------------------------------------------------
// StuckHandles and scanHandles

StuckHandles& StuckHandles::shared() {
    static StuckHandles s;
    return s;
}

bool StuckHandles::contains(const HandleEntry& e) const {
    std::lock_guard lock(m_mutex);
    return m_set.count({e.pid, e.handle, e.access}) != 0;
}

void StuckHandles::remember(const HandleEntry& e) {
    constexpr std::size_t kMaxStuck = 4096;
    std::lock_guard lock(m_mutex);
    if (m_set.size() >= kMaxStuck) m_set.clear();
    m_set.insert({e.pid, e.handle, e.access});
}

std::uint32_t ScanReport::unexamined() const noexcept { return timedOut + sameObject + knownStuck + overBudget; }

void ScanReport::add(const ScanReport& o) noexcept {
    answered += o.answered;
    skipped += o.skipped;
    timedOut += o.timedOut;
    sameObject += o.sameObject;
    knownStuck += o.knownStuck;
    overBudget += o.overBudget;
    perQuery = std::max(perQuery, o.perQuery);
    budget = std::max(budget, o.budget);
}

std::string ScanReport::describe(std::string_view what) const {
    if (unexamined() == 0) return {};
    std::string why;
    auto part = [&](std::uint32_t n, const std::string& text) {
        if (n > 0) why += (why.empty() ? "" : "; ") + std::to_string(n) + " " + text;
    };
    part(timedOut, "did not answer within " + std::to_string(perQuery.count()) + " ms (a synchronous I/O is pending)");
    part(sameObject, "share a kernel object with one that did not answer");
    part(knownStuck, "did not answer in an earlier snapshot");
    part(overBudget, "were not asked: the scan's " + std::to_string(budget.count()) + " ms budget was spent");
    return std::to_string(unexamined()) + " handles were left unexamined by the " + std::string(what) + ": " + why +
           ". Objects only they hold may be missing or show fewer holders";
}

namespace {

// One worker's share of a scan: groups of entry indexes claimed one at a time.
struct ScanShared {
    std::span<const HandleEntry> entries;
    std::vector<std::vector<std::size_t>> groups;  // indexes of one kernel object (or one handle)
    std::atomic<std::size_t> next{0};
    std::chrono::steady_clock::time_point deadline;
};

void scanGroups(ScanShared& shared, const HandleOpener& open, QueryWorker::Fn fn, std::chrono::milliseconds perQuery,
                StuckHandles& stuck, ScanReport& report, std::vector<ScanAnswer>& answers) {
    QueryWorker worker(perQuery);
    for (;;) {
        const std::size_t g = shared.next.fetch_add(1);
        if (g >= shared.groups.size()) return;
        const auto& group = shared.groups[g];
        bool objectStuck = false;
        for (std::size_t i : group) {
            const HandleEntry& e = shared.entries[i];
            if (objectStuck) {
                ++report.sameObject;
                continue;
            }
            if (std::chrono::steady_clock::now() >= shared.deadline) {
                ++report.overBudget;
                continue;
            }
            if (stuck.contains(e)) {
                ++report.knownStuck;
                objectStuck = e.object != 0;
                continue;
            }
            UniqueHandle h = open(e);
            if (!h) {
                ++report.skipped;
                continue;
            }
            auto bytes = worker.run(fn, h.get());
            if (bytes) {
                ++report.answered;
                answers.push_back({i, std::move(*bytes)});
            } else if (bytes.error().code == core::Errc::Timeout) {
                ++report.timedOut;
                stuck.remember(e);
                objectStuck = e.object != 0;
            } else {
                ++report.answered;
            }
        }
    }
}

}  // namespace

std::vector<ScanAnswer> scanHandles(std::span<const HandleEntry> entries, const HandleOpener& open, QueryWorker::Fn fn,
                                    const ScanLimits& limits, StuckHandles& stuck, ScanReport& report) {
    ScanShared shared;
    shared.entries = entries;
    shared.deadline = std::chrono::steady_clock::now() + limits.budget;
    // Under Wine (and for unprivileged callers on some systems) Object is 0: each handle is
    // its own group then.
    std::map<std::uint64_t, std::size_t> byObject;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const std::uint64_t obj = entries[i].object;
        if (obj != 0) {
            auto [it, added] = byObject.try_emplace(obj, shared.groups.size());
            if (!added) {
                shared.groups[it->second].push_back(i);
                continue;
            }
        }
        shared.groups.push_back({i});
    }

    const std::size_t n = std::max<std::size_t>(1, std::min<std::size_t>(limits.workers, shared.groups.size()));
    std::vector<ScanReport> reports(n);
    std::vector<std::vector<ScanAnswer>> answers(n);
    if (n == 1) {
        scanGroups(shared, open, fn, limits.perQuery, stuck, reports[0], answers[0]);
    } else {
        std::vector<std::thread> threads;
        threads.reserve(n);
        for (std::size_t t = 0; t < n; ++t)
            threads.emplace_back([&, t] { scanGroups(shared, open, fn, limits.perQuery, stuck, reports[t], answers[t]); });
        for (auto& t : threads) t.join();
    }

    std::vector<ScanAnswer> out;
    for (std::size_t t = 0; t < n; ++t) {
        report.add(reports[t]);
        for (auto& a : answers[t]) out.push_back(std::move(a));
    }
    report.perQuery = limits.perQuery;
    report.budget = limits.budget;
    std::sort(out.begin(), out.end(), [](const ScanAnswer& a, const ScanAnswer& b) { return a.index < b.index; });
    return out;
}

core::Result<std::u16string> queryObjectName(QueryWorker& worker, HANDLE h) {
    auto bytes = worker.run(&nameQuery, h);
    if (!bytes) return bytes.error();
    return fromUtf16le(*bytes);
}

core::Result<PipeLocalInfo> queryPipeLocal(QueryWorker& worker, HANDLE h) {
    auto bytes = worker.run(&pipeLocalQuery, h);
    if (!bytes) return bytes.error();
    if (bytes->size() < 40) return core::Error::make(core::Errc::Malformed, "short FilePipeLocalInformation");
    PipeLocalInfo p;
    p.type = u32At(*bytes, 0);
    p.configuration = u32At(*bytes, 4);
    p.maxInstances = u32At(*bytes, 8);
    p.curInstances = u32At(*bytes, 12);
    p.inboundQuota = u32At(*bytes, 16);
    p.readDataAvailable = u32At(*bytes, 20);
    p.outboundQuota = u32At(*bytes, 24);
    p.writeQuotaAvailable = u32At(*bytes, 28);
    p.state = u32At(*bytes, 32);
    p.end = u32At(*bytes, 36);
    return p;
}

core::Result<MailslotInfo> queryMailslot(QueryWorker& worker, HANDLE h) {
    auto bytes = worker.run(&mailslotQuery, h);
    if (!bytes) return bytes.error();
    if (bytes->size() < 16) return core::Error::make(core::Errc::Malformed, "short GetMailslotInfo answer");
    MailslotInfo m;
    m.maxMessageSize = u32At(*bytes, 0);
    const std::uint32_t next = u32At(*bytes, 4);
    if (next != MAILSLOT_NO_MESSAGE) m.nextSize = next;
    m.messageCount = u32At(*bytes, 8);
    m.readTimeoutMs = u32At(*bytes, 12);
    return m;
}

// ---------------------------------------------------------------------------------------------
// Context

Context::Context(ScanLimits limits) : m_limits(limits), m_self(GetCurrentProcessId()) {}
Context::~Context() = default;

void Context::enableDebugPrivilege() {
    // Elevated processes hold SeDebugPrivilege disabled; enabled, OpenProcess reaches services.
    HANDLE token = nullptr;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_ADJUST_PRIVILEGES | TOKEN_QUERY, &token)) return;
    TOKEN_PRIVILEGES tp{};
    tp.PrivilegeCount = 1;
    tp.Privileges[0].Attributes = SE_PRIVILEGE_ENABLED;
    if (LookupPrivilegeValueW(nullptr, L"SeDebugPrivilege", &tp.Privileges[0].Luid))
        AdjustTokenPrivileges(token, FALSE, &tp, sizeof tp, nullptr, nullptr);
    CloseHandle(token);
}

void Context::loadTable() {
    enableDebugPrivilege();
    // Handles of known type, held while the table is taken, to learn the table's type indexes.
    struct Probe {
        const char* type;
        UniqueHandle h;
    };
    std::vector<Probe> probes;
    {
        wchar_t exe[MAX_PATH] = {};
        if (GetModuleFileNameW(nullptr, exe, MAX_PATH) > 0)
            probes.push_back({"File", UniqueHandle(CreateFileW(exe, FILE_READ_ATTRIBUTES,
                                                               FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                                                               nullptr, OPEN_EXISTING, 0, nullptr))});
        probes.push_back({"Section", UniqueHandle(CreateFileMappingW(INVALID_HANDLE_VALUE, nullptr, PAGE_READWRITE, 0,
                                                                     4096, nullptr))});
        probes.push_back({"Event", UniqueHandle(CreateEventW(nullptr, TRUE, FALSE, nullptr))});
        probes.push_back({"Mutant", UniqueHandle(CreateMutexW(nullptr, FALSE, nullptr))});
        probes.push_back({"Semaphore", UniqueHandle(CreateSemaphoreW(nullptr, 0, 1, nullptr))});
        // An unnamed ALPC port (Windows Vista on). Wine 8.0's ntdll has no ALPC: no probe there.
        using AlpcCreatePortFn = NTSTATUS(NTAPI*)(PHANDLE, POBJECT_ATTRIBUTES, PVOID);
        HANDLE port = nullptr;
        if (auto create = nt::ntdllExport<AlpcCreatePortFn>("NtAlpcCreatePort"); create && NT_SUCCESS(create(&port, nullptr, nullptr)))
            probes.push_back({"ALPC Port", UniqueHandle(port)});
        probes.push_back({"Process", UniqueHandle(OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, m_self))});
    }

    auto query = [](SYSTEM_INFORMATION_CLASS cls, HandleInfoClass layout) -> core::Result<std::vector<HandleEntry>> {
        ULONG size = kFirstTableSize;
        for (int attempt = 0; attempt < 8; ++attempt) {
            std::vector<std::uint64_t> buf(size / 8);
            ULONG ret = 0;
            const NTSTATUS st = NtQuerySystemInformation(cls, buf.data(), size, &ret);
            if (st == nt::kStatusInfoLengthMismatch || st == nt::kStatusBufferTooSmall ||
                st == nt::kStatusBufferOverflow) {
                const ULONG want = std::max<ULONG>(size * 2, ret + (64u << 10));
                if (want > kMaxTableSize) break;
                size = want;
                continue;
            }
            if (!NT_SUCCESS(st))
                return core::Error::fromNtStatus(static_cast<std::uint32_t>(st), "cannot read the system handle table");
            const ULONG filled = (ret > 0 && ret <= size) ? ret : size;
            return decodeHandleTable({reinterpret_cast<const std::uint8_t*>(buf.data()), filled}, layout);
        }
        return core::Error::make(core::Errc::TooLarge, "the system handle table kept growing while being read");
    };
    auto table = query(nt::kSystemExtendedHandleInformation, HandleInfoClass::Extended);
    if (!table && table.error().code != core::Errc::TooLarge) {
        table = query(nt::kSystemHandleInformation, HandleInfoClass::Legacy);
        if (table)
            if (auto unusable = legacyTableUnusable(m_self)) table = std::move(*unusable);
    }
    if (table)
        for (const auto& p : probes)
            if (p.h)
                if (auto idx = learnTypeIndex(*table, m_self, reinterpret_cast<std::uintptr_t>(p.h.get())))
                    m_typeIndex.emplace(p.type, *idx);
    m_table.emplace(std::move(table));
}

const core::Result<std::vector<HandleEntry>>& Context::handleTable() {
    if (!m_table) loadTable();
    return *m_table;
}

std::optional<std::uint16_t> Context::typeIndex(std::string_view typeName) {
    (void)handleTable();
    if (auto it = m_typeIndex.find(typeName); it != m_typeIndex.end()) return it->second;
    return std::nullopt;
}

HANDLE Context::process(std::uint32_t pid) {
    if (auto it = m_processes.find(pid); it != m_processes.end()) return it->second.get();
    UniqueHandle h;
    if (pid != 0) {
        h.reset(OpenProcess(PROCESS_DUP_HANDLE, FALSE, pid));
        // ERROR_INVALID_PARAMETER: the process exited since the table was taken.
        if (!h && GetLastError() != ERROR_INVALID_PARAMETER) ++m_denied;
    }
    HANDLE raw = h.get();
    m_processes.emplace(pid, std::move(h));
    return raw;
}

UniqueHandle Context::duplicate(const HandleEntry& entry) {
    HANDLE proc = process(entry.pid);
    if (!proc) return {};
    HANDLE out = nullptr;
    if (!DuplicateHandle(proc, reinterpret_cast<HANDLE>(static_cast<std::uintptr_t>(entry.handle)), GetCurrentProcess(),
                         &out, 0, FALSE, DUPLICATE_SAME_ACCESS))
        return {};
    return UniqueHandle(out);
}

void Context::openProcesses(std::span<const HandleEntry> entries) {
    for (const auto& e : entries) (void)process(e.pid);
}

const std::vector<NamedHandle>& Context::namedHandles(std::string_view typeName) {
    if (auto it = m_named.find(typeName); it != m_named.end()) return it->second;
    auto& named = m_named[std::string(typeName)];
    const auto& table = handleTable();
    if (!table) return named;
    const auto index = typeIndex(typeName);
    const bool isFile = typeName == "File";
    if (!index && !isFile) return named;
    std::vector<HandleEntry> entries;
    for (const auto& e : *table)
        if (e.pid != m_self && (!index || e.typeIndex == *index)) entries.push_back(e);
    // Every process is opened here, on this thread, so the scan's workers only read the map.
    openProcesses(entries);
    const HandleOpener open = [this, known = index.has_value()](const HandleEntry& e) -> UniqueHandle {
        const auto it = m_processes.find(e.pid);
        if (it == m_processes.end() || !it->second) return {};
        HANDLE out = nullptr;
        if (!DuplicateHandle(it->second.get(), reinterpret_cast<HANDLE>(static_cast<std::uintptr_t>(e.handle)),
                             GetCurrentProcess(), &out, 0, FALSE, DUPLICATE_SAME_ACCESS))
            return {};
        UniqueHandle dup(out);
        if (known) return dup;
        // No File handle of our own was found in the table: ask each handle its type (a type
        // query does not wait on the file object, unlike a name query).
        alignas(8) unsigned char typeBuf[1024];
        ULONG ret = 0;
        if (!NT_SUCCESS(NtQueryObject(dup.get(), ObjectTypeInformation, typeBuf, sizeof typeBuf, &ret))) return {};
        const auto* ti = reinterpret_cast<const PUBLIC_OBJECT_TYPE_INFORMATION*>(typeBuf);
        if (std::wstring_view(ti->TypeName.Buffer, ti->TypeName.Length / 2) != L"File") return {};
        return dup;
    };
    ScanReport report;
    const auto answers = scanHandles(entries, open, &nameQuery, m_limits, StuckHandles::shared(), report);
    m_scan.add(report);
    for (const auto& a : answers) {
        std::u16string name = fromUtf16le(a.bytes);
        if (!name.empty()) named.push_back({entries[a.index], std::move(name)});
    }
    return named;
}

void Context::loadProcessNames() {
    m_names.emplace();
    UniqueHandle snap(CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0));
    if (!snap) return;
    PROCESSENTRY32W pe{};
    pe.dwSize = sizeof pe;
    for (BOOL ok = Process32FirstW(snap.get(), &pe); ok; ok = Process32NextW(snap.get(), &pe))
        (*m_names)[pe.th32ProcessID] = toUtf8(fromWide(pe.szExeFile, wcsnlen(pe.szExeFile, MAX_PATH)));
}

const std::string& Context::processName(std::uint32_t pid) {
    static const std::string kNone;
    if (!m_names) loadProcessNames();
    auto it = m_names->find(pid);
    return it == m_names->end() ? kNone : it->second;
}

core::Holder Context::holder(const HandleEntry& entry, std::string_view role) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "handle 0x%llx", static_cast<unsigned long long>(entry.handle));
    std::string how = buf;
    if (!role.empty()) how += ' ' + std::string(role);
    return core::Holder{static_cast<std::int64_t>(entry.pid), processName(entry.pid), std::move(how)};
}

void Context::finish(core::Snapshot& out) {
    if (!m_table) return;  // no collector needed the handle table
    if (!*m_table) {
        auto err = m_table->error();
        err.context += ": processes holding pipes and mailslots are not shown";
        out.errors.push_back({std::nullopt, std::nullopt, std::move(err)});
        return;
    }
    out.deniedProcesses = std::max(out.deniedProcesses, m_denied);
    if (m_denied > 0)
        out.errors.push_back({std::nullopt, std::nullopt,
                              core::Error::make(core::Errc::PermissionDenied,
                                                std::to_string(m_denied) + " processes could not be opened to read "
                                                "their handles" + (out.elevated ? kDeniedElevated : kDeniedNotElevated))});
    if (m_scan.unexamined() > 0) {
        out.unexaminedHandles += m_scan.unexamined();
        out.unexaminedWhy = m_scan.describe("handle name scan");
        out.errors.push_back({std::nullopt, std::nullopt, core::Error::make(core::Errc::Timeout, out.unexaminedWhy)});
    }
}

}  // namespace ipcscope::win
