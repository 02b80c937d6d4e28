#pragma once
// The Windows collectors, one per family; backend.cpp dispatches to them.

#include "core/model.h"

namespace ipcscope::win {

/// Shared state of one snapshot: what several collectors need and should compute once
/// (the system handle table, process names). Filled lazily by whoever needs it first.
struct Context;

}  // namespace ipcscope::win
