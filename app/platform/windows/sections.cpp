// mappings / section: named sections (CreateFileMapping objects) in \BaseNamedObjects (the
// Global namespace) and in each session's \Sessions\N\BaseNamedObjects (Local for that session).

#include "windows/families.h"
#include "windows/nt_objects.h"
#include "windows/object_spaces.h"

#include <windows.h>

#include <algorithm>
#include <map>

namespace ipcscope::win {
namespace {

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

<<<<<<< ours
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

=======
>>>>>>> theirs
}  // namespace

void collectSections(Context& ctx, core::Snapshot& out) {
    const auto spaces = objectNamespaces(core::Family::Mappings, core::Kind::Section, out);
    const auto holders = holdersByName(ctx, "Section", core::Family::Mappings, core::Kind::Section, true, out);
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
<<<<<<< ours
            if (auto it = holders.find(foldCase(utf16(ntPath))); it != holders.end())
=======
            if (auto it = holders.find(foldCase(narrow(ntPath))); it != holders.end())
>>>>>>> theirs
                for (const auto& h : it->second) obj.addHolder(h);
            out.objects.push_back(std::move(obj));
        }
    }
}

}  // namespace ipcscope::win
