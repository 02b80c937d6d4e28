#pragma once
// The Windows collectors for mappings, clipboard, windows, services and sockets, and the small
// helpers they share. backend.cpp dispatches to them.

#include "core/model.h"
#include "platform/windows/handle_table.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ipcscope::win {

/// Named sections of \BaseNamedObjects and every \Sessions\N\BaseNamedObjects, with the
/// processes holding a handle to each (from the handle table).
void collectSections(Context& ctx, core::Snapshot& out);
/// DLLs (and EXEs) loaded by some process that have an IMAGE_SCN_MEM_SHARED section.
void collectSharedDlls(core::Snapshot& out);
/// Every format on the clipboard, with the owner window and the sequence number.
void collectClipboard(core::Snapshot& out);
/// Top-level and message-only windows.
void collectWindows(core::Snapshot& out);
/// DDE servers (WM_DDE_INITIATE broadcast), running object table entries, RPC endpoints.
void collectDde(core::Snapshot& out);
void collectRot(core::Snapshot& out);
void collectRpc(core::Snapshot& out);
/// TCP and UDP endpoints with owning processes. Where the table says PID 0 (Wine), the owner
/// is found by asking the socket handles of the handle table for their addresses.
void collectSockets(Context& ctx, core::Snapshot& out);

/// UTF-16 (as Windows APIs give it) to UTF-8.
[[nodiscard]] std::string narrow(std::wstring_view text);
/// UTF-8 to UTF-16.
[[nodiscard]] std::wstring widen(std::string_view text);

/// Executable names of running processes by PID (Toolhelp snapshot); empty on failure.
[[nodiscard]] std::unordered_map<std::uint32_t, std::string> processNames();

/// "0x0001002A": a window handle or other pointer-sized value as stable text.
[[nodiscard]] std::string hexValue(std::uint64_t value);

}  // namespace ipcscope::win
