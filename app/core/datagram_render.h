#pragma once
/// Received mailslot datagrams as the CLI prints them and the GUI lists them: one JSON
/// object per datagram (the JSON-lines contract of 'ipcscope mailslot listen --json') or one
/// human line.

#include "base/code_page.h"
#include "wire/inspect.h"
#include "core/datagram.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ipcscope::core {

/// The text of the message when every byte is printable ASCII (tab, CR, LF allowed and one
/// trailing zero ignored), otherwise nothing.
[[nodiscard]] std::optional<std::string> printableText(std::span<const std::uint8_t> data);

/// Keys: time, peer, source_ip, source_port, source_name, source_name_hex, source_suffix,
/// dest_name, dest_name_hex, dest_suffix, msg_type, node_type, id, slot, priority, class,
/// size, data_hex, data_text (when printable), browser (known slots), oversized, error
/// (malformed only). NetBIOS names and browser strings are decoded from `oemCodePage`; the
/// *_name_hex keys keep the bytes as they were on the wire.
[[nodiscard]] nlohmann::ordered_json toJson(const ReceivedDatagram& d, unsigned oemCodePage = base::kDefaultOemCodePage);

/// "10:00:00.123 10.1.0.1 HOSTA<00> -> TESTDOM<00> direct_group \MAILSLOT\x 5 bytes: hello".
[[nodiscard]] std::string renderLine(const ReceivedDatagram& d, unsigned oemCodePage = base::kDefaultOemCodePage);

/// A NetBIOS name decoded from `oemCodePage`, with its suffix and scope: "HÜST<20>".
[[nodiscard]] std::string shownName(const wire::NetbiosName& n, unsigned oemCodePage);

/// Lower-case hex of a name's bytes as they were on the wire.
[[nodiscard]] std::string nameHex(std::string_view wireName);

/// True when the datagram is a mailslot message whose slot matches `slot` (the part after
/// \MAILSLOT\ or the full name, any case). An empty filter matches everything.
[[nodiscard]] bool slotMatches(const ReceivedDatagram& d, std::string_view slot);

}  // namespace ipcscope::core
