#include "wire/inspect.h"

#include "base/text.h"

#include <algorithm>

namespace ipcscope::wire {
Inspection inspectDatagram(std::span<const std::uint8_t> bytes) {
    Inspection out;
    auto d = decodeDatagram(bytes);
    if (!d) {
        out.error = d.error();
        return out;
    }
    out.datagram = std::move(d).value();
    const Datagram& dg = *out.datagram;
    if (dg.type != DatagramType::DirectUnique && dg.type != DatagramType::DirectGroup && dg.type != DatagramType::Broadcast)
        return out;
    if (dg.more() || dg.offset != 0) {
        out.error = DecodeError{DecodeErrc::Fragmented, 1,
                                "fragment at offset " + std::to_string(dg.offset) + (dg.more() ? " with more to come" : "")};
        return out;
    }
    auto smb = decodeMailslotWrite(dg.userData);
    if (!smb) {
        DecodeError e = smb.error();
        e.offset += dg.userDataAt;  // offsets relative to the whole datagram
        out.error = std::move(e);
        return out;
    }
    out.mailslot = std::move(smb).value();
    const std::string_view slot = out.mailslot->shortName();
    const auto& data = out.mailslot->data;
    if (base::equalsNoCase(slot, "BROWSE") || base::equalsNoCase(slot, "LANMAN")) {
        auto b = decodeBrowser(data);
        if (b) out.browser = std::move(b).value();
        else out.error = b.error();
    } else if (base::equalsNoCase(slot, "NET\\NETLOGON") && data.size() >= 2) {
        out.netlogonOpcode = static_cast<std::uint16_t>(data[0] | (data[1] << 8));
    }
    return out;
}

}  // namespace ipcscope::wire
