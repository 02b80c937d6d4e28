#pragma once
// The Windows senders and listeners behind platform::openSender/openListener.

#include "core/inject.h"

namespace ipcscope::win {

[[nodiscard]] core::Result<std::unique_ptr<platform::Sender>> openPipeSender(const core::Target& t, const platform::SendOptions& o);
/// A pipe server: "message" (default) or "byte" mode, one client at a time.
[[nodiscard]] core::Result<std::unique_ptr<platform::Listener>> openPipeListener(const core::Target& t, bool messageMode);
/// A mailslot server on this machine (\\.\mailslot\NAME).
[[nodiscard]] core::Result<std::unique_ptr<platform::Listener>> openMailslotListener(const core::Target& t);

[[nodiscard]] core::Result<std::unique_ptr<platform::Sender>> openCopyDataSender(const core::Target& t, const platform::SendOptions& o);
/// A message-only window of class NAME that takes WM_COPYDATA.
[[nodiscard]] core::Result<std::unique_ptr<platform::Listener>> openCopyDataListener(const core::Target& t);

}  // namespace ipcscope::win
