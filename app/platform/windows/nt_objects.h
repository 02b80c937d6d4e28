#pragma once
// The NT object namespace as the mapping collector needs it: listing an object directory and
// querying a named section, through ntdll entry points resolved at run time.

#include "core/result.h"
#include "windows/nt_dir_parse.h"

#include <windows.h>
#include <winternl.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ipcscope::win {

/// Lists an object directory ("\BaseNamedObjects") with NtQueryDirectoryObject in single-entry
/// mode: Wine 8.0 implements only that mode, and Windows supports it as well.
[[nodiscard]] core::Result<std::vector<ObjectDirEntry>> listObjectDirectory(const std::wstring& path);

/// An Nt*Open function of a named object type (NtOpenSection, NtOpenEvent, NtOpenMutant, ...).
using NtOpenFn = NTSTATUS(NTAPI*)(PHANDLE, ACCESS_MASK, POBJECT_ATTRIBUTES);

/// Opens a named object by its NT path, case-insensitively, with `access`; the handle is the
/// caller's to close. `what` starts the error's text ("cannot open section").
[[nodiscard]] core::Result<HANDLE> openByPath(NtOpenFn open, ACCESS_MASK access, const std::wstring& path,
                                              const std::string& what);

/// Basic facts about a named section (NtOpenSection with SECTION_QUERY + NtQuerySection).
struct SectionInfo {
    std::uint64_t maximumSize = 0;
    std::uint32_t allocationAttributes = 0;  ///< SEC_COMMIT 0x8000000, SEC_IMAGE 0x1000000, ...
};
[[nodiscard]] core::Result<SectionInfo> querySection(const std::wstring& path);

}  // namespace ipcscope::win
