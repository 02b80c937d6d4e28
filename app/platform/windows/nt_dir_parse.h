#pragma once
// Decoding of the buffers that NtQueryDirectoryObject fills (OBJECT_DIRECTORY_INFORMATION).
// Pure code: no OS headers, bytes read one by one, little-endian, never past the buffer.

#include "core/result.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace ipcscope::win {

/// One entry of an object directory: the object's name and its type name ("Section", ...).
struct ObjectDirEntry {
    std::string name;      ///< UTF-8 (unpaired surrogates shown as U+FFFD)
    std::string typeName;  ///< UTF-8
    std::u16string ntName; ///< the name exactly as the directory holds it: open objects by this one
    /// Compares the UTF-8 name and the type.
    friend bool operator==(const ObjectDirEntry& a, const ObjectDirEntry& b) {
        return a.name == b.name && a.typeName == b.typeName;
    }
};

/// Walks an array of OBJECT_DIRECTORY_INFORMATION records (two UNICODE_STRINGs each) that ends
/// with an all-zero record or the end of the buffer. The strings' Buffer fields are absolute
/// addresses: `baseAddress` is the address the buffer had when the kernel filled it. Every
/// string must lie inside the buffer. `pointerSize` is 8 for 64-bit layouts, 4 for 32-bit.
[[nodiscard]] core::Result<std::vector<ObjectDirEntry>> parseObjectDirectoryBuffer(std::span<const std::uint8_t> buffer,
                                                                                   std::uint64_t baseAddress,
                                                                                   unsigned pointerSize = 8);

}  // namespace ipcscope::win
