// Directory listing of a device root (see device_dir.h).

#include "base/text.h"
#include "platform/windows/device_dir.h"

#include "platform/windows/handle_table.h"
#include "platform/windows/nt.h"

#include <string>

namespace ipcscope::win {

core::Result<std::vector<DirEntry>> listDeviceDirectory(const wchar_t* ntPath) {
    const std::string where = base::utf16ToUtf8(std::u16string(ntPath, ntPath + wcslen(ntPath)));
    UNICODE_STRING path;
    RtlInitUnicodeString(&path, ntPath);
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &path, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    IO_STATUS_BLOCK iosb{};
    HANDLE raw = nullptr;
    NTSTATUS st = NtOpenFile(&raw, FILE_LIST_DIRECTORY | SYNCHRONIZE, &oa, &iosb, FILE_SHARE_READ | FILE_SHARE_WRITE,
                             FILE_SYNCHRONOUS_IO_NONALERT);
    if (!NT_SUCCESS(st))
        return core::Error::fromNtStatus(static_cast<std::uint32_t>(st), "cannot open " + where + " for listing");
    UniqueHandle dir(raw);

    std::vector<DirEntry> out;
    std::vector<std::uint64_t> buf(64 * 1024 / 8);
    bool restart = true;
    // Bounded: a device that never says STATUS_NO_MORE_FILES must not hang the snapshot.
    for (int round = 0; round < 100000; ++round) {
        iosb = IO_STATUS_BLOCK{};
        st = NtQueryDirectoryFile(dir.get(), nullptr, nullptr, nullptr, &iosb, buf.data(),
                                  static_cast<ULONG>(buf.size() * 8), FileDirectoryInformation, FALSE, nullptr,
                                  restart ? TRUE : FALSE);
        restart = false;
        if (st == nt::kStatusNoMoreFiles) return out;
        if (st == nt::kStatusBufferOverflow && iosb.Information == 0 && buf.size() < (16u << 20) / 8) {
            buf.resize(buf.size() * 2);  // one entry larger than the buffer
            restart = true;
            out.clear();
            continue;
        }
        if (!NT_SUCCESS(st))
            return core::Error::fromNtStatus(static_cast<std::uint32_t>(st), "cannot list " + where);
        const std::size_t filled = std::min<std::size_t>(iosb.Information, buf.size() * 8);
        auto part = walkFileDirectoryInfo({reinterpret_cast<const std::uint8_t*>(buf.data()), filled});
        if (!part) return part.error();
        out.insert(out.end(), part->begin(), part->end());
        if (filled == 0) return out;
    }
    return core::Error::make(core::Errc::TooLarge, "listing " + where + " did not end");
}

}  // namespace ipcscope::win
