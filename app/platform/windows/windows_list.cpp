// windows / window: top-level windows (EnumWindows) and message-only windows (children of
// HWND_MESSAGE, found with FindWindowEx): the targets of WM_COPYDATA and other messages.

#include "platform/windows/families.h"

#include <windows.h>

#include <vector>

namespace ipcscope::win {
namespace {

constexpr int kMaxWindows = 100000;

std::string windowText(HWND w, bool classNotTitle) {
    wchar_t buf[512] = {};
    // GetWindowText would send WM_GETTEXT to windows of other processes and can hang on a
    // busy one; InternalGetWindowText reads the stored title without a message.
    const int n = classNotTitle ? GetClassNameW(w, buf, 512) : InternalGetWindowText(w, buf, 512);
    return n > 0 ? narrow(std::wstring_view(buf, static_cast<std::size_t>(n))) : std::string();
}

BOOL CALLBACK collectTopLevel(HWND w, LPARAM param) {
    auto* list = reinterpret_cast<std::vector<HWND>*>(param);
    list->push_back(w);
    return list->size() < kMaxWindows;
}

}  // namespace

void collectWindows(core::Snapshot& out) {
    std::vector<HWND> topLevel;
    if (!EnumWindows(collectTopLevel, reinterpret_cast<LPARAM>(&topLevel)) && topLevel.empty() && GetLastError() != 0)
        out.errors.push_back({core::Family::Windows, core::Kind::Window,
                              core::Error::fromWin32(GetLastError(), "EnumWindows failed")});
    std::vector<HWND> messageOnly;
    for (HWND w = nullptr; messageOnly.size() < kMaxWindows;) {
        w = FindWindowExW(HWND_MESSAGE, w, nullptr, nullptr);
        if (!w) break;
        messageOnly.push_back(w);
    }
    const auto names = processNames();
    auto add = [&](HWND w, bool isMessageOnly) {
        DWORD pid = 0;
        const DWORD tid = GetWindowThreadProcessId(w, &pid);
        if (tid == 0) return;  // destroyed since the listing
        core::IpcObject obj;
        obj.kind = core::Kind::Window;
        obj.name = windowText(w, true);
        obj.details["hwnd"] = hexValue(reinterpret_cast<std::uintptr_t>(w));
        obj.details["title"] = windowText(w, false);
        obj.details["message_only"] = isMessageOnly;
        obj.details["visible"] = IsWindowVisible(w) != 0;
        obj.details["thread"] = tid;
        auto it = names.find(pid);
        obj.addHolder({pid, it == names.end() ? std::string() : it->second, "thread " + std::to_string(tid)});
        out.objects.push_back(std::move(obj));
    };
    for (HWND w : topLevel) add(w, false);
    for (HWND w : messageOnly) add(w, true);
}

}  // namespace ipcscope::win
