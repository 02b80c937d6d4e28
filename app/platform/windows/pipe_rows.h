#pragma once
// Turning what the Windows sources saw into rows: one row per pipe or mailslot, whether the
// device directory listed it, handles in processes name it, or both. Pure (no OS headers), so
// the merge is unit-tested, including the directory half that Wine cannot produce.

#include "core/model.h"
#include "platform/windows/nt_parse.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ipcscope::win {

/// The fields of FILE_PIPE_LOCAL_INFORMATION ([MS-FSCC] 2.4.37) the rows use.
struct PipeLocalInfo {
    std::uint32_t type = 0;           ///< 0 byte stream, 1 message
    std::uint32_t configuration = 0;  ///< 0 inbound, 1 outbound, 2 full duplex
    std::uint32_t maxInstances = 0;   ///< 0xFFFFFFFF: unlimited
    std::uint32_t curInstances = 0;
    std::uint32_t inboundQuota = 0;
    std::uint32_t readDataAvailable = 0;
    std::uint32_t outboundQuota = 0;
    std::uint32_t writeQuotaAvailable = 0;
    std::uint32_t state = 0;  ///< 1 disconnected, 2 listening, 3 connected, 4 closing
    std::uint32_t end = 0;    ///< 0 client, 1 server
};

/// What GetMailslotInfo returns; only the server (reading) end answers.
struct MailslotInfo {
    std::uint32_t maxMessageSize = 0;        ///< 0: any size
    std::optional<std::uint32_t> nextSize;   ///< none when no message is waiting
    std::uint32_t messageCount = 0;
    std::uint32_t readTimeoutMs = 0;         ///< kWaitForever: a read waits forever
};

/// MAILSLOT_WAIT_FOREVER.
inline constexpr std::uint32_t kWaitForever = 0xFFFFFFFFu;

/// One handle of another process naming a pipe or mailslot, with what its duplicate answered.
struct Sighting {
    std::u16string name;  ///< below the device ("ipcscope-test-1")
    HandleEntry entry;
    std::string command;  ///< the holder's executable name
    std::optional<PipeLocalInfo> pipe;     ///< pipes: FilePipeLocalInformation, if it answered
    std::optional<MailslotInfo> mailslot;  ///< mailslots: set on the reading end only
    bool duplicated = false;               ///< mailslots: a duplicate existed to ask
};

/// Named pipe rows. Directory counts win over handle counts; names merge without case.
[[nodiscard]] std::vector<core::IpcObject> mergePipes(std::span<const DirEntry> directory,
                                                      std::span<const Sighting> sightings);

/// Mailslot rows, the same way.
[[nodiscard]] std::vector<core::IpcObject> mergeMailslots(std::span<const DirEntry> directory,
                                                          std::span<const Sighting> sightings);

}  // namespace ipcscope::win
