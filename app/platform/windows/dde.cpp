// services / dde: DDE servers and their topics. As a DDE client does to find every server, send
// WM_DDE_INITIATE with a null service and topic to each top-level window and collect the
// WM_DDE_ACK replies, then end each conversation with WM_DDE_TERMINATE ("About Dynamic Data
// Exchange", "Initiating a Conversation" in the Win32 docs). DdeConnectList would do the same
// through DDEML but is a stub under Wine.

#include "platform/windows/families.h"

#include <windows.h>
#include <dde.h>

#include <chrono>
#include <mutex>
#include <optional>
#include <vector>

namespace ipcscope::win {
namespace {

constexpr wchar_t kClientClass[] = L"ipcscope.dde.client";
constexpr UINT kPerWindowTimeoutMs = 250;
constexpr auto kTotalBudget = std::chrono::seconds(3);

struct Reply {
    HWND server;
    ATOM service;
    ATOM topic;
};

LRESULT CALLBACK clientProc(HWND w, UINT msg, WPARAM wp, LPARAM lp) {
    if (msg == WM_DDE_ACK) {
        // In reply to WM_DDE_INITIATE the lParam holds the two atoms directly (not packed);
        // the server created them for us and we delete them.
        if (auto* replies = reinterpret_cast<std::vector<Reply>*>(GetWindowLongPtrW(w, GWLP_USERDATA)))
            replies->push_back({reinterpret_cast<HWND>(wp), LOWORD(lp), HIWORD(lp)});
        return 0;
    }
    return DefWindowProcW(w, msg, wp, lp);
}

std::string atomText(ATOM a) {
    if (a == 0) return {};
    wchar_t buf[256] = {};
    const UINT n = GlobalGetAtomNameW(a, buf, 256);
    return narrow(std::wstring_view(buf, n));
}

BOOL CALLBACK collectTopLevel(HWND w, LPARAM param) {
    reinterpret_cast<std::vector<HWND>*>(param)->push_back(w);
    return TRUE;
}

// Every initiate opens a conversation with each server (and our terminate closes it). A
// monitor that samples every few seconds would keep knocking on every DDE server, so a
// broadcast's result is reused for kReuseFor; a one-shot `list` always broadcasts afresh.
constexpr auto kReuseFor = std::chrono::seconds(15);

struct Broadcast {
    std::chrono::steady_clock::time_point at;
    std::vector<core::IpcObject> rows;
    std::vector<core::SnapshotError> errors;
};

Broadcast broadcast();

}  // namespace

void collectDde(core::Snapshot& out) {
    static std::mutex lock;
    static std::optional<Broadcast> last;
    std::lock_guard guard(lock);
    const auto now = std::chrono::steady_clock::now();
    if (!last || now - last->at >= kReuseFor) last = broadcast();
    for (const auto& r : last->rows) out.objects.push_back(r);
    for (const auto& e : last->errors) out.errors.push_back(e);
}

namespace {

Broadcast broadcast() {
    Broadcast result;
    result.at = std::chrono::steady_clock::now();
    core::Snapshot out;  // collects rows and errors of this broadcast
    static const bool registered = [] {
        WNDCLASSEXW wc{};
        wc.cbSize = sizeof wc;
        wc.lpfnWndProc = clientProc;
        wc.hInstance = GetModuleHandleW(nullptr);
        wc.lpszClassName = kClientClass;
        return RegisterClassExW(&wc) != 0 || GetLastError() == ERROR_CLASS_ALREADY_EXISTS;
    }();
    if (!registered) {
        out.errors.push_back({core::Family::Services, core::Kind::DdeServer,
                              core::Error::fromWin32(GetLastError(), "cannot register the DDE client window class")});
        result.errors = std::move(out.errors);
        return result;
    }
    HWND client = CreateWindowExW(0, kClientClass, L"ipcscope DDE client", 0, 0, 0, 0, 0, HWND_MESSAGE, nullptr,
                                  GetModuleHandleW(nullptr), nullptr);
    if (!client) {
        out.errors.push_back({core::Family::Services, core::Kind::DdeServer,
                              core::Error::fromWin32(GetLastError(), "cannot create the DDE client window")});
        result.errors = std::move(out.errors);
        return result;
    }
    std::vector<Reply> replies;
    SetWindowLongPtrW(client, GWLP_USERDATA, reinterpret_cast<LONG_PTR>(&replies));

    std::vector<HWND> targets;
    EnumWindows(collectTopLevel, reinterpret_cast<LPARAM>(&targets));
    const auto deadline = std::chrono::steady_clock::now() + kTotalBudget;
    std::size_t skipped = 0;
    for (HWND target : targets) {
        if (std::chrono::steady_clock::now() >= deadline) {
            ++skipped;
            continue;
        }
        DWORD_PTR result = 0;
        // A hung window costs at most the timeout; SMTO_ABORTIFHUNG skips known-hung ones at once.
        SendMessageTimeoutW(target, WM_DDE_INITIATE, reinterpret_cast<WPARAM>(client), 0, SMTO_ABORTIFHUNG,
                            kPerWindowTimeoutMs, &result);
    }
    if (skipped > 0)
        out.errors.push_back({core::Family::Services, core::Kind::DdeServer,
                              core::Error::make(core::Errc::Timeout, std::to_string(skipped) +
                                                                         " windows were not asked: the DDE broadcast ran out of time")});

    const auto names = processNames();
    for (const auto& r : replies) {
        core::IpcObject obj;
        obj.kind = core::Kind::DdeServer;
        const std::string service = atomText(r.service);
        const std::string topic = atomText(r.topic);
        obj.name = service + "|" + topic;
        obj.details["service"] = service;
        obj.details["topic"] = topic;
        obj.details["server_window"] = hexValue(reinterpret_cast<std::uintptr_t>(r.server));
        DWORD pid = 0;
        if (GetWindowThreadProcessId(r.server, &pid) != 0) {
            auto it = names.find(pid);
            obj.addHolder({pid, it == names.end() ? std::string() : it->second, "server"});
        }
        if (r.service) GlobalDeleteAtom(r.service);
        if (r.topic) GlobalDeleteAtom(r.topic);
        PostMessageW(r.server, WM_DDE_TERMINATE, reinterpret_cast<WPARAM>(client), 0);
        out.objects.push_back(std::move(obj));
    }
    // Let the servers' WM_DDE_TERMINATE answers arrive before the window goes away.
    const auto drainUntil = std::chrono::steady_clock::now() + std::chrono::milliseconds(replies.empty() ? 0 : 50);
    MSG msg;
    while (std::chrono::steady_clock::now() < drainUntil) {
        while (PeekMessageW(&msg, client, 0, 0, PM_REMOVE)) DispatchMessageW(&msg);
        Sleep(5);
    }
    SetWindowLongPtrW(client, GWLP_USERDATA, 0);
    DestroyWindow(client);
    result.rows = std::move(out.objects);
    result.errors = std::move(out.errors);
    return result;
}

}  // namespace
}  // namespace ipcscope::win
