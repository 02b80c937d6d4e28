#pragma once
/// Rows of a table as the GUI copies and exports them: CSV with the family's columns (RFC 4180
/// quoting) and JSON (the same objects as `ipcscope list --json` writes).

#include "core/columns.h"

#include <string>
#include <vector>

namespace ipcscope::core {

/// A header line, then one line per row, the cells as the table shows them.
[[nodiscard]] std::string renderCsv(const std::vector<Column>& columns, const std::vector<const IpcObject*>& rows);
/// A JSON array of the rows, two-space indented; invalid UTF-8 in names is replaced, never thrown on.
[[nodiscard]] std::string renderJsonRows(const std::vector<const IpcObject*>& rows);

}  // namespace ipcscope::core
