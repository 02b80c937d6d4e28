// clipboard / clipboard-format: every format on the clipboard (EnumClipboardFormats), its
// standard or registered name, the size of its data, the owner window with its class and PID,
// and GetClipboardSequenceNumber so a viewer can tell when the clipboard changed.
// NOTE: GetClipboardData on a delay-rendered format makes the owner render it (WM_RENDERFORMAT);
// that is the only way to learn a size, and the owner is asked exactly once per snapshot.

#include "platform/windows/families.h"
#include "platform/windows/row_format.h"

#include <windows.h>

namespace ipcscope::win {
namespace {

std::string windowClass(HWND w) {
    wchar_t buf[256] = {};
    const int n = GetClassNameW(w, buf, 256);
    return n > 0 ? narrow(std::wstring_view(buf, static_cast<std::size_t>(n))) : std::string();
}

}  // namespace

void collectClipboard(core::Snapshot& out) {
    const DWORD sequence = GetClipboardSequenceNumber();
    // Another process may hold the clipboard open for a moment: retry briefly.
    bool open = false;
    for (int attempt = 0; attempt < 10 && !(open = OpenClipboard(nullptr) != 0); ++attempt) Sleep(20);
    if (!open) {
        out.errors.push_back({core::Family::Clipboard, core::Kind::ClipboardFormat,
                              core::Error::fromWin32(GetLastError(), "cannot open the clipboard")});
        return;
    }
    const HWND owner = GetClipboardOwner();
    DWORD ownerPid = 0;
    if (owner) GetWindowThreadProcessId(owner, &ownerPid);
    const std::string ownerClass = owner ? windowClass(owner) : std::string();
    const auto names = ownerPid ? processNames() : std::unordered_map<std::uint32_t, std::string>{};

    UINT format = 0;
    for (int guard = 0; guard < 4096; ++guard) {
        format = EnumClipboardFormats(format);
        if (format == 0) break;
        core::IpcObject obj;
        obj.kind = core::Kind::ClipboardFormat;
        bool registered = false;
        if (auto standard = standardClipboardFormatName(format)) {
            obj.name = *standard;
        } else {
            wchar_t buf[256] = {};
            const int n = GetClipboardFormatNameW(format, buf, 256);
            registered = n > 0;
            obj.name = n > 0 ? narrow(std::wstring_view(buf, static_cast<std::size_t>(n))) : "format " + std::to_string(format);
        }
        obj.details["id"] = format;
        obj.details["registered"] = registered;
        obj.details["sequence"] = sequence;
        if (owner) {
            obj.details["owner_window"] = hexValue(reinterpret_cast<std::uintptr_t>(owner));
            obj.details["owner_class"] = ownerClass;
        }
        if (clipboardFormatIsGlobalMemory(format)) {
            if (HANDLE data = GetClipboardData(format)) obj.size = GlobalSize(data);
            else obj.error = core::Error::fromWin32(GetLastError(), "no data for this format").message();
        }
        if (ownerPid) {
            auto it = names.find(ownerPid);
            obj.addHolder({ownerPid, it == names.end() ? std::string() : it->second, "owner"});
        }
        out.objects.push_back(std::move(obj));
    }
    CloseClipboard();
}

}  // namespace ipcscope::win
