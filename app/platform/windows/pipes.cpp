// Named pipes: the \Device\NamedPipe directory (names, current and maximum instances; never
// connects), merged with the system handle table (which processes hold which end).
//
// npfs answers a directory query with one FILE_DIRECTORY_INFORMATION per pipe whose EndOfFile
// is the current instance count and AllocationSize the maximum (as PipeList shows them); on a
// handle, FilePipeLocalInformation ([MS-FSCC] 2.4.37) tells the end and the same counts.

#include "base/text.h"
#include "platform/windows/collectors.h"
#include "platform/windows/families.h"
#include "platform/windows/device_dir.h"
#include "platform/windows/nt.h"

#include <aclapi.h>
#include <sddl.h>

#include <algorithm>

namespace ipcscope::win {
namespace {

std::vector<DirEntry> fromDirectory(core::Snapshot& out) {
    auto dir = listDeviceDirectory(L"\\Device\\NamedPipe\\");
    if (dir) return std::move(*dir);
    auto err = dir.error();
    if (err.code == core::Errc::NotSupported)
        err.context = "this system does not list \\Device\\NamedPipe as a directory; pipes are found through the "
                      "handle table only (pipes no process holds a handle to are missing)";
    out.errors.push_back({core::Family::Pipes, core::Kind::NamedPipe, std::move(err)});
    return {};
}

std::vector<Sighting> fromHandles(Context& ctx) {
    std::vector<Sighting> out;
    for (const auto& nh : ctx.namedFileHandles()) {
        const DeviceName dev = splitDeviceName(nh.name);
        if (dev.device != NtDevice::NamedPipe || dev.rest.empty()) continue;
        Sighting s{std::u16string(dev.rest), nh.entry, ctx.processName(nh.entry.pid)};
        if (UniqueHandle dup = ctx.duplicate(nh.entry)) {
            s.duplicated = true;
            // Needs FILE_READ_ATTRIBUTES on the holder's handle; a write-only client end says no.
            if (auto info = queryPipeLocal(ctx.worker(), dup.get())) s.pipe = *info;
        }
        out.push_back(std::move(s));
    }
    return out;
}

// The opt-in deep look connects to the pipe as a client, so the server sees a connection
// come and go and one free instance is taken for a moment. SECURITY_SQOS_PRESENT |
// SECURITY_IDENTIFICATION lets the server identify us but never impersonate us. Nothing is
// read or written. Access is asked for in decreasing order, since an inbound-only pipe
// refuses GENERIC_READ and GetNamedPipeInfo needs read or write access plus attributes.
nlohmann::ordered_json deepLook(const std::string& name) {
    nlohmann::ordered_json d = nlohmann::ordered_json::object();
    const std::wstring path = L"\\\\.\\pipe\\" + widen(name);
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
            d["sddl"] = sddl.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(base::utf16ToUtf8(sddl));
            LocalFree(text);
        }
        LocalFree(sd);
    }
    return d;
}

}  // namespace

void collectPipes(Context& ctx, core::Snapshot& out) {
    const auto directory = fromDirectory(out);
    const auto sightings = fromHandles(ctx);
    for (auto& obj : mergePipes(directory, sightings)) {
        if (out.wantsDeepLook(obj.name)) obj.details["deep"] = deepLook(obj.name);
        out.objects.push_back(std::move(obj));
    }
}

}  // namespace ipcscope::win
