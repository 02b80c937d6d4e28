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
    std::uint32_t type = 0;           ///< bit 0: 0 byte stream, 1 message; bit 1: rejects remote clients
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

/// NamedPipeType bits: Windows keeps FILE_PIPE_REJECT_REMOTE_CLIENTS (0x2) in the same field
/// as the type, so a message pipe that rejects remote clients reads 3. Only bit 0 is the type.
inline constexpr std::uint32_t kPipeTypeMask = 0x1;
inline constexpr std::uint32_t kPipeRejectRemoteClients = 0x2;

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

/// A named pipe row with what a deep look at it needs.
struct PipeRow {
    core::IpcObject obj;
    std::u16string name;             ///< as the OS spells it (unpaired surrogates kept), for opening
    std::optional<Sighting> server;  ///< the first server end whose FilePipeLocalInformation answered
};

/// Named pipe rows. Directory counts win over handle counts; names merge without case.
[[nodiscard]] std::vector<PipeRow> mergePipeRows(std::span<const DirEntry> directory,
                                                 std::span<const Sighting> sightings);

/// The rows of mergePipeRows alone.
[[nodiscard]] std::vector<core::IpcObject> mergePipes(std::span<const DirEntry> directory,
                                                      std::span<const Sighting> sightings);

/// Where a deep look at a pipe takes its facts from, in order of preference.
enum class DeepSource : std::uint8_t {
    ServerHandle,  ///< the server end some process holds: nothing is connected to
    Connect,       ///< connect as a client (takes a listening instance for a moment): only on request
    None,          ///< no server end was seen and connecting was not asked for
};
[[nodiscard]] DeepSource chooseDeepSource(const PipeRow& row, bool connectAllowed) noexcept;

/// The facts a server end's FilePipeLocalInformation and holder give a deep look: `via`, `mode`,
/// `in_buffer`, `out_buffer`, `server_pid`, `remote_clients`.
[[nodiscard]] nlohmann::ordered_json deepFromServer(const Sighting& server);

/// READ_CONTROL: the access right a security descriptor query needs.
inline constexpr std::uint32_t kReadControl = 0x00020000u;

/// Mailslot rows, the same way.
[[nodiscard]] std::vector<core::IpcObject> mergeMailslots(std::span<const DirEntry> directory,
                                                          std::span<const Sighting> sightings);

}  // namespace ipcscope::win
