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
#include <chrono>
#include <cstring>
#include <iterator>

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

// The deep look's calls run on a QueryWorker: on a server end with a synchronous
// ConnectNamedPipe or ReadFile pending, Windows holds the file object's lock, and a query of
// its security descriptor waits for it like a name query does.
constexpr auto kDeepTimeout = std::chrono::milliseconds(1000);
constexpr SECURITY_INFORMATION kSdParts = OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION;

// NtQuerySecurityObject into the worker's buffer: what GetSecurityInfo calls for a kernel
// object, without the allocation of the result (a thread that may be terminated must not
// hold the heap lock).
NTSTATUS securityQuery(HANDLE h, void* buffer, ULONG size, ULONG* used) {
    ULONG need = 0;
    const NTSTATUS st = NtQuerySecurityObject(h, kSdParts, buffer, size, &need);
    if (NT_SUCCESS(st)) *used = IsValidSecurityDescriptor(buffer) ? GetSecurityDescriptorLength(buffer) : 0;
    return st;
}

// What connectQuery leaves at the start of the worker's buffer; the descriptor's bytes follow.
struct ConnectAnswer {
    NTSTATUS open;           // status of the last open attempt
    std::uint32_t attempt;   // index into kConnectAccess of that attempt
    BOOL info;               // GetNamedPipeInfo answered
    DWORD flags, outSize, inSize, maxInstances;
    BOOL pid;                // GetNamedPipeServerProcessId answered
    ULONG serverPid;
    NTSTATUS security;       // NtQuerySecurityObject
    ULONG securityLength;
};

// Access asked for in decreasing order: an inbound-only pipe refuses GENERIC_READ, and
// GetNamedPipeInfo needs read or write access plus attributes. The last has no READ_CONTROL.
constexpr ACCESS_MASK kConnectAccess[] = {GENERIC_READ | READ_CONTROL, GENERIC_WRITE | FILE_READ_ATTRIBUTES | READ_CONTROL,
                                          FILE_READ_ATTRIBUTES | READ_CONTROL, FILE_READ_ATTRIBUTES};
constexpr std::uint32_t kLastAccess = std::size(kConnectAccess) - 1;

// Connects as a client by NT path (the input: UTF-16 "\??\pipe\name", opened by NtCreateFile
// so no Win32 path normalisation rewrites the name), asks the pipe and disconnects. The server
// sees a client come and go. SecurityIdentification lets it identify us, never impersonate us.
NTSTATUS connectQuery(HANDLE, void* buffer, ULONG size, ULONG* used) {
    UNICODE_STRING path;
    path.Buffer = static_cast<PWSTR>(buffer);
    path.Length = path.MaximumLength = static_cast<USHORT>(*used);
    SECURITY_QUALITY_OF_SERVICE qos{static_cast<DWORD>(sizeof qos), SecurityIdentification, SECURITY_STATIC_TRACKING, FALSE};
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &path, OBJ_CASE_INSENSITIVE, nullptr, nullptr);
    oa.SecurityQualityOfService = &qos;
    ConnectAnswer a{};
    HANDLE h = nullptr;
    for (a.attempt = 0; a.attempt <= kLastAccess; ++a.attempt) {
        IO_STATUS_BLOCK iosb{};
        a.open = NtCreateFile(&h, kConnectAccess[a.attempt] | SYNCHRONIZE, &oa, &iosb, nullptr, 0,
                              FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN,
                              FILE_NON_DIRECTORY_FILE | FILE_SYNCHRONOUS_IO_NONALERT, nullptr, 0);
        if (NT_SUCCESS(a.open) || a.open != nt::kStatusAccessDenied || a.attempt == kLastAccess) break;
    }
    if (NT_SUCCESS(a.open)) {
        a.info = GetNamedPipeInfo(h, &a.flags, &a.outSize, &a.inSize, &a.maxInstances);
        a.pid = GetNamedPipeServerProcessId(h, &a.serverPid);
        // The path is no longer needed: the descriptor goes right after the answer.
        void* sd = static_cast<unsigned char*>(buffer) + sizeof a;
        a.security = securityQuery(h, sd, size - sizeof a, &a.securityLength);
        NtClose(h);
    }
    std::memcpy(buffer, &a, sizeof a);
    *used = static_cast<ULONG>(sizeof a) + (NT_SUCCESS(a.security) ? a.securityLength : 0);
    return nt::kStatusSuccess;
}

// The SDDL text of a self-relative descriptor, or why there is none.
core::Result<std::string> sddlOf(std::span<const std::uint8_t> sd) {
    if (sd.empty()) return core::Error::make(core::Errc::NotFound, "the pipe has no security descriptor");
    LPWSTR text = nullptr;
    ULONG len = 0;
    if (!ConvertSecurityDescriptorToStringSecurityDescriptorW(const_cast<std::uint8_t*>(sd.data()), SDDL_REVISION_1,
                                                              kSdParts, &text, &len))
        return core::Error::fromWin32(GetLastError(), "cannot convert the security descriptor to SDDL");
    std::u16string sddl;
    for (LPWSTR c = text; *c; ++c) sddl.push_back(static_cast<char16_t>(*c));
    LocalFree(text);
    // Wine keeps no security descriptor on pipes: an empty descriptor gives an empty string.
    if (sddl.empty()) return core::Error::make(core::Errc::NotFound, "the pipe's security descriptor is empty");
    return toUtf8(sddl);
}

// Sets `sddl` (null when missing) and, when missing, `sddl_error` saying why.
void putSddl(nlohmann::ordered_json& d, const core::Result<std::string>& sddl) {
    if (sddl) {
        d["sddl"] = *sddl;
        return;
    }
    d["sddl"] = nullptr;
    d["sddl_error"] = sddl.error().message();
}

core::Result<std::string> serverSddl(Context& ctx, QueryWorker& worker, const Sighting& server, const DeepCalls& calls) {
    if ((server.entry.access & kReadControl) == 0)
        return core::Error::make(core::Errc::PermissionDenied,
                                 "the server's handle was opened without READ_CONTROL, so the security descriptor "
                                 "cannot be read through it");
    UniqueHandle dup = ctx.duplicate(server.entry);
    if (!dup) return core::Error::make(core::Errc::NotFound, "the server's handle could not be duplicated again");
    auto bytes = worker.run(calls.security, dup.get());
    if (!bytes) {
        auto err = bytes.error();
        if (err.code == core::Errc::Timeout)
            err.context = "the security query on the server end did not answer within " +
                          std::to_string(worker.timeout().count()) + " ms (a synchronous I/O is pending on it)";
        return err;
    }
    return sddlOf(*bytes);
}

nlohmann::ordered_json connectLook(QueryWorker& worker, const PipeRow& row, const DeepCalls& calls) {
    nlohmann::ordered_json d = nlohmann::ordered_json::object();
    d["via"] = "client-connect";
    static constexpr std::u16string_view kPrefix = u"\\?" u"?\\pipe\\";  // \??\pipe\ (no trigraph)
    std::u16string path(kPrefix);
    path += row.name;
    if (path.size() * 2 > 0xFFFE) {
        d["error"] = "the pipe name is too long to open";
        return d;
    }
    std::vector<std::uint8_t> input(path.size() * 2);
    for (std::size_t i = 0; i < path.size(); ++i) {
        input[2 * i] = static_cast<std::uint8_t>(path[i] & 0xFF);
        input[2 * i + 1] = static_cast<std::uint8_t>(path[i] >> 8);
    }
    auto bytes = worker.run(calls.connect, nullptr, input);
    if (!bytes) {
        d["error"] = bytes.error().code == core::Errc::Timeout
                         ? "connecting did not answer within " + std::to_string(worker.timeout().count()) + " ms"
                         : bytes.error().message();
        return d;
    }
    ConnectAnswer a{};
    if (bytes->size() < sizeof a) {
        d["error"] = "short answer from the connect query";
        return d;
    }
    std::memcpy(&a, bytes->data(), sizeof a);
    if (!NT_SUCCESS(a.open)) {
        const bool busy = a.open == nt::kStatusPipeNotAvailable || a.open == nt::kStatusInstanceNotAvailable ||
                          a.open == nt::kStatusPipeBusy;
        d["error"] = busy ? std::string("all instances are busy")
                          : core::Error::fromNtStatus(static_cast<std::uint32_t>(a.open), "cannot connect").message();
        return d;
    }
    if (a.info) {
        d["mode"] = (a.flags & PIPE_TYPE_MESSAGE) ? "message" : "byte";
        d["in_buffer"] = a.inSize;
        d["out_buffer"] = a.outSize;
    }
    if (a.pid) d["server_pid"] = a.serverPid;
    if (a.attempt == kLastAccess) {
        // Only the open without READ_CONTROL succeeded: say so rather than leave the SDDL out.
        d["sddl"] = nullptr;
        d["sddl_error"] = "the pipe grants this user no READ_CONTROL (only FILE_READ_ATTRIBUTES opened it), so its "
                          "security descriptor cannot be read";
    } else if (!NT_SUCCESS(a.security)) {
        putSddl(d, core::Error::fromNtStatus(static_cast<std::uint32_t>(a.security), "cannot read the security descriptor"));
    } else {
        putSddl(d, sddlOf(std::span<const std::uint8_t>(*bytes).subspan(sizeof a)));
    }
    return d;
}

}  // namespace

const DeepCalls& defaultDeepCalls() {
    static const DeepCalls calls{&securityQuery, &connectQuery};
    return calls;
}

nlohmann::ordered_json deepLook(Context& ctx, QueryWorker& worker, const PipeRow& row, bool connectAllowed,
                                const DeepCalls& calls) {
    switch (chooseDeepSource(row, connectAllowed)) {
    case DeepSource::ServerHandle: {
        auto d = deepFromServer(*row.server);
        putSddl(d, serverSddl(ctx, worker, *row.server, calls));
        return d;
    }
    case DeepSource::Connect: return connectLook(worker, row, calls);
    case DeepSource::None: break;
    }
    nlohmann::ordered_json d = nlohmann::ordered_json::object();
    d["error"] = "no server end of this pipe is visible in the handle table; connecting as a client would take a "
                 "listening instance, so it is done only with --deep-connect";
    return d;
}

void collectPipes(Context& ctx, core::Snapshot& out) {
    const auto directory = fromDirectory(out);
    const auto sightings = fromHandles(ctx);
    QueryWorker deepWorker(kDeepTimeout);  // starts its thread on first use
    for (auto& row : mergePipeRows(directory, sightings)) {
        if (out.wantsDeepLook(row.obj.name)) row.obj.details["deep"] = deepLook(ctx, deepWorker, row, out.deepConnect);
        out.objects.push_back(std::move(row.obj));
    }
}

}  // namespace ipcscope::win
