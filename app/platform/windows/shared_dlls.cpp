// mappings / shared-dll: images loaded by some process that have a section marked
// IMAGE_SCN_MEM_SHARED. Such a section is one set of pages for every process that loads the
// image: the "DLL shared data" way of sharing memory (#pragma data_seg + /SECTION:name,RWS).
// Modules come from EnumProcessModulesEx; the headers are read from the process's memory
// (ReadProcessMemory of the image base) and parsed by pe_sections.

#include "base/text.h"
#include "platform/windows/families.h"
#include "platform/windows/pe_sections.h"

#include <windows.h>
#include <psapi.h>

#include <algorithm>
#include <map>
#include <optional>
#include <vector>

namespace ipcscope::win {
namespace {

constexpr std::size_t kFirstRead = 4096;
constexpr std::size_t kMaxHeaders = 1 << 20;

struct SharedImage {
    std::vector<PeSection> sections;  // only the shared ones; empty: the image has none
};

std::optional<std::vector<std::uint8_t>> readRemote(HANDLE process, const void* at, std::size_t n) {
    std::vector<std::uint8_t> buf(n);
    SIZE_T got = 0;
    if (!ReadProcessMemory(process, at, buf.data(), n, &got) || got == 0) return std::nullopt;
    buf.resize(got);
    return buf;
}

core::Result<SharedImage> inspect(HANDLE process, HMODULE module) {
    auto head = readRemote(process, module, kFirstRead);
    if (!head) return core::Error::fromWin32(GetLastError(), "cannot read the image headers");
    auto need = peHeaderBytesNeeded(*head);
    if (!need) return need.error();
    if (*need > head->size() && *need <= kMaxHeaders) {
        head = readRemote(process, module, *need);
        if (!head) return core::Error::fromWin32(GetLastError(), "cannot read the section table");
    }
    auto image = parsePeHeaders(*head);
    if (!image) return image.error();
    SharedImage out;
    for (auto& s : image->sections)
        if (s.shared()) out.sections.push_back(std::move(s));
    return out;
}

}  // namespace

void collectSharedDlls(core::Snapshot& out) {
    std::vector<DWORD> pids(1024);
    DWORD bytes = 0;
    for (int attempt = 0; attempt < 6; ++attempt) {
        if (!EnumProcesses(pids.data(), static_cast<DWORD>(pids.size() * sizeof(DWORD)), &bytes)) {
            out.errors.push_back({core::Family::Mappings, core::Kind::SharedDll,
                                  core::Error::fromWin32(GetLastError(), "EnumProcesses failed")});
            return;
        }
        if (bytes < pids.size() * sizeof(DWORD)) break;
        pids.resize(pids.size() * 2);
    }
    pids.resize(bytes / sizeof(DWORD));
    const auto names = processNames();

    std::map<std::string, SharedImage> byPath;            // lower-case path -> what the image holds
    std::map<std::string, core::IpcObject> rows;          // lower-case path -> row
    std::uint32_t denied = 0;
    for (DWORD pid : pids) {
        if (pid == 0) continue;
        HANDLE process = OpenProcess(PROCESS_QUERY_INFORMATION | PROCESS_VM_READ, FALSE, pid);
        if (!process) {
            // Vanished processes are not counted; refused ones are.
            if (GetLastError() == ERROR_ACCESS_DENIED) ++denied;
            continue;
        }
        std::vector<HMODULE> modules(256);
        DWORD needed = 0;
        bool listed = false;
        for (int attempt = 0; attempt < 4; ++attempt) {
            if (!EnumProcessModulesEx(process, modules.data(), static_cast<DWORD>(modules.size() * sizeof(HMODULE)), &needed,
                                      LIST_MODULES_ALL))
                break;
            listed = true;
            if (needed <= modules.size() * sizeof(HMODULE)) break;
            modules.resize(needed / sizeof(HMODULE) + 16);
        }
        if (!listed) {
            if (GetLastError() == ERROR_ACCESS_DENIED) ++denied;
            CloseHandle(process);
            continue;
        }
        modules.resize(std::min<std::size_t>(modules.size(), needed / sizeof(HMODULE)));
        for (HMODULE m : modules) {
            wchar_t path[MAX_PATH * 2] = {};
            const DWORD n = GetModuleFileNameExW(process, m, path, MAX_PATH * 2);
            if (n == 0) continue;
            const std::string display = narrow(std::wstring_view(path, n));
            const std::string key = base::toLowerAscii(display);
            auto known = byPath.find(key);
            if (known == byPath.end()) {
                auto image = inspect(process, m);
                // An unreadable image (being unloaded, protected) is skipped for this process only.
                if (!image) continue;
                known = byPath.emplace(key, std::move(*image)).first;
            }
            if (known->second.sections.empty()) continue;
            auto& row = rows[key];
            if (row.name.empty()) {
                row.kind = core::Kind::SharedDll;
                row.name = display;
                std::uint64_t total = 0;
                auto& list = row.details["sections"] = nlohmann::ordered_json::array();
                for (const auto& s : known->second.sections) {
                    total += s.virtualSize;
                    list.push_back({{"name", s.name},
                                    {"size", s.virtualSize},
                                    {"writable", s.writable()},
                                    {"characteristics", hexValue(s.characteristics)}});
                }
                row.size = total;
            }
            auto it = names.find(pid);
            row.addHolder({pid, it == names.end() ? std::string() : it->second, "module " + hexValue(reinterpret_cast<std::uintptr_t>(m))});
        }
        CloseHandle(process);
    }
    for (auto& [key, row] : rows) out.objects.push_back(std::move(row));
    out.deniedProcesses = std::max(out.deniedProcesses, denied);
}

}  // namespace ipcscope::win
