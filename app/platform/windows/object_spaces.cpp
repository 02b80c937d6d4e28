#include "windows/object_spaces.h"

#include "windows/families.h"
#include "windows/nt_objects.h"

#include <algorithm>

namespace ipcscope::win {
namespace {

bool allDigits(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// NtQueryObject(ObjectNameInformation) in this thread: for objects whose name query cannot
// block (everything but files and devices).
std::optional<std::wstring> directName(HANDLE h) {
    alignas(8) std::uint8_t buf[2048];
    ULONG used = 0;
    if (!NT_SUCCESS(NtQueryObject(h, static_cast<OBJECT_INFORMATION_CLASS>(1), buf, sizeof buf, &used)))
        return std::nullopt;
    const auto* name = reinterpret_cast<const UNICODE_STRING*>(buf);
    if (!name->Buffer || name->Length == 0) return std::wstring();
    return std::wstring(name->Buffer, name->Length / sizeof(wchar_t));
}

}  // namespace

std::string foldCase(std::string s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

std::vector<ObjectNamespace> objectNamespaces(core::Family family, std::optional<core::Kind> kind, core::Snapshot& out) {
    DWORD ownSession = 0;
    ProcessIdToSessionId(GetCurrentProcessId(), &ownSession);
    std::vector<ObjectNamespace> spaces{{L"\\BaseNamedObjects", "Global\\", "Global", std::nullopt}};
    auto sessions = listObjectDirectory(L"\\Sessions");
    if (!sessions) {
        out.errors.push_back({family, kind, sessions.error()});
        return spaces;
    }
    std::vector<std::uint32_t> ids;
    for (const auto& e : *sessions)
        if (e.typeName == "Directory" && allDigits(e.name) && e.name.size() < 10)
            ids.push_back(static_cast<std::uint32_t>(std::stoul(e.name)));
    std::sort(ids.begin(), ids.end());
    for (std::uint32_t id : ids) {
        if (id == 0) continue;  // session 0's local namespace is \BaseNamedObjects itself
        const std::string n = std::to_string(id);
        spaces.push_back({L"\\Sessions\\" + widen(n) + L"\\BaseNamedObjects",
                          id == ownSession ? "Local\\" : "Session\\" + n + "\\", "Local", id});
    }
    return spaces;
}

std::map<std::string, std::vector<core::Holder>> holdersByName(Context& ctx, std::string_view typeName,
                                                               core::Family family, core::Kind kind, bool viaWorker,
                                                               core::Snapshot& out) {
    std::map<std::string, std::vector<core::Holder>> byPath;
    const auto& table = ctx.handleTable();
    if (!table) return byPath;  // Context::finish reports why
    const auto index = ctx.typeIndex(typeName);
    if (!index) {
        out.errors.push_back({family, kind,
                              core::Error::make(core::Errc::NotSupported,
                                                "the handle table's index of the " + std::string(typeName) +
                                                    " type could not be learnt: holders of " +
                                                    std::string(core::kindName(kind)) + " objects are not shown")});
        return byPath;
    }
    const auto self = GetCurrentProcessId();
    for (const auto& e : *table) {
        if (e.typeIndex != *index || e.pid == self) continue;
        UniqueHandle dup = ctx.duplicate(e);
        if (!dup) continue;
        std::string name;
        if (viaWorker) {
            auto n = queryObjectName(ctx.worker(), dup.get());
            if (!n) continue;
            name = toUtf8(*n);
        } else {
            auto n = directName(dup.get());
            if (!n) continue;
            name = narrow(*n);
        }
        if (!name.empty()) byPath[foldCase(std::move(name))].push_back(ctx.holder(e, ""));
    }
    return byPath;
}

}  // namespace ipcscope::win
