#pragma once
// The Windows collectors, one per family; backend.cpp dispatches to them.

#include "core/model.h"
#include "platform/windows/handle_table.h"

namespace ipcscope::win {

/// Named pipes: \Device\NamedPipe listed as a directory, merged with the holders found in the
/// system handle table (one row per pipe).
void collectPipes(Context& ctx, core::Snapshot& out);

/// Mailslots: \Device\Mailslot listed as a directory, merged with the holders from the handle
/// table and, for server ends, what GetMailslotInfo reports.
void collectMailslots(Context& ctx, core::Snapshot& out);

}  // namespace ipcscope::win
