// Events, mutexes (the object manager's "Mutant") and semaphores are listed from the named
// object directories and opened with query access only: the state is read, never changed
// (NtQueryEvent, NtQueryMutant, NtQuerySemaphore; ntifs.h layouts). ALPC ports are listed
// from \RPC Control and the root directory; the process holding a handle whose name is the
// port is its server (clients' connection ports are unnamed).

#include "windows/sync_objects.h"

#include "windows/families.h"
#include "windows/nt_objects.h"
#include "windows/object_spaces.h"

#include <windows.h>

#include <string>

namespace {

struct EventBasicInformation {
    LONG EventType;  // 0 NotificationEvent (manual reset), 1 SynchronizationEvent (auto reset)
    LONG EventState;
};
struct MutantBasicInformation {
    LONG CurrentCount;  // 1: free; 0 or less: owned (minus the recursion depth)
    BOOLEAN OwnedByCaller;
    BOOLEAN AbandonedState;
};
struct SemaphoreBasicInformation {
    LONG CurrentCount;
    LONG MaximumCount;
};

}  // namespace

extern "C" {
NTSTATUS NTAPI NtOpenEvent(PHANDLE, ACCESS_MASK, POBJECT_ATTRIBUTES);
NTSTATUS NTAPI NtOpenMutant(PHANDLE, ACCESS_MASK, POBJECT_ATTRIBUTES);
NTSTATUS NTAPI NtOpenSemaphore(PHANDLE, ACCESS_MASK, POBJECT_ATTRIBUTES);
NTSTATUS NTAPI NtQueryEvent(HANDLE, int, PVOID, ULONG, PULONG);
NTSTATUS NTAPI NtQueryMutant(HANDLE, int, PVOID, ULONG, PULONG);
NTSTATUS NTAPI NtQuerySemaphore(HANDLE, int, PVOID, ULONG, PULONG);
}

namespace ipcscope::win {
namespace {

constexpr ACCESS_MASK kQueryState = 0x0001;  // EVENT_, MUTANT_, SEMAPHORE_QUERY_STATE

using OpenFn = NTSTATUS(NTAPI*)(PHANDLE, ACCESS_MASK, POBJECT_ATTRIBUTES);

struct SyncType {
    const char* typeName;  // in the object directory and the handle table
    core::Kind kind;
    OpenFn open;
};
const SyncType kSyncTypes[] = {
    {"Event", core::Kind::Event, NtOpenEvent},
    {"Mutant", core::Kind::Mutex, NtOpenMutant},
    {"Semaphore", core::Kind::Semaphore, NtOpenSemaphore},
};

core::Result<UniqueHandle> openByPath(OpenFn open, const std::wstring& ntPath) {
    UNICODE_STRING name{static_cast<USHORT>(ntPath.size() * sizeof(wchar_t)), static_cast<USHORT>(ntPath.size() * sizeof(wchar_t)),
                        const_cast<PWSTR>(ntPath.c_str())};
    OBJECT_ATTRIBUTES attrs{};
    InitializeObjectAttributes(&attrs, &name, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    HANDLE h = nullptr;
    const NTSTATUS st = open(&h, kQueryState, &attrs);
    if (!NT_SUCCESS(st)) return core::Error::fromNtStatus(static_cast<std::uint32_t>(st), "cannot open " + narrow(ntPath));
    return UniqueHandle(h);
}

// The state of one object, into its row: what is signalled, owned or counted.
void describeState(core::Kind kind, HANDLE h, core::IpcObject& obj) {
    auto& d = obj.details;
    NTSTATUS st = 0;
    if (kind == core::Kind::Event) {
        EventBasicInformation info{};
        st = NtQueryEvent(h, 0, &info, sizeof info, nullptr);
        if (NT_SUCCESS(st)) {
            d["event_type"] = info.EventType == 0 ? "manual-reset" : "auto-reset";
            d["signaled"] = info.EventState != 0;
            d["state"] = std::string(info.EventState ? "signaled" : "not signaled") + ", " + d["event_type"].get<std::string>();
        }
    } else if (kind == core::Kind::Mutex) {
        MutantBasicInformation info{};
        st = NtQueryMutant(h, 0, &info, sizeof info, nullptr);
        if (NT_SUCCESS(st)) {
            d["owned"] = info.CurrentCount <= 0;
            d["abandoned"] = info.AbandonedState != 0;
            d["state"] = info.AbandonedState ? "abandoned" : info.CurrentCount <= 0 ? "owned" : "free";
        }
    } else {
        SemaphoreBasicInformation info{};
        st = NtQuerySemaphore(h, 0, &info, sizeof info, nullptr);
        if (NT_SUCCESS(st)) {
            d["count"] = info.CurrentCount;
            d["maximum"] = info.MaximumCount;
            d["state"] = "count " + std::to_string(info.CurrentCount) + " of " + std::to_string(info.MaximumCount);
        }
    }
    if (!NT_SUCCESS(st)) obj.error = core::Error::fromNtStatus(static_cast<std::uint32_t>(st), "cannot query the state").message();
}

}  // namespace

void collectSyncObjects(Context& ctx, core::Snapshot& out) {
    const auto spaces = objectNamespaces(core::Family::Sync, std::nullopt, out);
    std::map<std::string, std::vector<core::Holder>> holders[std::size(kSyncTypes)];
    for (std::size_t i = 0; i < std::size(kSyncTypes); ++i)
        holders[i] = holdersByName(ctx, kSyncTypes[i].typeName, core::Family::Sync, kSyncTypes[i].kind, false, out);
    for (const auto& ns : spaces) {
        auto entries = listObjectDirectory(ns.ntPath);
        if (!entries) {
            if (entries.error().code != core::Errc::NotFound)  // a session ended meanwhile
                out.errors.push_back({core::Family::Sync, std::nullopt, entries.error()});
            continue;
        }
        for (const auto& e : *entries) {
            for (std::size_t i = 0; i < std::size(kSyncTypes); ++i) {
                const auto& type = kSyncTypes[i];
                if (e.typeName != type.typeName) continue;
                core::IpcObject obj;
                obj.kind = type.kind;
                obj.name = ns.prefix + e.name;
                const std::wstring ntPath = ns.ntPath + L"\\" + widen(e.name);
                obj.details["scope"] = ns.scope;
                if (ns.session) obj.details["session"] = *ns.session;
                obj.details["nt_path"] = narrow(ntPath);
                if (auto h = openByPath(type.open, ntPath)) describeState(type.kind, h->get(), obj);
                else obj.error = h.error().message();
                if (auto it = holders[i].find(foldCase(narrow(ntPath))); it != holders[i].end())
                    for (const auto& holder : it->second) obj.addHolder(holder);
                out.objects.push_back(std::move(obj));
            }
        }
    }
}

void collectAlpcPorts(Context& ctx, core::Snapshot& out) {
    const auto servers = holdersByName(ctx, "ALPC Port", core::Family::Queues, core::Kind::AlpcPort, false, out);
    for (const std::wstring dir : {L"\\RPC Control", L"\\"}) {
        auto entries = listObjectDirectory(dir);
        if (!entries) {
            out.errors.push_back({core::Family::Queues, core::Kind::AlpcPort, entries.error()});
            continue;
        }
        for (const auto& e : *entries) {
            if (e.typeName != "ALPC Port") continue;
            core::IpcObject obj;
            obj.kind = core::Kind::AlpcPort;
            const std::wstring ntPath = (dir == L"\\" ? dir : dir + L"\\") + widen(e.name);
            obj.name = narrow(ntPath);
            obj.details["directory"] = narrow(dir);
            if (auto it = servers.find(foldCase(obj.name)); it != servers.end())
                for (const auto& h : it->second) {
                    core::Holder server = h;
                    server.how += " server";
                    obj.addHolder(std::move(server));
                }
            out.objects.push_back(std::move(obj));
        }
    }
}

}  // namespace ipcscope::win
