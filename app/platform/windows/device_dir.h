#pragma once
// Listing a file system device's root as a directory (\Device\NamedPipe\, \Device\Mailslot\):
// what PipeList does. It never opens or connects to the objects listed.

#include "core/result.h"
#include "platform/windows/nt_parse.h"

#include <vector>

namespace ipcscope::win {

/// NtOpenFile(FILE_LIST_DIRECTORY) on `ntPath` (with its trailing backslash) and
/// NtQueryDirectoryFile(FileDirectoryInformation) until STATUS_NO_MORE_FILES. Errc::NotSupported
/// where the device does not implement the listing (Wine 8.0: STATUS_BAD_DEVICE_TYPE).
[[nodiscard]] core::Result<std::vector<DirEntry>> listDeviceDirectory(const wchar_t* ntPath);

}  // namespace ipcscope::win
