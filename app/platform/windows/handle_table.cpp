// The system handle table (see handle_table.h).

#include "base/text.h"
#include "platform/windows/handle_table.h"

#include "platform/windows/nt.h"

#include <fmt/format.h>
#include <tlhelp32.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <set>
#include <tuple>

namespace ipcscope::win {
namespace {

// After this many terminated workers a snapshot stops asking: something is badly stuck, and
// each terminated worker leaks its state (see QueryWorker::abandon).
constexpr unsigned kMaxTimeouts = 16;

// The handle table of a busy machine is a few MiB; it is asked for again when it grew between
// the size query and the copy.
constexpr ULONG kFirstTableSize = 1u << 20;
constexpr ULONG kMaxTableSize = 1u << 30;

// Handles whose name query timed out, remembered across snapshots so a GUI refreshing every
// few seconds does not wait on the same stuck handle each time. NOTE: a handle value reused
// by its process for another object with the same access is skipped too; the set is bounded.
using HandleKey = std::tuple<std::uint32_t, std::uint64_t, std::uint32_t>;
std::mutex g_stuckMutex;
std::set<HandleKey> g_stuck;
constexpr std::size_t kMaxStuck = 4096;

bool knownStuck(const HandleEntry& e) {
    std::lock_guard lock(g_stuckMutex);
    return g_stuck.count({e.pid, e.handle, e.access}) != 0;
}

void rememberStuck(const HandleEntry& e) {
    std::lock_guard lock(g_stuckMutex);
    if (g_stuck.size() >= kMaxStuck) g_stuck.clear();
    g_stuck.insert({e.pid, e.handle, e.access});
}

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
            s->used = 0;
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

core::Result<std::vector<std::uint8_t>> QueryWorker::run(Fn fn, HANDLE handle) {
    if (m_timeouts >= kMaxTimeouts)
        return core::Error::make(core::Errc::Timeout, "gave up on handle queries after " +
                                                          std::to_string(m_timeouts) + " timed out");
    if (!m_state && !start()) return core::Error::fromWin32(GetLastError(), "cannot start the handle query thread");
    m_state->fn = fn;
    m_state->handle = handle;
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

core::Result<std::u16string> queryObjectName(QueryWorker& worker, HANDLE h) {
    auto bytes = worker.run(&nameQuery, h);
    if (!bytes) return bytes.error();
    std::u16string out;
    out.reserve(bytes->size() / 2);
    for (std::size_t i = 0; i + 1 < bytes->size(); i += 2)
        out.push_back(static_cast<char16_t>((*bytes)[i] | ((*bytes)[i + 1] << 8)));
    return out;
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

Context::Context() : m_self(GetCurrentProcessId()) {}
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
    if (!table && table.error().code != core::Errc::TooLarge)
        table = query(nt::kSystemHandleInformation, HandleInfoClass::Legacy);
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

const std::vector<NamedHandle>& Context::namedFileHandles() {
    if (m_named) return *m_named;
    m_named.emplace();
    const auto& table = handleTable();
    if (!table) return *m_named;
    const auto fileIndex = typeIndex("File");
    std::vector<char> typeBuf(4096);
    for (const auto& e : *table) {
        if (e.pid == m_self) continue;
        if (fileIndex && e.typeIndex != *fileIndex) continue;
        if (knownStuck(e)) {
            ++m_skippedStuck;
            continue;
        }
        UniqueHandle dup = duplicate(e);
        if (!dup) continue;
        if (!fileIndex) {
            // No File handle of our own was found in the table: ask each handle its type
            // (a type query does not wait on the file object, unlike a name query).
            ULONG ret = 0;
            if (!NT_SUCCESS(NtQueryObject(dup.get(), ObjectTypeInformation, typeBuf.data(),
                                          static_cast<ULONG>(typeBuf.size()), &ret)))
                continue;
            const auto* ti = reinterpret_cast<const PUBLIC_OBJECT_TYPE_INFORMATION*>(typeBuf.data());
            if (std::wstring_view(ti->TypeName.Buffer, ti->TypeName.Length / 2) != L"File") continue;
        }
        auto name = queryObjectName(m_worker, dup.get());
        if (!name) {
            if (name.error().code == core::Errc::Timeout) rememberStuck(e);
            if (m_worker.timeouts() >= kMaxTimeouts) break;
            continue;
        }
        if (name->empty()) continue;
        m_named->push_back({e, std::move(*name)});
    }
    return *m_named;
}

void Context::loadProcessNames() {
    m_names.emplace();
    UniqueHandle snap(CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0));
    if (!snap) return;
    PROCESSENTRY32W pe{};
    pe.dwSize = sizeof pe;
    for (BOOL ok = Process32FirstW(snap.get(), &pe); ok; ok = Process32NextW(snap.get(), &pe))
        (*m_names)[pe.th32ProcessID] = base::utf16ToUtf8(fromWide(pe.szExeFile, wcsnlen(pe.szExeFile, MAX_PATH)));
}

const std::string& Context::processName(std::uint32_t pid) {
    static const std::string kNone;
    if (!m_names) loadProcessNames();
    auto it = m_names->find(pid);
    return it == m_names->end() ? kNone : it->second;
}

core::Holder Context::holder(const HandleEntry& entry, std::string_view role) {
    std::string how = fmt::format("handle 0x{:x}", static_cast<unsigned long long>(entry.handle));
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
                                                "their handles" + (out.elevated ? "" : " (run as administrator)"))});
    if (m_worker.timeouts() > 0 || m_skippedStuck > 0)
        out.errors.push_back({std::nullopt, std::nullopt,
                              core::Error::make(core::Errc::Timeout,
                                                std::to_string(m_worker.timeouts() + m_skippedStuck) +
                                                    " handles did not answer a name query in time and were skipped")});
}

}  // namespace ipcscope::win
