// services / rot: entries of the COM running object table (GetRunningObjectTable,
// IRunningObjectTable::EnumRunning), named by their moniker's display name.
// NOTE: the table does not say which process registered an entry, and asking the object itself
// (IRunningObjectTable::GetObject) would connect to it; so rows carry no PID.

#include "platform/windows/families.h"

#include <windows.h>
#include <objbase.h>
#include <objidl.h>

namespace ipcscope::win {
namespace {

constexpr int kMaxEntries = 100000;

const char* monikerKind(IMoniker* m) {
    DWORD sys = 0;
    if (m->IsSystemMoniker(&sys) != S_OK) return "custom";
    switch (sys) {
    case MKSYS_FILEMONIKER: return "file";
    case MKSYS_ITEMMONIKER: return "item";
    case MKSYS_GENERICCOMPOSITE: return "composite";
    case MKSYS_ANTIMONIKER: return "anti";
    case MKSYS_POINTERMONIKER: return "pointer";
    case MKSYS_CLASSMONIKER: return "class";
    case MKSYS_URLMONIKER: return "url";
    default: return "system";
    }
}

core::Error comError(HRESULT hr, const std::string& what) {
    auto e = core::Error::fromWin32(static_cast<std::uint32_t>(hr), what);
    return e;
}

}  // namespace

void collectRot(core::Snapshot& out) {
    const HRESULT init = CoInitializeEx(nullptr, COINIT_MULTITHREADED);
    // RPC_E_CHANGED_MODE: this thread already runs COM in another mode, which serves as well.
    if (FAILED(init) && init != RPC_E_CHANGED_MODE) {
        out.errors.push_back({core::Family::Services, core::Kind::RotEntry, comError(init, "CoInitializeEx failed")});
        return;
    }
    IRunningObjectTable* rot = nullptr;
    IEnumMoniker* it = nullptr;
    IBindCtx* ctx = nullptr;
    HRESULT hr = GetRunningObjectTable(0, &rot);
    if (SUCCEEDED(hr)) hr = rot->EnumRunning(&it);
    if (SUCCEEDED(hr)) hr = CreateBindCtx(0, &ctx);
    if (FAILED(hr)) {
        out.errors.push_back({core::Family::Services, core::Kind::RotEntry,
                              comError(hr, "cannot enumerate the running object table")});
    } else {
        IMoniker* m = nullptr;
        for (int i = 0; i < kMaxEntries && it->Next(1, &m, nullptr) == S_OK; ++i) {
            core::IpcObject obj;
            obj.kind = core::Kind::RotEntry;
            LPOLESTR name = nullptr;
            if (SUCCEEDED(m->GetDisplayName(ctx, nullptr, &name)) && name) {
                obj.name = narrow(name);
                CoTaskMemFree(name);
            } else {
                obj.error = "the moniker has no display name";
            }
            obj.details["moniker"] = monikerKind(m);
            FILETIME changed{};
            if (rot->GetTimeOfLastChange(m, &changed) == S_OK) {
                // FILETIME: 100 ns ticks since 1601-01-01; 11644473600 s separate it from 1970.
                const std::uint64_t ticks = (static_cast<std::uint64_t>(changed.dwHighDateTime) << 32) | changed.dwLowDateTime;
                if (ticks > 116444736000000000ULL) {
                    const auto since1970 = std::chrono::microseconds((ticks - 116444736000000000ULL) / 10);
                    obj.details["last_change"] = core::isoUtc(std::chrono::system_clock::time_point(
                        std::chrono::duration_cast<std::chrono::system_clock::duration>(since1970)));
                }
            }
            obj.details["pid"] = "unknown";
            m->Release();
            out.objects.push_back(std::move(obj));
        }
    }
    if (ctx) ctx->Release();
    if (it) it->Release();
    if (rot) rot->Release();
    if (SUCCEEDED(init)) CoUninitialize();
}

}  // namespace ipcscope::win
