// Test messages on Windows: dispatch by target kind. Sockets (tcp, udp) are the net layer's
// (net/socket_io).

#include "core/inject.h"
#include "platform/windows/inject_win.h"

namespace ipcscope::platform {

core::Result<std::unique_ptr<Sender>> openSender(const core::Target& t, const SendOptions& o) {
    switch (t.kind) {
    case core::TargetKind::NamedPipe: return win::openPipeSender(t, o);
    case core::TargetKind::CopyData: return win::openCopyDataSender(t, o);
    case core::TargetKind::Clipboard: return win::openClipboardSender(t, o);
    case core::TargetKind::Dde: return win::openDdeSender(t, o);
    default: break;
    }
    return core::Error::make(core::Errc::NotSupported,
                             std::string(core::targetKindName(t.kind)) + " targets are not supported on windows");
}

core::Result<std::unique_ptr<Listener>> openListener(const core::Target& t, const ListenOptions& o) {
    switch (t.kind) {
    case core::TargetKind::NamedPipe:
        if (t.host != ".") return core::Error::make(core::Errc::InvalidArgument, "a pipe server can only be created on this machine (\\\\.\\pipe\\NAME)");
        return win::openPipeListener(t, o.socketType != "byte");
    case core::TargetKind::Mailslot:
        if (t.host != ".") return core::Error::make(core::Errc::InvalidArgument, "a mailslot can only be created on this machine (\\\\.\\mailslot\\NAME)");
        return win::openMailslotListener(t);
    case core::TargetKind::CopyData: return win::openCopyDataListener(t);
    case core::TargetKind::Dde: return win::openDdeListener(t);
    default: break;
    }
    return core::Error::make(core::Errc::NotSupported,
                             "listening on " + std::string(core::targetKindName(t.kind)) + " targets is not supported on windows");
}

}  // namespace ipcscope::platform
