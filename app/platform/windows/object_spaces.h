#pragma once
// The named-object namespaces of Windows (\BaseNamedObjects and each session's
// \Sessions\N\BaseNamedObjects), and which processes hold handles to named objects of a type.
// Shared by the collectors of sections, events, mutexes, semaphores and ALPC ports.

#include "core/model.h"
#include "windows/handle_table.h"
#include "windows/row_format.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ipcscope::win {

/// One object namespace, with the Win32 prefix that opens its objects from this process.
struct ObjectNamespace {
    std::wstring ntPath;  ///< "\BaseNamedObjects", "\Sessions\1\BaseNamedObjects"
    std::string prefix;   ///< "Global\", "Local\" (our session) or "Session\N\"
    std::string scope;    ///< "Global" or "Local"
    std::optional<std::uint32_t> session;
};

/// The global namespace and every session's local one. A failure to list \Sessions is added to
/// `out` for the given family and kind; the global namespace is returned regardless.
[[nodiscard]] std::vector<ObjectNamespace> objectNamespaces(core::Family family, std::optional<core::Kind> kind,
                                                            core::Snapshot& out);

/// The NT path of a directory entry, from the name as the directory holds it (a UTF-8 round
/// trip would replace unpaired surrogates and open another object or none).
[[nodiscard]] std::wstring entryPath(const ObjectNamespace& ns, const ObjectDirEntry& entry);

/// Holders of named objects of one type (the handle table's type name: "Section", "Event",
/// "Mutant", "Semaphore", "ALPC Port") by case-folded NT path, from Context::namedHandles (names
/// asked on the timed workers). When the table's index of the type is unknown, an error saying
/// that holders of `kind` are not shown is added to `out` (not when the table itself failed:
/// Context::finish reports that).
[[nodiscard]] HoldersByPath holdersByName(Context& ctx, std::string_view typeName, core::Family family, core::Kind kind,
                                          core::Snapshot& out);

}  // namespace ipcscope::win
