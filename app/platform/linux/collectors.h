#pragma once
// The Linux collectors, one per family; backend.cpp dispatches to them.

#include "core/model.h"
#include "linux/proc_scan.h"

namespace ipcscope::lnx {

/// FIFOs, anonymous pipes and Unix domain sockets.
void collectPipes(const ProcScan& scan, core::Snapshot& out);

}  // namespace ipcscope::lnx
