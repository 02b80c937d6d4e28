#pragma once
// The named-object namespaces of Windows (\BaseNamedObjects and each session's
// \Sessions\N\BaseNamedObjects), and which processes hold handles to named objects of a type.
// Shared by the collectors of sections, events, mutexes, semaphores and ALPC ports.

#include "core/model.h"
#include "windows/handle_table.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
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
[[nodiscard]] std::vector<ObjectNamespace> objectNamespaces(core::Family family, std::optional<core::Kind> kind, core::Snapshot& out);

/// ASCII lower case, for comparing NT paths (the object manager ignores case).
[[nodiscard]] std::string foldCase(std::string s);

/// Holders of named objects of one type (the handle table's type name: "Section", "Event",
/// "Mutant", "Semaphore", "ALPC Port"), by case-folded NT path. `viaWorker` runs the name
/// queries on the context's worker (needed where a query can block); types that never block
/// are asked directly. An unknown type index is added to `out` as an error.
[[nodiscard]] std::map<std::string, std::vector<core::Holder>> holdersByName(Context& ctx, std::string_view typeName,
                                                                           core::Family family, core::Kind kind,
                                                                           bool viaWorker, core::Snapshot& out);

}  // namespace ipcscope::win
