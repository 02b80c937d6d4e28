#include "core/datagram.h"

#include <utility>

namespace ipcscope::core {

ReceivedDatagram makeReceived(std::chrono::system_clock::time_point time, std::string peerIp, std::uint16_t peerPort,
                              std::vector<std::uint8_t> bytes) {
    ReceivedDatagram d;
    d.time = time;
    d.peerIp = std::move(peerIp);
    d.peerPort = peerPort;
    d.bytes = std::move(bytes);
    d.inspection = wire::inspectDatagram(d.bytes);
    if (d.inspection.mailslot)
        d.oversized = d.inspection.mailslot->data.size() > wire::wireDataLimit(d.inspection.mailslot->shortName());
    return d;
}

}  // namespace ipcscope::core
