#pragma once
// The Windows collectors, one per family; backend.cpp dispatches to them.

#include "core/model.h"
#include "platform/windows/handle_table.h"

namespace ipcscope::win {

/// Named pipes: \Device\NamedPipe listed as a directory, merged with the holders found in the
/// system handle table (one row per pipe).
void collectPipes(Context& ctx, core::Snapshot& out);

/// The OS calls of a deep look at a pipe, each run on a QueryWorker (tests swap them).
struct DeepCalls {
    QueryWorker::Fn security = nullptr;  ///< a handle's security descriptor (self-relative bytes)
    QueryWorker::Fn connect = nullptr;   ///< connect by the NT path given as input, ask, disconnect
};
[[nodiscard]] const DeepCalls& defaultDeepCalls();

/// The `deep` details of one pipe row. From the server end a process holds when one was seen
/// (mode, buffers and server PID from its FilePipeLocalInformation and holder, the SDDL from
/// the duplicated handle); otherwise, only if `connectAllowed`, by connecting as a client
/// (`via: client-connect`); otherwise an error saying why nothing was looked at.
[[nodiscard]] nlohmann::ordered_json deepLook(Context& ctx, QueryWorker& worker, const PipeRow& row,
                                              bool connectAllowed, const DeepCalls& calls = defaultDeepCalls());

/// Mailslots: \Device\Mailslot listed as a directory, merged with the holders from the handle
/// table and, for server ends, what GetMailslotInfo reports.
void collectMailslots(Context& ctx, core::Snapshot& out);

}  // namespace ipcscope::win
