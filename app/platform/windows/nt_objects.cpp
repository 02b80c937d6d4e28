#include "windows/nt_objects.h"

#include "windows/families.h"

#include <windows.h>
#include <winternl.h>

#include <algorithm>
#include <optional>

namespace ipcscope::win {
namespace {

// ntdll exports without import-library declarations in mingw-w64 (NT native API; documented
// for drivers in the WDK as ZwOpenDirectoryObject, ZwQueryDirectoryObject, ZwOpenSection and
// ZwQuerySection).
using NtOpenDirectoryObjectFn = NTSTATUS(NTAPI*)(PHANDLE, ACCESS_MASK, POBJECT_ATTRIBUTES);
using NtQueryDirectoryObjectFn = NTSTATUS(NTAPI*)(HANDLE, PVOID, ULONG, BOOLEAN, BOOLEAN, PULONG, PULONG);
using NtOpenSectionFn = NTSTATUS(NTAPI*)(PHANDLE, ACCESS_MASK, POBJECT_ATTRIBUTES);
using NtQuerySectionFn = NTSTATUS(NTAPI*)(HANDLE, int, PVOID, SIZE_T, PSIZE_T);
using NtCloseFn = NTSTATUS(NTAPI*)(HANDLE);

constexpr ACCESS_MASK kDirectoryQuery = 0x0001;
constexpr ACCESS_MASK kSectionQuery = 0x0001;
constexpr NTSTATUS kStatusNoMoreEntries = static_cast<NTSTATUS>(0x8000001AL);
constexpr NTSTATUS kStatusMoreEntries = static_cast<NTSTATUS>(0x00000105L);
constexpr NTSTATUS kStatusBufferTooSmall = static_cast<NTSTATUS>(0xC0000023L);
constexpr NTSTATUS kStatusBufferOverflow = static_cast<NTSTATUS>(0x80000005L);
constexpr int kSectionBasicInformation = 0;
constexpr std::size_t kMaxEntries = 200000;
constexpr ULONG kMaxEntryBuffer = 64 * 1024;

struct SectionBasicInformation {
    PVOID baseAddress;
    ULONG allocationAttributes;
    LARGE_INTEGER maximumSize;
};

struct Ntdll {
    NtOpenDirectoryObjectFn openDirectory = nullptr;
    NtQueryDirectoryObjectFn queryDirectory = nullptr;
    NtOpenSectionFn openSection = nullptr;
    NtQuerySectionFn querySection = nullptr;
    NtCloseFn close = nullptr;
};

template <class F>
F resolve(HMODULE m, const char* name) {
    return reinterpret_cast<F>(reinterpret_cast<void*>(GetProcAddress(m, name)));
}

const Ntdll& ntdll() {
    static const Ntdll fns = [] {
        Ntdll n;
        if (HMODULE m = GetModuleHandleW(L"ntdll.dll")) {
            n.openDirectory = resolve<NtOpenDirectoryObjectFn>(m, "NtOpenDirectoryObject");
            n.queryDirectory = resolve<NtQueryDirectoryObjectFn>(m, "NtQueryDirectoryObject");
            n.openSection = resolve<NtOpenSectionFn>(m, "NtOpenSection");
            n.querySection = resolve<NtQuerySectionFn>(m, "NtQuerySection");
            n.close = resolve<NtCloseFn>(m, "NtClose");
        }
        return n;
    }();
    return fns;
}

core::Error ntError(NTSTATUS status, const std::string& what) {
    return core::Error::fromNtStatus(static_cast<std::uint32_t>(status), what);
}

}  // namespace

core::Result<HANDLE> openByPath(NtOpenFn open, ACCESS_MASK access, const std::wstring& path, const std::string& what) {
    if (path.size() * sizeof(wchar_t) > 0xFFF0) return core::Error::make(core::Errc::InvalidArgument, what + ": path too long");
    UNICODE_STRING name;
    name.Buffer = const_cast<PWSTR>(path.c_str());
    name.Length = static_cast<USHORT>(path.size() * sizeof(wchar_t));
    name.MaximumLength = name.Length;
    OBJECT_ATTRIBUTES attrs;
    InitializeObjectAttributes(&attrs, &name, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    HANDLE h = nullptr;
    const NTSTATUS st = open(&h, access, &attrs);
    if (st < 0) return ntError(st, what + " " + narrow(path));
    return h;
}

core::Result<std::vector<ObjectDirEntry>> listObjectDirectory(const std::wstring& path) {
    const auto& nt = ntdll();
    if (!nt.openDirectory || !nt.queryDirectory || !nt.close)
        return core::Error::make(core::Errc::NotSupported, "ntdll has no object directory functions");
    auto dir = openByPath(nt.openDirectory, kDirectoryQuery, path, "cannot open object directory");
    if (!dir) return dir.error();

    std::vector<ObjectDirEntry> out;
    // The buffer is 8-byte aligned: the records hold pointers.
    std::vector<std::uint64_t> storage(512);
    ULONG context = 0;
    bool restart = true;
    std::optional<core::Error> failure;
    while (out.size() < kMaxEntries) {
        ULONG returned = 0;
        const ULONG bytes = static_cast<ULONG>(storage.size() * sizeof(std::uint64_t));
        const NTSTATUS st = nt.queryDirectory(*dir, storage.data(), bytes, TRUE, restart ? TRUE : FALSE, &context, &returned);
        if (st == kStatusNoMoreEntries) break;
        if (st == kStatusBufferTooSmall || st == kStatusBufferOverflow) {
            // One entry did not fit: grow and ask for the same entry again (context unchanged).
            if (bytes >= kMaxEntryBuffer) {
                failure = ntError(st, "directory entry larger than 64 KiB in " + narrow(path));
                break;
            }
            storage.resize(std::min<std::size_t>(kMaxEntryBuffer, std::max<std::size_t>(returned, 2 * bytes)) / 8 + 1);
            continue;
        }
        if (st < 0) {
            failure = ntError(st, "cannot list object directory " + narrow(path));
            break;
        }
        restart = false;
        const auto* raw = reinterpret_cast<const std::uint8_t*>(storage.data());
        auto entries = parseObjectDirectoryBuffer(std::span(raw, bytes), reinterpret_cast<std::uintptr_t>(raw));
        if (!entries) {
            failure = entries.error();
            break;
        }
        if (entries->empty()) break;
        for (auto& e : *entries) out.push_back(std::move(e));
        if (st != kStatusMoreEntries && st != 0) break;
    }
    nt.close(*dir);
    if (failure) return *failure;
    return out;
}

core::Result<SectionInfo> querySection(const std::wstring& path) {
    const auto& nt = ntdll();
    if (!nt.openSection || !nt.querySection || !nt.close)
        return core::Error::make(core::Errc::NotSupported, "ntdll has no section functions");
    auto h = openByPath(nt.openSection, kSectionQuery, path, "cannot open section");
    if (!h) return h.error();
    SectionBasicInformation info{};
    SIZE_T returned = 0;
    const NTSTATUS st = nt.querySection(*h, kSectionBasicInformation, &info, sizeof info, &returned);
    nt.close(*h);
    if (st < 0) return ntError(st, "cannot query section " + narrow(path));
    return SectionInfo{static_cast<std::uint64_t>(info.maximumSize.QuadPart), info.allocationAttributes};
}

}  // namespace ipcscope::win
