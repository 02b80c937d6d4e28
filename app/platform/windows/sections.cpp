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

}  // namespace

void collectSections(Context& ctx, core::Snapshot& out) {
    const auto spaces = objectNamespaces(core::Family::Mappings, core::Kind::Section, out);
    const auto holders = holdersByName(ctx, "Section", core::Family::Mappings, core::Kind::Section, out);
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
            const std::wstring ntPath = entryPath(ns, e);
            obj.details["scope"] = ns.scope;
            if (ns.session) obj.details["session"] = *ns.session;
            obj.details["nt_path"] = narrow(ntPath);
            if (auto info = querySection(ntPath)) {
                obj.size = info->maximumSize;
                if (auto text = attributeText(info->allocationAttributes); !text.empty()) obj.details["attributes"] = text;
            } else {
                obj.error = info.error().message();
            }
            if (auto it = holders.find(foldCase(std::u16string(ntPath.begin(), ntPath.end()))); it != holders.end())
                for (const auto& h : it->second) obj.addHolder(h);
            out.objects.push_back(std::move(obj));
        }
    }
}

}  // namespace ipcscope::win
