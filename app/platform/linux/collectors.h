#pragma once
// The Linux collectors, one per family; backend.cpp dispatches to them.

#include "core/model.h"
#include "linux/proc_scan.h"

namespace ipcscope::lnx {

/// FIFOs, anonymous pipes and Unix domain sockets.
void collectPipes(const ProcScan& scan, core::Snapshot& out);

/// POSIX shm, System V shm, memfds and shared file mappings.
void collectMappings(const ProcScan& scan, core::Snapshot& out);

/// TCP and UDP endpoints, v4 and v6.
void collectSockets(const ProcScan& scan, core::Snapshot& out);

/// X11 CLIPBOARD and PRIMARY: owners and their targets. Without a display, an error.
void collectClipboard(const ProcScan& scan, core::Snapshot& out);

}  // namespace ipcscope::lnx
