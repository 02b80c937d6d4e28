#include "base/result.h"

#include <fmt/format.h>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace ipcscope::base {

std::string_view errcName(Errc code) noexcept {
    switch (code) {
    case Errc::NotSupported: return "not-supported";
    case Errc::PermissionDenied: return "permission-denied";
    case Errc::NotFound: return "not-found";
    case Errc::Timeout: return "timeout";
    case Errc::InvalidArgument: return "invalid-argument";
    case Errc::Malformed: return "malformed";
    case Errc::TooLarge: return "too-large";
    case Errc::Io: return "io";
    case Errc::Internal: return "internal";
    }
    return "internal";
}

std::string_view nativeKindName(NativeKind kind) noexcept {
    switch (kind) {
    case NativeKind::None: return "none";
    case NativeKind::Errno: return "errno";
    case NativeKind::Win32: return "win32";
    case NativeKind::NtStatus: return "ntstatus";
    }
    return "none";
}

Errc errcFromErrno(int err) noexcept {
    switch (err) {
    case EACCES:
    case EPERM: return Errc::PermissionDenied;
    case ENOENT:
    case ESRCH: return Errc::NotFound;
    case ETIMEDOUT: return Errc::Timeout;
    case EINVAL: return Errc::InvalidArgument;
    case EMSGSIZE:
    case E2BIG: return Errc::TooLarge;
    case ENOSYS:
    case EAFNOSUPPORT:
    case EPROTONOSUPPORT: return Errc::NotSupported;
    default: return Errc::Io;
    }
}

Error Error::fromErrno(int err, std::string context) {
    return Error{errcFromErrno(err), NativeKind::Errno, err, std::move(context)};
}

Error Error::fromWin32(std::uint32_t err, std::string context) {
    Errc code = Errc::Io;
    switch (err) {
    case 5: code = Errc::PermissionDenied; break;             // ERROR_ACCESS_DENIED
    case 2: case 3: code = Errc::NotFound; break;                 // FILE/PATH_NOT_FOUND
    case 87: code = Errc::InvalidArgument; break;             // ERROR_INVALID_PARAMETER
    case 50: case 120: code = Errc::NotSupported; break;      // NOT_SUPPORTED, CALL_NOT_IMPLEMENTED
    case 258: case 1460: code = Errc::Timeout; break;         // WAIT_TIMEOUT, ERROR_TIMEOUT
    default: break;
    }
    return Error{code, NativeKind::Win32, static_cast<std::int64_t>(err), std::move(context)};
}

Error Error::fromNtStatus(std::uint32_t status, std::string context) {
    Errc code = Errc::Io;
    switch (status) {
    case 0xC0000022u: code = Errc::PermissionDenied; break;  // STATUS_ACCESS_DENIED
    case 0xC0000034u:                                        // STATUS_OBJECT_NAME_NOT_FOUND
    case 0xC000003Au: code = Errc::NotFound; break;          // STATUS_OBJECT_PATH_NOT_FOUND
    case 0xC0000002u:                                        // STATUS_NOT_IMPLEMENTED
    case 0xC00000BBu:                                        // STATUS_NOT_SUPPORTED
    case 0xC00000CBu:                                        // STATUS_BAD_DEVICE_TYPE
    case 0xC0000010u: code = Errc::NotSupported; break;      // STATUS_INVALID_DEVICE_REQUEST
    case 0xC000000Du: code = Errc::InvalidArgument; break;   // STATUS_INVALID_PARAMETER
    case 0x00000102u: code = Errc::Timeout; break;           // STATUS_TIMEOUT
    default: break;
    }
    return Error{code, NativeKind::NtStatus, static_cast<std::int64_t>(status), std::move(context)};
}

std::string Error::message() const {
    std::string out = context.empty() ? std::string(errcName(code)) : context;
    switch (nativeKind) {
    case NativeKind::None: break;
    case NativeKind::Errno:
        out += ": ";
        out += std::strerror(static_cast<int>(native));
        out += fmt::format(" (errno {})", native);
        break;
    case NativeKind::Win32:
        out += fmt::format(" (Win32 error {})", native);
        break;
    case NativeKind::NtStatus:
        out += fmt::format(" (NTSTATUS 0x{:08X})", static_cast<unsigned long long>(native));
        break;
    }
    return out;
}

}  // namespace ipcscope::base
