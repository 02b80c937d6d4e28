#include "platform/windows/message_window.h"

namespace ipcscope::win {
namespace {

constexpr long long kSliceMs = 50;

}  // namespace

HWND createMessageWindow(const std::wstring& className, WNDPROC proc, void* userData, DWORD& err) {
    WNDCLASSEXW wc{};
    wc.cbSize = sizeof wc;
    wc.lpfnWndProc = proc;
    wc.hInstance = GetModuleHandleW(nullptr);
    wc.lpszClassName = className.c_str();
    if (!RegisterClassExW(&wc) && GetLastError() != ERROR_CLASS_ALREADY_EXISTS) {
        err = GetLastError();
        return nullptr;
    }
    HWND w = CreateWindowExW(0, className.c_str(), className.c_str(), 0, 0, 0, 0, 0, HWND_MESSAGE, nullptr, wc.hInstance, nullptr);
    if (!w) {
        err = GetLastError();
        return nullptr;
    }
    SetWindowLongPtrW(w, GWLP_USERDATA, reinterpret_cast<LONG_PTR>(userData));
    return w;
}

bool pumpMessagesUntil(const std::function<bool()>& done, std::chrono::steady_clock::time_point deadline) {
    using namespace std::chrono;
    while (!done()) {
        MSG m;
        if (PeekMessageW(&m, nullptr, 0, 0, PM_REMOVE)) {
            TranslateMessage(&m);
            DispatchMessageW(&m);
            continue;
        }
        const auto left = duration_cast<milliseconds>(deadline - steady_clock::now()).count();
        if (left <= 0) return false;
        // Woken by a posted or sent message (a sent one is dispatched inside PeekMessage). Wine 8.0
        // does not wake this wait for a message another process sends (WM_DESTROYCLIPBOARD from
        // its EmptyClipboard), so wait in short slices.
        MsgWaitForMultipleObjects(0, nullptr, FALSE, static_cast<DWORD>(left < kSliceMs ? left : kSliceMs), QS_ALLINPUT);
    }
    return true;
}

}  // namespace ipcscope::win
