// Named pipes: the \Device\NamedPipe directory (names, current and maximum instances; never
// connects), merged with the system handle table (which processes hold which end).
//
// npfs answers a directory query with one FILE_DIRECTORY_INFORMATION per pipe whose EndOfFile
// is the current instance count and AllocationSize the maximum (as PipeList shows them); on a
// handle, FilePipeLocalInformation ([MS-FSCC] 2.4.37) tells the end and the same counts.

#include "windows/collectors.h"
#include "windows/device_dir.h"
#include "windows/nt.h"

#include <aclapi.h>
#include <sddl.h>

#include <algorithm>
#include <map>

namespace ipcscope::win {
namespace {

constexpr std::uint32_t kUnlimited = 0xFFFFFFFFu;

struct PipeRow {
    core::IpcObject obj;
    std::u16string name;  ///< as the system spells it
    bool fromDirectory = false;
    bool fromHandles = false;
    std::optional<std::uint32_t> instances;
    std::optional<std::uint32_t> maxInstances;
    std::optional<PipeLocalInfo> local;
    std::vector<std::int64_t> servers;
    std::vector<std::int64_t> clients;
};

void addPid(std::vector<std::int64_t>& v, std::int64_t pid) {
    auto it = std::lower_bound(v.begin(), v.end(), pid);
    if (it == v.end() || *it != pid) v.insert(it, pid);
}

PipeRow& rowFor(std::map<std::u16string, PipeRow>& rows, std::u16string_view name) {
    auto [it, added] = rows.try_emplace(foldCase(name));
    if (added) {
        it->second.obj.kind = core::Kind::NamedPipe;
        it->second.obj.name = toUtf8(name);
        it->second.name = name;
    }
    return it->second;
}

void fromDirectory(std::map<std::u16string, PipeRow>& rows, core::Snapshot& out) {
    auto dir = listDeviceDirectory(L"\\Device\\NamedPipe\\");
    if (!dir) {
        auto err = dir.error();
        if (err.code == core::Errc::NotSupported)
            err.context = "this system does not list \\Device\\NamedPipe as a directory; pipes are found through "
                          "the handle table only (pipes no process holds a handle to are missing)";
        out.errors.push_back({core::Family::Pipes, core::Kind::NamedPipe, std::move(err)});
        return;
    }
    for (const auto& e : *dir) {
        if (e.name.empty()) continue;
        PipeRow& row = rowFor(rows, e.name);
        row.fromDirectory = true;
        row.instances = static_cast<std::uint32_t>(e.endOfFile);
        row.maxInstances = static_cast<std::uint32_t>(e.allocationSize);
    }
}

void fromHandles(Context& ctx, std::map<std::u16string, PipeRow>& rows) {
    for (const auto& nh : ctx.namedFileHandles()) {
        const DeviceName dev = splitDeviceName(nh.name);
        if (dev.device != NtDevice::NamedPipe || dev.rest.empty()) continue;
        PipeRow& row = rowFor(rows, dev.rest);
        row.fromHandles = true;
        std::string role;
        if (UniqueHandle dup = ctx.duplicate(nh.entry)) {
            // Needs FILE_READ_ATTRIBUTES on the holder's handle; a write-only client end says no.
            if (auto info = queryPipeLocal(ctx.worker(), dup.get())) {
                role = info->end == nt::kPipeServerEnd ? "server" : "client";
                addPid(info->end == nt::kPipeServerEnd ? row.servers : row.clients, nh.entry.pid);
                if (!row.fromDirectory) {
                    row.instances = info->curInstances;
                    row.maxInstances = info->maxInstances;
                }
                if (!row.local) row.local = *info;
            }
        }
        row.obj.addHolder(ctx.holder(nh.entry, role));
    }
}

void fillDetails(PipeRow& row) {
    auto& d = row.obj.details;
    d["instances"] = row.instances ? nlohmann::ordered_json(*row.instances) : nlohmann::ordered_json(nullptr);
    // PIPE_UNLIMITED_INSTANCES is stored as 0xFFFFFFFF: shown as null with unlimited=true.
    const bool unlimited = row.maxInstances && *row.maxInstances == kUnlimited;
    d["max_instances"] = (row.maxInstances && !unlimited) ? nlohmann::ordered_json(*row.maxInstances)
                                                          : nlohmann::ordered_json(nullptr);
    if (unlimited) d["unlimited"] = true;
    d["ends"] = {{"server", row.servers}, {"client", row.clients}};
    d["source"] = row.fromDirectory && row.fromHandles ? "directory+handles"
                  : row.fromDirectory                  ? "directory"
                                                       : "handles";
    if (row.local) {
        d["type"] = row.local->type == 1 ? "message" : "byte";
        d["direction"] = row.local->configuration == 0   ? "inbound"
                         : row.local->configuration == 1 ? "outbound"
                                                         : "duplex";
        d["in_quota"] = row.local->inboundQuota;
        d["out_quota"] = row.local->outboundQuota;
    }
}

// The opt-in deep look connects to the pipe as a client, so the server sees a connection
// come and go and one free instance is taken for a moment. SECURITY_SQOS_PRESENT |
// SECURITY_IDENTIFICATION lets the server identify us but never impersonate us. Nothing is
// read or written. Access is asked for in decreasing order, since an inbound-only pipe
// refuses GENERIC_READ and GetNamedPipeInfo needs read or write access plus attributes.
nlohmann::ordered_json deepLook(std::u16string_view name) {
    nlohmann::ordered_json d = nlohmann::ordered_json::object();
    std::wstring path = L"\\\\.\\pipe\\";
    for (char16_t c : name) path.push_back(static_cast<wchar_t>(c));
    const DWORD tries[] = {GENERIC_READ | READ_CONTROL, GENERIC_WRITE | FILE_READ_ATTRIBUTES | READ_CONTROL,
                           FILE_READ_ATTRIBUTES | READ_CONTROL, FILE_READ_ATTRIBUTES};
    UniqueHandle h;
    DWORD err = 0;
    for (DWORD access : tries) {
        h.reset(CreateFileW(path.c_str(), access, FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr, OPEN_EXISTING,
                            SECURITY_SQOS_PRESENT | SECURITY_IDENTIFICATION, nullptr));
        if (h) break;
        err = GetLastError();
        if (err != ERROR_ACCESS_DENIED) break;
    }
    if (!h) {
        d["error"] = err == ERROR_PIPE_BUSY ? std::string("all instances are busy")
                                            : core::Error::fromWin32(err, "cannot connect").message();
        return d;
    }
    DWORD flags = 0, outSize = 0, inSize = 0, maxInst = 0;
    if (GetNamedPipeInfo(h.get(), &flags, &outSize, &inSize, &maxInst)) {
        d["mode"] = (flags & PIPE_TYPE_MESSAGE) ? "message" : "byte";
        d["in_buffer"] = inSize;
        d["out_buffer"] = outSize;
    }
    ULONG serverPid = 0;
    if (GetNamedPipeServerProcessId(h.get(), &serverPid)) d["server_pid"] = serverPid;
    PSECURITY_DESCRIPTOR sd = nullptr;
    if (GetSecurityInfo(h.get(), SE_KERNEL_OBJECT, OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION |
                                                       DACL_SECURITY_INFORMATION,
                        nullptr, nullptr, nullptr, nullptr, &sd) == ERROR_SUCCESS) {
        LPWSTR text = nullptr;
        ULONG len = 0;
        if (ConvertSecurityDescriptorToStringSecurityDescriptorW(
                sd, SDDL_REVISION_1, OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
                &text, &len)) {
            std::u16string sddl;
            for (LPWSTR c = text; *c; ++c) sddl.push_back(static_cast<char16_t>(*c));
            // Wine keeps no security descriptor on pipes: an empty string, shown as null.
            d["sddl"] = sddl.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(toUtf8(sddl));
            LocalFree(text);
        }
        LocalFree(sd);
    }
    return d;
}

}  // namespace

void collectPipes(Context& ctx, core::Snapshot& out) {
    std::map<std::u16string, PipeRow> rows;
    fromDirectory(rows, out);
    fromHandles(ctx, rows);
    for (auto& [key, row] : rows) {
        fillDetails(row);
        if (out.deep) row.obj.details["deep"] = deepLook(row.name);
        out.objects.push_back(std::move(row.obj));
    }
}

}  // namespace ipcscope::win
