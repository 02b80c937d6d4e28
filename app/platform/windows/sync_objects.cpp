// Events, mutexes (the object manager's "Mutant") and semaphores are listed from the named
// object directories and opened with query access only: their state is read, never changed
// (NtQueryEvent, NtQueryMutant, NtQuerySemaphore). ALPC ports are listed from \RPC Control
// (where local RPC servers name their endpoints) and the root directory.

#include "windows/sync_objects.h"

#include "windows/families.h"
#include "windows/nt.h"
#include "windows/nt_objects.h"
#include "windows/nt_parse.h"
#include "windows/object_spaces.h"

#include <windows.h>

#include <array>
#include <string>

namespace ipcscope::win {
namespace {

using QueryFn = NTSTATUS(NTAPI*)(HANDLE, int, PVOID, ULONG, PULONG);

constexpr int kMutantOwnerInformation = 1;  // Windows 10 on; not in Wine 8.0

struct SyncType {
    const char* typeName;  // in the object directory and the handle table
    core::Kind kind;
    NtOpenFn open;
    QueryFn query;
};
const std::array<SyncType, 3> kSyncTypes{{
    {"Event", core::Kind::Event, NtOpenEvent, NtQueryEvent},
    {"Mutant", core::Kind::Mutex, NtOpenMutant, NtQueryMutant},
    {"Semaphore", core::Kind::Semaphore, NtOpenSemaphore, NtQuerySemaphore},
}};

// The object's state into its row, or why it could not be read into its error.
void describeState(const SyncType& type, const std::wstring& ntPath, core::IpcObject& obj) {
    auto opened = openByPath(type.open, nt::kSyncQueryState, ntPath, "cannot open");
    if (!opened) {
        obj.error = opened.error().message();
        return;
    }
    UniqueHandle h(*opened);
    alignas(8) std::uint8_t info[nt::kSyncBasicInformationSize] = {};
    ULONG used = 0;
    const NTSTATUS st = type.query(h.get(), 0, info, sizeof info, &used);
    if (!NT_SUCCESS(st)) {
        obj.error = core::Error::fromNtStatus(static_cast<std::uint32_t>(st), "cannot query the state").message();
        return;
    }
    auto details = syncStateDetails(type.kind, info);
    if (!details) {
        obj.error = details.error().message();
        return;
    }
    for (auto it = details->begin(); it != details->end(); ++it) obj.details[it.key()] = it.value();
    if (type.kind == core::Kind::Mutex && (*details)["owned"] == true) {
        alignas(8) std::uint8_t owner[2 * sizeof(void*)] = {};
        if (NT_SUCCESS(type.query(h.get(), kMutantOwnerInformation, owner, sizeof owner, &used)))
            if (auto who = decodeMutexOwner(owner, sizeof(void*)); who && *who) {
                obj.details["owner_pid"] = (*who)->pid;
                obj.details["owner_tid"] = (*who)->tid;
            }
    }
}

}  // namespace

void collectSyncObjects(Context& ctx, core::Snapshot& out) {
    const auto spaces = objectNamespaces(core::Family::Sync, std::nullopt, out);
    std::array<HoldersByPath, kSyncTypes.size()> holders;
    for (std::size_t i = 0; i < kSyncTypes.size(); ++i)
        holders[i] = holdersByName(ctx, kSyncTypes[i].typeName, core::Family::Sync, kSyncTypes[i].kind, out);
    for (const auto& ns : spaces) {
        auto entries = listObjectDirectory(ns.ntPath);
        if (!entries) {
            // A session directory can vanish between the two listings; that is not a failure.
            if (entries.error().code != core::Errc::NotFound)
                out.errors.push_back({core::Family::Sync, std::nullopt, entries.error()});
            continue;
        }
        for (const auto& e : *entries) {
            for (std::size_t i = 0; i < kSyncTypes.size(); ++i) {
                const auto& type = kSyncTypes[i];
                if (e.typeName != type.typeName) continue;
                core::IpcObject obj;
                obj.kind = type.kind;
                obj.name = ns.prefix + e.name;
                const std::wstring ntPath = entryPath(ns, e);
                obj.details["scope"] = ns.scope;
                if (ns.session) obj.details["session"] = *ns.session;
                obj.details["nt_path"] = narrow(ntPath);
                describeState(type, ntPath, obj);
                if (auto it = holders[i].find(foldCase(std::u16string(ntPath.begin(), ntPath.end()))); it != holders[i].end())
                    for (const auto& h : it->second) obj.addHolder(h);
                out.objects.push_back(std::move(obj));
            }
        }
    }
}

void collectAlpcPorts(Context& ctx, core::Snapshot& out) {
    // ALPC came with Windows Vista. Wine 8.0 has none (its ntdll exports no NtAlpc* function,
    // and its local RPC runs over named pipes, listed as pipes "lrpc\ENDPOINT").
    using AlpcCreatePortFn = NTSTATUS(NTAPI*)(PHANDLE, POBJECT_ATTRIBUTES, PVOID);
    if (!nt::ntdllExport<AlpcCreatePortFn>("NtAlpcCreatePort")) {
        out.errors.push_back({core::Family::Queues, core::Kind::AlpcPort,
                              core::Error::make(core::Errc::NotSupported,
                                                "this system has no ALPC (ntdll exports no NtAlpcCreatePort, as under "
                                                "Wine): there are no ALPC ports to list")});
        return;
    }
    const auto servers = holdersByName(ctx, "ALPC Port", core::Family::Queues, core::Kind::AlpcPort, out);
    for (const std::wstring dir : {L"\\RPC Control", L"\\"}) {
        auto entries = listObjectDirectory(dir);
        if (!entries) {
            out.errors.push_back({core::Family::Queues, core::Kind::AlpcPort, entries.error()});
            continue;
        }
        for (auto& row : alpcPortRows(std::u16string(dir.begin(), dir.end()), *entries, servers))
            out.objects.push_back(std::move(row));
    }
}

}  // namespace ipcscope::win
