#pragma once
// Pure decoders of the buffers the NT native API fills: FILE_DIRECTORY_INFORMATION records,
// the system handle table, NT device names. No OS headers: every field is read byte by byte
// (little-endian) with bounds checks, so the unit tests feed them buffers built by hand.

#include "core/result.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ipcscope::win {

/// One FILE_DIRECTORY_INFORMATION record. For \Device\NamedPipe, npfs stores the current
/// instance count in EndOfFile and the maximum in AllocationSize (0xFFFFFFFF: unlimited).
struct DirEntry {
    std::u16string name;
    std::int64_t endOfFile = 0;
    std::int64_t allocationSize = 0;
    std::uint32_t attributes = 0;
};

/// Size of the fixed part of FILE_DIRECTORY_INFORMATION (the name follows at this offset).
inline constexpr std::size_t kFileDirectoryInfoHeader = 64;

/// Walks the chain of FILE_DIRECTORY_INFORMATION records NtQueryDirectoryFile wrote into `buf`
/// (`buf` is only the part the call filled, IO_STATUS_BLOCK.Information bytes). A record that
/// points outside the buffer, overlaps itself or has an odd name length is Malformed.
[[nodiscard]] core::Result<std::vector<DirEntry>> walkFileDirectoryInfo(std::span<const std::uint8_t> buf);

/// One decoded entry of the system handle table.
struct HandleEntry {
    std::uint32_t pid = 0;
    std::uint64_t handle = 0;     ///< handle value inside the owning process
    std::uint32_t access = 0;     ///< granted access mask
    std::uint16_t typeIndex = 0;  ///< object type index (see learnTypeIndex: do not trust a type list)
    std::uint32_t attributes = 0;
    std::uint64_t object = 0;     ///< kernel address; 0 under Wine and for unprivileged callers
    friend bool operator==(const HandleEntry&, const HandleEntry&) = default;
};

/// Which NtQuerySystemInformation class filled the buffer.
enum class HandleInfoClass : std::uint8_t {
    Extended,  ///< 64, SYSTEM_HANDLE_INFORMATION_EX: header {count, reserved} of two pointers,
               ///< entries {Object, UniqueProcessId, HandleValue (pointers), GrantedAccess u32,
               ///< CreatorBackTraceIndex u16, ObjectTypeIndex u16, HandleAttributes u32, Reserved u32}
    Legacy,    ///< 16, SYSTEM_HANDLE_INFORMATION: header {count u32} padded to a pointer, entries
               ///< {UniqueProcessId u16, CreatorBackTraceIndex u16, ObjectTypeIndex u8,
               ///< HandleAttributes u8, HandleValue u16, Object pointer, GrantedAccess u32}
};

/// Bytes of one entry and of the header for a class and pointer size (4 or 8).
[[nodiscard]] std::size_t handleEntrySize(HandleInfoClass cls, std::size_t pointerSize) noexcept;
[[nodiscard]] std::size_t handleHeaderSize(HandleInfoClass cls, std::size_t pointerSize) noexcept;

/// Decodes a handle table. The count in the header must fit in the buffer (else Malformed);
/// pointerSize is 8 for 64-bit processes, 4 for 32-bit ones.
[[nodiscard]] core::Result<std::vector<HandleEntry>> decodeHandleTable(std::span<const std::uint8_t> buf,
                                                                       HandleInfoClass cls,
                                                                       std::size_t pointerSize = sizeof(void*));

/// The type index the table gives a handle of known type that this process opened itself.
/// Under Wine the table's indexes are offset from the type list's (2 lower in Wine 8.0), so
/// collectors learn indexes this way instead of looking names up in a type list.
[[nodiscard]] std::optional<std::uint16_t> learnTypeIndex(std::span<const HandleEntry> table, std::uint32_t pid,
                                                          std::uint64_t handle) noexcept;

/// Devices whose objects ipcscope names.
enum class NtDevice : std::uint8_t { NamedPipe, Mailslot, Other };

/// An NT path split into its device and the name below it.
struct DeviceName {
    NtDevice device = NtDevice::Other;
    std::u16string_view rest;  ///< after "\Device\NamedPipe\" or "\Device\Mailslot\" (may be empty)
};

/// Splits "\Device\NamedPipe\name" and "\Device\Mailslot\name", comparing the prefix without
/// case (Wine writes "\Device\MailSlot\"). Anything else is NtDevice::Other.
[[nodiscard]] DeviceName splitDeviceName(std::u16string_view ntName) noexcept;

}  // namespace ipcscope::win
