// WM_COPYDATA: a sender that finds the window and uses SendMessageTimeout (a window that does
// not answer cannot hang us), and a message-only window for `listen`. A reply is a WM_COPYDATA
// back to the window passed in wParam (Win32 "Using Data Copy").

#include "platform/windows/families.h"
#include "platform/windows/inject_win.h"
#include "platform/windows/message_window.h"

#include <windows.h>

#include <chrono>
#include <deque>

namespace ipcscope::win {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

/// Messages a window of ours received by WM_COPYDATA.
struct Inbox {
    std::deque<platform::Received> messages;
};

LRESULT CALLBACK inboxProc(HWND w, UINT msg, WPARAM wp, LPARAM lp) {
    if (msg == WM_COPYDATA) {
        auto* inbox = reinterpret_cast<Inbox*>(GetWindowLongPtrW(w, GWLP_USERDATA));
        const auto* cds = reinterpret_cast<const COPYDATASTRUCT*>(lp);
        if (!inbox || !cds) return FALSE;
        platform::Received r;
        const auto* p = static_cast<const std::uint8_t*>(cds->lpData);
        if (p && cds->cbData > 0) r.bytes.assign(p, p + cds->cbData);
        r.channel = static_cast<std::uint64_t>(wp);
        DWORD pid = 0;
        if (wp && GetWindowThreadProcessId(reinterpret_cast<HWND>(wp), &pid))
            r.from = "window " + hexValue(static_cast<std::uint64_t>(wp)) + " pid " + std::to_string(pid);
        inbox->messages.push_back(std::move(r));
        return TRUE;
    }
    return DefWindowProcW(w, msg, wp, lp);
}

/// A message-only window of `className` whose WM_COPYDATA lands in `inbox`.
HWND createInboxWindow(const std::wstring& className, Inbox* inbox, DWORD& err) {
    return createMessageWindow(className, inboxProc, inbox, err);
}

/// Dispatches messages until `inbox` has one or the deadline passes.
bool pumpUntil(Inbox& inbox, Clock::time_point deadline) {
    return pumpMessagesUntil([&inbox] { return !inbox.messages.empty(); }, deadline);
}

/// WM_COPYDATA with SendMessageTimeout; the window's LRESULT in `result`.
DWORD sendCopyData(HWND to, HWND from, std::uint64_t dwData, std::span<const std::uint8_t> bytes, milliseconds timeout,
                   LRESULT& result) {
    COPYDATASTRUCT cds{};
    cds.dwData = static_cast<ULONG_PTR>(dwData);
    cds.cbData = static_cast<DWORD>(bytes.size());
    cds.lpData = const_cast<std::uint8_t*>(bytes.data());
    DWORD_PTR res = 0;
    SetLastError(0);
    if (SendMessageTimeoutW(to, WM_COPYDATA, reinterpret_cast<WPARAM>(from), reinterpret_cast<LPARAM>(&cds), SMTO_ABORTIFHUNG,
                            static_cast<UINT>(timeout.count()), &res) == 0) {
        const DWORD err = GetLastError();
        return err == 0 ? ERROR_TIMEOUT : err;
    }
    result = static_cast<LRESULT>(res);
    return 0;
}

HWND findWindow(const core::Target& t) {
    if (t.handle) {
        HWND w = reinterpret_cast<HWND>(static_cast<std::uintptr_t>(*t.handle));
        return IsWindow(w) ? w : nullptr;
    }
    const std::wstring name = widen(t.name);
    // Message-only windows are not found by FindWindow on Windows; FindWindowEx with
    // HWND_MESSAGE searches them.
    if (HWND w = FindWindowW(name.c_str(), nullptr)) return w;
    if (HWND w = FindWindowExW(HWND_MESSAGE, nullptr, name.c_str(), nullptr)) return w;
    if (HWND w = FindWindowW(nullptr, name.c_str())) return w;
    return FindWindowExW(HWND_MESSAGE, nullptr, nullptr, name.c_str());
}

class CopyDataSender final : public platform::Sender {
public:
    CopyDataSender(HWND to, std::string target, const platform::SendOptions& o) : m_to(to), m_target(std::move(target)), m_options(o) {}
    ~CopyDataSender() override {
        if (m_self) DestroyWindow(m_self);
    }

    core::Status init() {
        if (!m_options.expectReply) return core::okStatus();
        DWORD err = 0;
        m_self = createInboxWindow(L"ipcscope-copydata-reply", &m_inbox, err);
        if (!m_self) return core::Error::fromWin32(err, "cannot create a window for the reply");
        return core::okStatus();
    }

    core::Result<platform::SendResult> send(std::span<const std::uint8_t> bytes) override {
        const auto start = Clock::now();
        LRESULT result = 0;
        const DWORD err = sendCopyData(m_to, m_self, m_options.dwData, bytes, m_options.timeout, result);
        if (err == ERROR_TIMEOUT)
            return core::Error{core::Errc::Timeout, core::NativeKind::Win32, err,
                               m_target + " did not answer WM_COPYDATA within " + std::to_string(m_options.timeout.count()) + " ms"};
        if (err == ERROR_INVALID_WINDOW_HANDLE) return core::Error{core::Errc::NotFound, core::NativeKind::Win32, err, m_target + " no longer exists"};
        if (err != 0) return core::Error::fromWin32(err, "cannot send WM_COPYDATA to " + m_target);
        platform::SendResult r;
        r.written = bytes.size();
        r.via = "WM_COPYDATA, result " + std::to_string(static_cast<long long>(result));
        if (m_options.expectReply) {
            if (!pumpUntil(m_inbox, Clock::now() + m_options.timeout))
                return core::Error::make(core::Errc::Timeout, "no reply from " + m_target + " within " + std::to_string(m_options.timeout.count()) + " ms");
            r.reply = std::move(m_inbox.messages.front().bytes);
            m_inbox.messages.pop_front();
        }
        r.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
        return r;
    }

private:
    HWND m_to;
    std::string m_target;
    platform::SendOptions m_options;
    Inbox m_inbox;
    HWND m_self = nullptr;
};

class CopyDataListener final : public platform::Listener {
public:
    CopyDataListener(std::string endpoint) : m_endpoint(std::move(endpoint)) {}
    ~CopyDataListener() override {
        if (m_window) DestroyWindow(m_window);
    }
    core::Status init(const std::wstring& className) {
        DWORD err = 0;
        m_window = createInboxWindow(className, &m_inbox, err);
        if (!m_window) return core::Error::fromWin32(err, "cannot create the window " + m_endpoint);
        return core::okStatus();
    }
    std::string endpoint() const override { return m_endpoint; }

    core::Result<std::optional<platform::Received>> receive(milliseconds timeout) override {
        if (!pumpUntil(m_inbox, Clock::now() + timeout)) return std::optional<platform::Received>();
        platform::Received r = std::move(m_inbox.messages.front());
        m_inbox.messages.pop_front();
        return std::optional<platform::Received>(std::move(r));
    }

    core::Status reply(const platform::Received& message, std::span<const std::uint8_t> bytes) override {
        HWND to = reinterpret_cast<HWND>(static_cast<std::uintptr_t>(message.channel));
        if (!to || !IsWindow(to)) return core::Error::make(core::Errc::NotSupported, "the sender passed no window to answer to");
        LRESULT result = 0;
        const DWORD err = sendCopyData(to, m_window, 0, bytes, milliseconds(5000), result);
        if (err != 0) return core::Error::fromWin32(err, "cannot echo WM_COPYDATA to " + hexValue(message.channel));
        return core::okStatus();
    }

private:
    std::string m_endpoint;
    Inbox m_inbox;
    HWND m_window = nullptr;
};

}  // namespace

core::Result<std::unique_ptr<platform::Sender>> openCopyDataSender(const core::Target& t, const platform::SendOptions& o) {
    const std::string text = core::formatTarget(t);
    HWND w = findWindow(t);
    if (!w) return core::Error::make(core::Errc::NotFound, "no window " + t.name + " (class, title or handle) exists");
    auto s = std::make_unique<CopyDataSender>(w, text, o);
    if (auto st = s->init(); !st) return st.error();
    return std::unique_ptr<platform::Sender>(std::move(s));
}

core::Result<std::unique_ptr<platform::Listener>> openCopyDataListener(const core::Target& t) {
    if (t.handle) return core::Error::make(core::Errc::InvalidArgument, "listen takes a window class name, not a handle: copydata:CLASS");
    auto l = std::make_unique<CopyDataListener>(core::formatTarget(t));
    if (auto st = l->init(widen(t.name)); !st) return st.error();
    return std::unique_ptr<platform::Listener>(std::move(l));
}

}  // namespace ipcscope::win
