// Directory listing of a device root (see device_dir.h).

#include "base/text.h"
#include "platform/windows/device_dir.h"

#include "platform/windows/handle_table.h"
#include "platform/windows/nt.h"

#include <algorithm>
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
        const std::size_t size = buf.size() * 8;
        st = NtQueryDirectoryFile(dir.get(), nullptr, nullptr, nullptr, &iosb, buf.data(), static_cast<ULONG>(size),
                                  FileDirectoryInformation, FALSE, nullptr, restart ? TRUE : FALSE);
        restart = false;
        const std::size_t filled = std::min<std::size_t>(iosb.Information, size);
        auto page = readDirectoryPage(static_cast<std::uint32_t>(st),
                                      {reinterpret_cast<const std::uint8_t*>(buf.data()), filled}, size);
        if (!page) {
            auto err = page.error();
            err.context = "cannot list " + where + ": " + err.context;
            return err;
        }
        switch (page->next) {
        case DirectoryPage::Next::Done: return out;
        case DirectoryPage::Next::Retry:
            // The partial record was consumed by the scan: start again with room for it.
            buf.assign(page->retrySize / 8, 0);
            restart = true;
            out.clear();
            break;
        case DirectoryPage::Next::More:
            out.insert(out.end(), page->entries.begin(), page->entries.end());
            break;
        }
    }
    return core::Error::make(core::Errc::TooLarge, "listing " + where + " did not end");
}

}  // namespace ipcscope::win
