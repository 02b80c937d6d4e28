#pragma once
/// Taking a snapshot: which families and kinds to ask the backend for.

#include "core/model.h"

#include <vector>

namespace ipcscope::core {

/// What a caller asks for: families, and optionally only some kinds of them.
struct Selection {
    std::vector<Family> families;  ///< empty means every family
    std::vector<Kind> kinds;       ///< empty means every kind of the selected families
    bool deep = false;             ///< opt-in deep look: backends may connect to objects
    std::string deepMatch;         ///< deep look only at objects whose name contains this (any case)
    std::vector<std::string> dbusAddresses;  ///< D-Bus buses to list besides the ones found
    bool deepConnect = false;      ///< the deep look may connect where it cannot read without doing so

    [[nodiscard]] bool wantsKind(Kind k) const;
    [[nodiscard]] std::vector<Family> effectiveFamilies() const;
};

/// Parses "pipes", "fifo", "named-pipe", ... into a selection. On an unknown word returns
/// an InvalidArgument error naming it and the accepted words.
[[nodiscard]] Result<Selection> parseSelection(const std::vector<std::string>& words);

/// Runs the current platform's backend over the selection. Kinds the platform lacks are
/// recorded as NotSupported errors, not silently dropped.
[[nodiscard]] Snapshot takeSnapshot(const Selection& selection);

}  // namespace ipcscope::core
