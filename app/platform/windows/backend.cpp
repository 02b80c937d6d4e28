// The Windows backend: the platform functions declared in core/platform.h.

#include "base/code_page.h"
#include "core/platform.h"
#include "platform/windows/collectors.h"
#include "platform/windows/families.h"
#include "platform/windows/sync_objects.h"

#include <windows.h>

#include <string>

namespace ipcscope::platform {

core::Platform current() noexcept { return core::Platform::Windows; }

std::string hostName() {
    wchar_t buf[MAX_COMPUTERNAME_LENGTH + 1] = {};
    DWORD n = MAX_COMPUTERNAME_LENGTH + 1;
    if (!GetComputerNameW(buf, &n)) return "localhost";
    return win::narrow(std::wstring_view(buf, n));
}

bool isElevated() {
    HANDLE token = nullptr;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token)) return false;
    TOKEN_ELEVATION elevation{};
    DWORD size = 0;
    const bool ok = GetTokenInformation(token, TokenElevation, &elevation, sizeof elevation, &size) != 0;
    CloseHandle(token);
    return ok && elevation.TokenIsElevated != 0;
}

unsigned oemCodePage() { return GetOEMCP(); }

void prepareOneShotHeap() {}  // not measured on Windows: the heap is left as it is

void collect(std::span<const core::Family> families, core::Snapshot& out) {
    // Shared by the collectors: the handle table is read once, and only if one needs it.
    win::Context ctx;
    for (core::Family family : families) {
        switch (family) {
        case core::Family::Pipes: win::collectPipes(ctx, out); break;
        case core::Family::Mailslots: win::collectMailslots(ctx, out); break;
        case core::Family::Mappings:
            win::collectSections(ctx, out);
            win::collectSharedDlls(out);
            break;
        case core::Family::Clipboard: win::collectClipboard(out); break;
        case core::Family::Windows: win::collectWindows(out); break;
        case core::Family::Services:
            win::collectDde(out);
            win::collectRot(out);
            win::collectRpc(out);
            break;
        case core::Family::Sockets: win::collectSockets(ctx, out); break;
        case core::Family::Queues: win::collectAlpcPorts(ctx, out); break;
        case core::Family::Sync: win::collectSyncObjects(ctx, out); break;
        default:
            out.errors.push_back({family, std::nullopt,
                                  core::Error::make(core::Errc::NotSupported,
                                                    std::string(core::familyName(family)) +
                                                        " are not collected on windows yet")});
            break;
        }
    }
    ctx.finish(out);
}

}  // namespace ipcscope::platform
