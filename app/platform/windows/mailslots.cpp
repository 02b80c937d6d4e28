// Mailslots: the \Device\Mailslot directory merged with the system handle table. The server
// (reading) end answers FileMailslotQueryInformation, what GetMailslotInfo returns: maximum
// message size, size of the next message and the number waiting. A client (writing) end does
// not, which is how the two ends are told apart.

#include "platform/windows/collectors.h"
#include "platform/windows/device_dir.h"


namespace ipcscope::win {

void collectMailslots(Context& ctx, core::Snapshot& out) {
    std::vector<DirEntry> directory;
    if (auto dir = listDeviceDirectory(L"\\Device\\Mailslot\\")) {
        directory = std::move(*dir);
    } else {
        auto err = dir.error();
        if (err.code == core::Errc::NotSupported)
            err.context = "this system does not list \\Device\\Mailslot as a directory; mailslots are found "
                          "through the handle table only";
        out.errors.push_back({core::Family::Mailslots, core::Kind::Mailslot, std::move(err)});
    }

    std::vector<Sighting> sightings;
    for (const auto& nh : ctx.namedFileHandles()) {
        const DeviceName dev = splitDeviceName(nh.name);
        if (dev.device != NtDevice::Mailslot || dev.rest.empty()) continue;
        Sighting s{std::u16string(dev.rest), nh.entry, ctx.processName(nh.entry.pid)};
        if (UniqueHandle dup = ctx.duplicate(nh.entry)) {
            s.duplicated = true;
            if (auto info = queryMailslot(ctx.worker(), dup.get())) s.mailslot = *info;
        }
        sightings.push_back(std::move(s));
    }

    for (auto& obj : mergeMailslots(directory, sightings)) out.objects.push_back(std::move(obj));
}

}  // namespace ipcscope::win
