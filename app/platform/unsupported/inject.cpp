// A platform ipcscope does not know: no endpoint takes messages.

#include "core/inject.h"

namespace ipcscope::platform {

core::Result<std::unique_ptr<Sender>> openSender(const core::Target& t, const SendOptions&) {
    return core::Error::make(core::Errc::NotSupported, std::string(core::targetKindName(t.kind)) + " targets are not supported here");
}

core::Result<std::unique_ptr<Listener>> openListener(const core::Target& t, const ListenOptions&) {
    return core::Error::make(core::Errc::NotSupported, "listening on " + std::string(core::targetKindName(t.kind)) + " targets is not supported here");
}

}  // namespace ipcscope::platform
