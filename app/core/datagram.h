#pragma once
/// A received mailslot datagram taken apart: what the datagram monitor hands over and what
/// core/datagram_render.h prints.

#include "wire/inspect.h"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace ipcscope::core {

/// A datagram as it arrived, taken apart.
struct ReceivedDatagram {
    std::chrono::system_clock::time_point time{};
    std::string peerIp;        ///< UDP source address
    std::uint16_t peerPort = 0;
    std::vector<std::uint8_t> bytes;
    wire::Inspection inspection;
    bool oversized = false;    ///< the message is larger than the wire allows for its slot

    [[nodiscard]] bool malformed() const noexcept { return inspection.error.has_value(); }
};

/// Decodes `bytes` and fills a ReceivedDatagram.
[[nodiscard]] ReceivedDatagram makeReceived(std::chrono::system_clock::time_point time, std::string peerIp,
                                            std::uint16_t peerPort, std::vector<std::uint8_t> bytes);

}  // namespace ipcscope::core
