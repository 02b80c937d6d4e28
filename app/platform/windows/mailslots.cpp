// Mailslots: the \Device\Mailslot directory merged with the system handle table. The server
// (reading) end answers FileMailslotQueryInformation, what GetMailslotInfo returns: maximum
// message size, size of the next message and the number waiting. A client (writing) end does
// not, which is how the two ends are told apart.

#include "windows/collectors.h"
#include "windows/device_dir.h"

#include <algorithm>
#include <map>

namespace ipcscope::win {
namespace {

struct SlotRow {
    core::IpcObject obj;
    bool fromDirectory = false;
    bool fromHandles = false;
    std::optional<MailslotInfo> info;
    std::vector<std::int64_t> readers;
    std::vector<std::int64_t> writers;
};

void addPid(std::vector<std::int64_t>& v, std::int64_t pid) {
    auto it = std::lower_bound(v.begin(), v.end(), pid);
    if (it == v.end() || *it != pid) v.insert(it, pid);
}

SlotRow& rowFor(std::map<std::u16string, SlotRow>& rows, std::u16string_view name) {
    auto [it, added] = rows.try_emplace(foldCase(name));
    if (added) {
        it->second.obj.kind = core::Kind::Mailslot;
        it->second.obj.name = toUtf8(name);
    }
    return it->second;
}

}  // namespace

void collectMailslots(Context& ctx, core::Snapshot& out) {
    std::map<std::u16string, SlotRow> rows;

    if (auto dir = listDeviceDirectory(L"\\Device\\Mailslot\\")) {
        for (const auto& e : *dir) {
            if (e.name.empty()) continue;
            rowFor(rows, e.name).fromDirectory = true;
        }
    } else {
        auto err = dir.error();
        if (err.code == core::Errc::NotSupported)
            err.context = "this system does not list \\Device\\Mailslot as a directory; mailslots are found "
                          "through the handle table only";
        out.errors.push_back({core::Family::Mailslots, core::Kind::Mailslot, std::move(err)});
    }

    for (const auto& nh : ctx.namedFileHandles()) {
        const DeviceName dev = splitDeviceName(nh.name);
        if (dev.device != NtDevice::Mailslot || dev.rest.empty()) continue;
        SlotRow& row = rowFor(rows, dev.rest);
        row.fromHandles = true;
        std::string role = "client";
        if (UniqueHandle dup = ctx.duplicate(nh.entry)) {
            if (auto info = queryMailslot(ctx.worker(), dup.get())) {
                role = "server";
                row.info = *info;
                addPid(row.readers, nh.entry.pid);
            } else {
                addPid(row.writers, nh.entry.pid);
            }
        } else {
            role.clear();
        }
        row.obj.addHolder(ctx.holder(nh.entry, role));
    }

    for (auto& [key, row] : rows) {
        auto& d = row.obj.details;
        if (row.info) {
            d["max_message_size"] = row.info->maxMessageSize;  // 0: any size
            d["next_size"] = row.info->nextSize ? nlohmann::ordered_json(*row.info->nextSize)
                                                : nlohmann::ordered_json(nullptr);
            d["pending"] = row.info->messageCount;
            // null: a read waits forever (MAILSLOT_WAIT_FOREVER).
            d["read_timeout_ms"] = row.info->readTimeoutMs == MAILSLOT_WAIT_FOREVER
                                       ? nlohmann::ordered_json(nullptr)
                                       : nlohmann::ordered_json(row.info->readTimeoutMs);
        }
        d["ends"] = {{"server", row.readers}, {"client", row.writers}};
        d["source"] = row.fromDirectory && row.fromHandles ? "directory+handles"
                      : row.fromDirectory                  ? "directory"
                                                           : "handles";
        out.objects.push_back(std::move(row.obj));
    }
}

}  // namespace ipcscope::win
