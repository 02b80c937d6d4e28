// clipboard:FORMAT on Windows: EmptyClipboard and SetClipboardData with the message bytes in
// global memory ("Using the Clipboard", Win32 docs), then, as the X11 sender does, the sender
// stays the clipboard owner until another program empties the clipboard (WM_DESTROYCLIPBOARD
// to our owner window) or --seconds (else --timeout) passes, and reports which of the two ended
// it. The data stays on the clipboard after we exit (Windows and Wine 8.0 alike).
// Text formats get what a reader of them expects: CF_TEXT and CF_OEMTEXT a NUL-terminated
// byte string, CF_UNICODETEXT the message as UTF-8 converted to NUL-terminated UTF-16. Every
// other format (standard or registered by name) carries the bytes exactly.

#include "platform/windows/families.h"
#include "platform/windows/inject_win.h"
#include "platform/windows/message_window.h"
#include "platform/windows/row_format.h"

#include <windows.h>

#include <chrono>
#include <cstring>
#include <thread>

namespace ipcscope::win {
namespace {

using Clock = std::chrono::steady_clock;

/// CF_TEXT, "CF_UNICODETEXT", "format 49321" or a registered name: the format's id, 0 when
/// it cannot carry bytes.
UINT formatId(const std::string& name, std::string& why) {
    for (std::uint32_t id = 1; id < 0x100; ++id) {
        const auto standard = standardClipboardFormatName(id);
        if (!standard || _stricmp(standard->c_str(), name.c_str()) != 0) continue;
        if (!clipboardFormatIsGlobalMemory(id)) {
            why = name + " holds a GDI handle, not bytes";
            return 0;
        }
        return id;
    }
    if (name.rfind("format ", 0) == 0) {
        const UINT id = static_cast<UINT>(std::strtoul(name.c_str() + 7, nullptr, 10));
        if (id != 0 && clipboardFormatIsGlobalMemory(id)) return id;
        why = "'" + name + "' is not a clipboard format that holds bytes";
        return 0;
    }
    if (name.rfind("CF_", 0) == 0 || name.rfind("cf_", 0) == 0) {
        why = "unknown standard clipboard format " + name + " (CF_TEXT, CF_UNICODETEXT, CF_OEMTEXT, ... or a registered name)";
        return 0;
    }
    const UINT id = RegisterClipboardFormatW(widen(name).c_str());
    if (id == 0) why = "cannot register the clipboard format " + name;
    return id;
}

/// The bytes the clipboard holds for `format`.
std::vector<std::uint8_t> clipboardBytes(UINT format, std::span<const std::uint8_t> bytes) {
    std::vector<std::uint8_t> out(bytes.begin(), bytes.end());
    if (format == CF_TEXT || format == CF_OEMTEXT) {
        out.push_back(0);
    } else if (format == CF_UNICODETEXT) {
        const std::wstring wide = widen(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
        out.resize((wide.size() + 1) * 2);
        for (std::size_t i = 0; i < wide.size(); ++i) {
            out[2 * i] = static_cast<std::uint8_t>(wide[i] & 0xff);
            out[2 * i + 1] = static_cast<std::uint8_t>(wide[i] >> 8);
        }
        out[out.size() - 2] = out[out.size() - 1] = 0;
    }
    return out;
}

/// Our owner window: WM_DESTROYCLIPBOARD means another program emptied the clipboard.
LRESULT CALLBACK ownerProc(HWND w, UINT msg, WPARAM wp, LPARAM lp) {
    if (msg == WM_DESTROYCLIPBOARD) {
        if (auto* replaced = reinterpret_cast<bool*>(GetWindowLongPtrW(w, GWLP_USERDATA))) *replaced = true;
        return 0;
    }
    return DefWindowProcW(w, msg, wp, lp);
}

class ClipboardSender final : public platform::Sender {
public:
    ClipboardSender(UINT format, std::string target, const platform::SendOptions& o)
        : m_format(format), m_target(std::move(target)), m_options(o) {}
    ~ClipboardSender() override {
        if (m_window) DestroyWindow(m_window);
    }

    /// SetClipboardData fails when the clipboard was opened without an owner window: a
    /// message-only window of ours is the owner.
    core::Status init() {
        DWORD err = 0;
        m_window = createMessageWindow(L"ipcscope-clipboard-owner", ownerProc, &m_replaced, err);
        if (!m_window) return core::Error::fromWin32(err, "cannot create a window to own the clipboard");
        return core::okStatus();
    }

    core::Result<platform::SendResult> send(std::span<const std::uint8_t> bytes) override {
        const auto start = Clock::now();
        if (auto st = put(bytes, start + m_options.timeout); !st) return st.error();
        // Hold the clipboard as its owner; a WM_DESTROYCLIPBOARD from our own EmptyClipboard
        // (a repeat) came before the data, so start clean.
        m_replaced = false;
        const auto hold = m_options.holdFor.count() > 0 ? m_options.holdFor : m_options.timeout;
        pumpMessagesUntil([this] { return m_replaced; }, start + hold);
        platform::SendResult r;
        r.written = m_size;
        r.via = "clipboard format " + std::to_string(m_format) + (m_replaced ? ", then another owner took it" : "");
        r.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
        return r;
    }

private:
    /// Empties the clipboard and puts the bytes on it as m_format, we being the owner.
    core::Status put(std::span<const std::uint8_t> bytes, Clock::time_point deadline) {
        // Another process may hold the clipboard open for a moment: retry until the timeout.
        while (!OpenClipboard(m_window)) {
            if (Clock::now() >= deadline)
                return core::Error{core::Errc::Timeout, core::NativeKind::Win32, GetLastError(),
                                   "the clipboard stayed open by another program for " + std::to_string(m_options.timeout.count()) + " ms"};
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        const std::vector<std::uint8_t> data = clipboardBytes(m_format, bytes);
        HGLOBAL mem = GlobalAlloc(GMEM_MOVEABLE, data.empty() ? 1 : data.size());
        void* p = mem ? GlobalLock(mem) : nullptr;
        if (!p) {
            const DWORD err = GetLastError();
            if (mem) GlobalFree(mem);
            CloseClipboard();
            return core::Error::fromWin32(err, "cannot allocate " + std::to_string(data.size()) + " bytes for the clipboard");
        }
        if (!data.empty()) std::memcpy(p, data.data(), data.size());
        GlobalUnlock(mem);
        EmptyClipboard();
        if (!SetClipboardData(m_format, mem)) {
            const DWORD err = GetLastError();
            GlobalFree(mem);  // still ours: SetClipboardData did not take it
            CloseClipboard();
            return core::Error::fromWin32(err, "cannot put the message on the clipboard as " + m_target);
        }
        CloseClipboard();
        m_size = data.size();
        return core::okStatus();
    }

    UINT m_format;
    std::string m_target;
    platform::SendOptions m_options;
    HWND m_window = nullptr;
    bool m_replaced = false;
    std::size_t m_size = 0;
};

}  // namespace

core::Result<std::unique_ptr<platform::Sender>> openClipboardSender(const core::Target& t, const platform::SendOptions& o) {
    const std::string text = core::formatTarget(t);
    if (o.expectReply)
        return core::Error::make(core::Errc::InvalidArgument, "the clipboard has no way back: --expect-reply does not apply to " + text);
    std::string why;
    const UINT id = formatId(t.name, why);
    if (id == 0) return core::Error::make(core::Errc::InvalidArgument, "target '" + text + "': " + why);
    auto s = std::make_unique<ClipboardSender>(id, text, o);
    if (auto st = s->init(); !st) return st.error();
    return std::unique_ptr<platform::Sender>(std::move(s));
}

}  // namespace ipcscope::win
