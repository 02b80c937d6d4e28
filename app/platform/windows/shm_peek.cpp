// A read-only look at the first bytes of a named section (file mapping).

#include "core/platform.h"
#include "windows/families.h"

#include <windows.h>

#include <algorithm>
#include <cstring>

namespace ipcscope::platform {

core::Result<std::vector<std::uint8_t>> peekSharedMemory(const core::IpcObject& obj, std::size_t maxBytes) {
    if (obj.kind != core::Kind::Section)
        return core::Error::make(core::Errc::NotSupported, "only named sections can be read here");
    // The row's name is the Win32 one ("Local\x", "Global\x", "Session\2\x"). FILE_MAP_READ
    // asks for no write access, so the view cannot change the section.
    HANDLE h = ::OpenFileMappingW(FILE_MAP_READ, FALSE, win::widen(obj.name).c_str());
    if (!h) return core::Error::fromWin32(::GetLastError(), "cannot open the section " + obj.name + " to read");
    const void* view = ::MapViewOfFile(h, FILE_MAP_READ, 0, 0, 0);
    if (!view) {
        const DWORD err = ::GetLastError();
        ::CloseHandle(h);
        return core::Error::fromWin32(err, "cannot map the section " + obj.name);
    }
    // NOTE: a SEC_RESERVE section can have pages not committed yet; touching them faults. Only
    // the committed run at the start of the view is read.
    MEMORY_BASIC_INFORMATION info{};
    const bool committed = ::VirtualQuery(view, &info, sizeof info) != 0 && info.State == MEM_COMMIT;
    const std::size_t mapped = committed ? info.RegionSize : 0;
    std::size_t n = std::min(maxBytes, mapped);
    if (obj.size) n = std::min<std::size_t>(n, static_cast<std::size_t>(*obj.size));
    std::vector<std::uint8_t> bytes(n);
    if (n > 0) std::memcpy(bytes.data(), view, n);
    ::UnmapViewOfFile(view);
    ::CloseHandle(h);
    return bytes;
}

}  // namespace ipcscope::platform
