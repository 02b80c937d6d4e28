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

/// clipboard:FORMAT: a standard format by name (CF_TEXT, CF_UNICODETEXT ...) or a registered one.
[[nodiscard]] core::Result<std::unique_ptr<platform::Sender>> openClipboardSender(const core::Target& t, const platform::SendOptions& o);

/// dde:SERVICE|TOPIC!ITEM (poke) or dde:SERVICE|TOPIC with SendOptions::execute.
[[nodiscard]] core::Result<std::unique_ptr<platform::Sender>> openDdeSender(const core::Target& t, const platform::SendOptions& o);
/// A DDE server that registers SERVICE and takes pokes and executes on TOPIC.
[[nodiscard]] core::Result<std::unique_ptr<platform::Listener>> openDdeListener(const core::Target& t);

}  // namespace ipcscope::win
