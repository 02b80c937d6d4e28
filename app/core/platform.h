#pragma once
/// The functions every backend folder (platform/linux, platform/windows, platform/unsupported)
/// defines. CMake picks the folder; core and front ends call only these.

#include "core/model.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace ipcscope::platform {

/// The platform this binary was built for.
[[nodiscard]] core::Platform current() noexcept;

/// The host name as the OS reports it.
[[nodiscard]] std::string hostName();

/// True when running as root (Linux) or elevated (Windows).
[[nodiscard]] bool isElevated();

/// The code page in which this machine's own NetBIOS names are written: the system OEM code
/// page on Windows (GetOEMCP), base::kDefaultOemCodePage elsewhere.
[[nodiscard]] unsigned oemCodePage();

/// For a process that takes one snapshot, prints it and exits (`ipcscope list`): prepares the
/// heap so that the tens of megabytes of small blocks a large snapshot allocates, each touched
/// once, cost few page faults (on Linux the heap is backed by transparent huge pages where the
/// system allows them on request). Long-running processes (the GUI, serve) do not call it.
void prepareOneShotHeap();

/// Appends the objects of the given families (all supported on this platform) to the
/// snapshot. A failure of one source becomes a SnapshotError; a failure on one object is
/// stored on its row; deniedProcesses counts processes that could not be inspected.
void collect(std::span<const core::Family> families, core::Snapshot& out);

/// The first bytes (at most `maxBytes`) of a shared-memory object of a snapshot: a POSIX shm
/// object on Linux, a named section on Windows. Opened read-only and never written; only a
/// user's explicit request calls it. NotSupported for other kinds and platforms.
[[nodiscard]] core::Result<std::vector<std::uint8_t>> peekSharedMemory(const core::IpcObject& obj, std::size_t maxBytes);

}  // namespace ipcscope::platform
