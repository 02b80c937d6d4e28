#include "platform/collect.h"

#include "core/platform.h"

#include <algorithm>

namespace ipcscope::core {

bool Selection::wantsKind(Kind k) const {
    if (!kinds.empty()) return std::find(kinds.begin(), kinds.end(), k) != kinds.end();
    return families.empty() || std::find(families.begin(), families.end(), familyOf(k)) != families.end();
}

std::vector<Family> Selection::effectiveFamilies() const {
    if (families.empty() && kinds.empty()) return {kAllFamilies.begin(), kAllFamilies.end()};
    std::vector<Family> out;
    auto add = [&](Family f) {
        if (std::find(out.begin(), out.end(), f) == out.end()) out.push_back(f);
    };
    for (Family f : kAllFamilies) {
        if (std::find(families.begin(), families.end(), f) != families.end()) add(f);
        for (Kind k : kinds)
            if (familyOf(k) == f) add(f);
    }
    return out;
}

Result<Selection> parseSelection(const std::vector<std::string>& words) {
    Selection sel;
    for (const auto& w : words) {
        if (w == "all") continue;
        if (auto f = parseFamily(w)) {
            sel.families.push_back(*f);
        } else if (auto k = parseKind(w)) {
            sel.kinds.push_back(*k);
        } else {
            std::string accepted;
            for (Family f : kAllFamilies) accepted += std::string(accepted.empty() ? "" : ", ") + std::string(familyName(f));
            return Error::make(Errc::InvalidArgument, "unknown family or kind '" + w + "' (families: " + accepted +
                                                          "; 'ipcscope list --help' lists the kinds)");
        }
    }
    // "pipes udp" means every kind of pipes plus udp: widen the kind list by the named families.
    if (!sel.families.empty() && !sel.kinds.empty()) {
        for (Family f : sel.families)
            for (Kind k : kAllKinds)
                if (familyOf(k) == f && std::find(sel.kinds.begin(), sel.kinds.end(), k) == sel.kinds.end())
                    sel.kinds.push_back(k);
    }
    return sel;
}

Snapshot takeSnapshot(const Selection& selection) {
    Snapshot snap;
    const auto start = std::chrono::steady_clock::now();
    snap.platform = platform::current();
    snap.host = platform::hostName();
    snap.takenAt = std::chrono::system_clock::now();
    snap.elevated = platform::isElevated();
    snap.families = selection.effectiveFamilies();
    snap.deep = selection.deep;
    snap.deepMatch = selection.deepMatch;
    snap.dbusAddresses = selection.dbusAddresses;
    snap.deepConnect = selection.deepConnect;

    for (Kind k : selection.kinds)
        if (!kindSupported(k, snap.platform) &&
            std::find(selection.families.begin(), selection.families.end(), familyOf(k)) == selection.families.end())
            snap.errors.push_back({familyOf(k), k,
                                   Error::make(Errc::NotSupported, std::string(kindName(k)) + " does not exist on " +
                                                                       std::string(platformName(snap.platform)))});

    std::vector<Family> supported;
    for (Family f : snap.families) {
        if (!familySupported(f, snap.platform)) {
            snap.errors.push_back({f, std::nullopt,
                                   Error::make(Errc::NotSupported, std::string(familyName(f)) + " are not supported on " +
                                                                       std::string(platformName(snap.platform)))});
            continue;
        }
        supported.push_back(f);
    }
    platform::collect(supported, snap);
    std::erase_if(snap.objects, [&](const IpcObject& o) { return !selection.wantsKind(o.kind); });
    snap.sort();
    snap.duration = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
    return snap;
}

}  // namespace ipcscope::core
