#pragma once
// clipboard:TARGET on Linux (X11).

#include "core/inject.h"

namespace ipcscope::lnx {

/// Owns CLIPBOARD and serves TARGETS and TARGET with each message's bytes, until another
/// client takes the selection or SendOptions::holdFor (else the timeout) passes.
[[nodiscard]] core::Result<std::unique_ptr<platform::Sender>> openClipboardSender(const core::Target& t, const platform::SendOptions& o);

}  // namespace ipcscope::lnx
