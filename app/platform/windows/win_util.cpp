// Text conversion and process names shared by the Windows collectors.

#include "platform/windows/families.h"

#include "base/text.h"

#include <fmt/format.h>
#include <windows.h>
#include <tlhelp32.h>

#include <cstdio>

namespace ipcscope::win {

static_assert(sizeof(wchar_t) == sizeof(char16_t), "Windows wide strings are UTF-16");

std::string narrow(std::wstring_view text) {
    return base::utf16ToUtf8(std::u16string_view(reinterpret_cast<const char16_t*>(text.data()), text.size()));
}

std::wstring widen(std::string_view text) {
    const std::u16string wide = base::utf8ToUtf16(text);
    return std::wstring(wide.begin(), wide.end());
}

std::unordered_map<std::uint32_t, std::string> processNames() {
    std::unordered_map<std::uint32_t, std::string> names;
    HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
    if (snap == INVALID_HANDLE_VALUE) return names;
    PROCESSENTRY32W pe{};
    pe.dwSize = sizeof pe;
    for (BOOL more = Process32FirstW(snap, &pe); more; more = Process32NextW(snap, &pe))
        names[pe.th32ProcessID] = narrow(pe.szExeFile);
    CloseHandle(snap);
    return names;
}

std::string hexValue(std::uint64_t value) {
    return fmt::format("0x{:08X}", value);
}

}  // namespace ipcscope::win
