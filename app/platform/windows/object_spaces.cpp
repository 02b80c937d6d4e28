#include "windows/object_spaces.h"

#include "windows/families.h"
#include "windows/nt_objects.h"
#include "windows/nt_parse.h"

#include <windows.h>

#include <algorithm>

namespace ipcscope::win {
namespace {

bool allDigits(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

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

std::wstring entryPath(const ObjectNamespace& ns, const ObjectDirEntry& entry) {
    return ns.ntPath + L"\\" + std::wstring(entry.ntName.begin(), entry.ntName.end());
}

HoldersByPath holdersByName(Context& ctx, std::string_view typeName, core::Family family, core::Kind kind,
                            core::Snapshot& out) {
    HoldersByPath byPath;
    if (!ctx.handleTable()) return byPath;
    if (!ctx.typeIndex(typeName)) {
        out.errors.push_back({family, kind,
                              core::Error::make(core::Errc::NotSupported,
                                                "the handle table's index of the " + std::string(typeName) +
                                                    " type could not be learnt: holders of " +
                                                    std::string(core::kindName(kind)) + " objects are not shown")});
        return byPath;
    }
    for (const auto& h : ctx.namedHandles(typeName)) byPath[foldCase(h.name)].push_back(ctx.holder(h.entry, ""));
    return byPath;
}

}  // namespace ipcscope::win
