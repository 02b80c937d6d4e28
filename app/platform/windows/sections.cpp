// mappings / section: named sections (CreateFileMapping objects) in \BaseNamedObjects (the
// Global namespace) and in each session's \Sessions\N\BaseNamedObjects (Local for that session).

#include "base/text.h"
#include "platform/windows/families.h"
#include "platform/windows/nt_objects.h"

#include <windows.h>

#include <algorithm>
#include <map>

namespace ipcscope::win {
namespace {

struct Namespace {
    std::wstring ntPath;
    std::string prefix;  // Win32 prefix that opens the same object from this process
    std::string scope;   // "Global" or "Local"
    std::optional<std::uint32_t> session;
};

bool allDigits(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string attributeText(std::uint32_t a) {
    // SEC_* values (winnt.h): what backs the section.
    std::string out;
    auto add = [&](std::uint32_t bit, const char* name) {
        if (a & bit) out += std::string(out.empty() ? "" : "|") + name;
    };
    add(0x01000000, "image");
    add(0x04000000, "reserve");
    add(0x08000000, "commit");
    add(0x10000000, "nocache");
    add(0x80000000, "large-pages");
    add(0x00800000, "file");
    return out;
}

std::u16string utf16(std::wstring_view w) { return std::u16string(w.begin(), w.end()); }

// NT path (case-folded UTF-16, as the handles name it) -> holders, from the Section handles of
// other processes.
std::map<std::u16string, std::vector<core::Holder>> sectionHolders(Context& ctx, core::Snapshot& out) {
    std::map<std::u16string, std::vector<core::Holder>> byPath;
    const auto& table = ctx.handleTable();
    if (!table) return byPath;  // Context::finish reports why
    const auto sectionIndex = ctx.typeIndex("Section");
    if (!sectionIndex) {
        out.errors.push_back({core::Family::Mappings, core::Kind::Section,
                              core::Error::make(core::Errc::NotSupported,
                                                "the handle table's index of the Section type could not be learnt: "
                                                "holders of sections are not shown")});
        return byPath;
    }
    const auto self = GetCurrentProcessId();
    for (const auto& e : *table) {
        if (e.typeIndex != *sectionIndex || e.pid == self) continue;
        UniqueHandle dup = ctx.duplicate(e);
        if (!dup) continue;
        auto name = queryObjectName(ctx.worker(), dup.get());
        if (!name || name->empty()) continue;
        byPath[foldCase(*name)].push_back(ctx.holder(e, ""));
    }
    return byPath;
}

}  // namespace

void collectSections(Context& ctx, core::Snapshot& out) {
    DWORD ownSession = 0;
    ProcessIdToSessionId(GetCurrentProcessId(), &ownSession);

    std::vector<Namespace> spaces{{L"\\BaseNamedObjects", "Global\\", "Global", std::nullopt}};
    if (auto sessions = listObjectDirectory(L"\\Sessions")) {
        std::vector<std::uint32_t> ids;
        for (const auto& e : *sessions)
            if (e.typeName == "Directory" && allDigits(e.name) && e.name.size() < 10)
                ids.push_back(static_cast<std::uint32_t>(std::stoul(e.name)));
        std::sort(ids.begin(), ids.end());
        for (std::uint32_t id : ids) {
            // Session 0's local namespace is \BaseNamedObjects itself.
            if (id == 0) continue;
            const std::string n = std::to_string(id);
            spaces.push_back({L"\\Sessions\\" + widen(n) + L"\\BaseNamedObjects",
                              id == ownSession ? "Local\\" : "Session\\" + n + "\\", "Local", id});
        }
    } else {
        out.errors.push_back({core::Family::Mappings, core::Kind::Section, sessions.error()});
    }

    const auto holders = sectionHolders(ctx, out);
    for (const auto& ns : spaces) {
        auto entries = listObjectDirectory(ns.ntPath);
        if (!entries) {
            // A session directory can vanish between the two listings; that is not a failure.
            if (entries.error().code != core::Errc::NotFound)
                out.errors.push_back({core::Family::Mappings, core::Kind::Section, entries.error()});
            continue;
        }
        for (const auto& e : *entries) {
            if (e.typeName != "Section") continue;
            core::IpcObject obj;
            obj.kind = core::Kind::Section;
            obj.name = ns.prefix + e.name;
            // Opened by the name as the directory holds it: a UTF-8 round trip would replace
            // unpaired surrogates and open another object or none.
            const std::wstring ntPath = ns.ntPath + L"\\" + std::wstring(e.ntName.begin(), e.ntName.end());
            obj.details["scope"] = ns.scope;
            if (ns.session) obj.details["session"] = *ns.session;
            obj.details["nt_path"] = narrow(ntPath);
            if (auto info = querySection(ntPath)) {
                obj.size = info->maximumSize;
                if (auto text = attributeText(info->allocationAttributes); !text.empty()) obj.details["attributes"] = text;
            } else {
                obj.error = info.error().message();
            }
            if (auto it = holders.find(foldCase(utf16(ntPath))); it != holders.end())
                for (const auto& h : it->second) obj.addHolder(h);
            out.objects.push_back(std::move(obj));
        }
    }
}

}  // namespace ipcscope::win
