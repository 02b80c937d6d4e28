#include "net/mailslot_client.h"

#ifdef _WIN32
#include <windows.h>
#endif

namespace ipcscope::net {

core::Status writeLocalMailslot(const std::string& slot, std::span<const std::uint8_t> data) {
#ifdef _WIN32
    // CreateFile on \\.\mailslot\NAME opens the client end of a local mailslot; each
    // WriteFile is one message (Win32 "Writing to a Mailslot").
    const std::string path = "\\\\.\\mailslot\\" + slot;
    HANDLE h = CreateFileA(path.c_str(), GENERIC_WRITE, FILE_SHARE_READ, nullptr, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
    if (h == INVALID_HANDLE_VALUE) return core::Error::fromWin32(GetLastError(), "cannot open " + path);
    DWORD written = 0;
    const BOOL ok = WriteFile(h, data.data(), static_cast<DWORD>(data.size()), &written, nullptr);
    const DWORD err = GetLastError();
    CloseHandle(h);
    if (!ok) return core::Error::fromWin32(err, "cannot write to " + path);
    if (written != data.size())
        return core::Error::make(core::Errc::Io, "wrote " + std::to_string(written) + " of " + std::to_string(data.size()) + " bytes to " + path);
    return core::okStatus();
#else
    (void)slot;
    (void)data;
    return core::Error::make(core::Errc::NotSupported, "local mailslots exist only on Windows");
#endif
}

}  // namespace ipcscope::net
