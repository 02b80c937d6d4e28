#pragma once
// Named synchronisation objects and ALPC ports of the Windows object namespace.

#include "core/model.h"
#include "windows/handle_table.h"

namespace ipcscope::win {

/// sync / event, mutex, semaphore: the named ones of \BaseNamedObjects and each session's
/// \Sessions\N\BaseNamedObjects, with their state and the processes holding a handle.
void collectSyncObjects(Context& ctx, core::Snapshot& out);

/// queues / alpc-port: the ALPC ports of \RPC Control (local RPC endpoints) and of the root
/// directory, with the server process where its handle names the port.
void collectAlpcPorts(Context& ctx, core::Snapshot& out);

}  // namespace ipcscope::win
