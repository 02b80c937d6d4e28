#pragma once
// A message-only window of our own and a bounded message loop: what the WM_COPYDATA window,
// the clipboard owner and the DDE server share.

#include <windows.h>

#include <chrono>
#include <functional>
#include <string>

namespace ipcscope::win {

/// Registers `className` with `proc` (once per process) and creates a message-only window of it
/// whose GWLP_USERDATA is `userData`. nullptr with the Win32 error in `err` when it fails.
[[nodiscard]] HWND createMessageWindow(const std::wstring& className, WNDPROC proc, void* userData, DWORD& err);

/// Dispatches this thread's messages (sent ones included) one at a time until done() holds,
/// checked before each message, or the deadline passes. Returns done().
bool pumpMessagesUntil(const std::function<bool()>& done, std::chrono::steady_clock::time_point deadline);

}  // namespace ipcscope::win
