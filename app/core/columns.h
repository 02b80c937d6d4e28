#pragma once
/// Per-family table columns and field lists, shared by the CLI table and the GUI so both
/// show a row the same way.

#include "core/model.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ipcscope::core {

/// One column of a family's table: its header, how a row shows in it, and how it sorts.
struct Column {
    const char* header;
    std::string (*text)(const IpcObject&);
    /// Numeric sort key (size, first pid); null sorts by the text.
    std::int64_t (*number)(const IpcObject&) = nullptr;
    bool stretch = false;  ///< takes the remaining width
};

/// The columns of a family: pipes show state, flow and peers; mappings size, owner and
/// mappers; sockets endpoints and state; the clipboard selection, target and owner. Families
/// without their own set get kind, name, pids, size and a detail summary (genericColumns()).
[[nodiscard]] const std::vector<Column>& columnsFor(Family family);
[[nodiscard]] const std::vector<Column>& genericColumns();

/// Every field of a row as (label, text) pairs: kind, name, size, pids, each detail
/// (structured values as compact text; holders are left to their own table).
[[nodiscard]] std::vector<std::pair<std::string, std::string>> detailFields(const IpcObject& obj);

}  // namespace ipcscope::core
