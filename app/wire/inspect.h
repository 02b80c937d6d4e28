#pragma once
/// One received datagram taken apart as far as it goes: NetBIOS header and names, the
/// mailslot transaction, and the message of a known slot. Decoding stops at the first
/// malformation, which is kept with what was decoded before it.

#include "wire/browser.h"
#include "wire/decode_error.h"
#include "wire/mailslot.h"
#include "wire/netbios.h"

#include <optional>
#include <span>

namespace ipcscope::wire {

struct Inspection {
    std::optional<Datagram> datagram;
    std::optional<MailslotWrite> mailslot;
    std::optional<BrowserMessage> browser;       ///< \MAILSLOT\BROWSE, \MAILSLOT\LANMAN
    std::optional<std::uint16_t> netlogonOpcode; ///< \MAILSLOT\NET\NETLOGON
    std::optional<DecodeError> error;            ///< the first malformation found
};

/// Decodes a NetBIOS datagram service packet as far as it is well formed.
[[nodiscard]] Inspection inspectDatagram(std::span<const std::uint8_t> bytes);

}  // namespace ipcscope::wire
