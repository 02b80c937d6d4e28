#pragma once
// Pure helpers that turn raw Windows values into the text of a row: socket addresses as the IP
// helper tables store them, TCP states, standard clipboard format names, RPC string bindings,
// the state of events, mutexes and semaphores, ALPC port rows. No OS headers, so they are
// unit-tested on values built in the test.

#include "core/model.h"
#include "core/result.h"
#include "windows/nt_dir_parse.h"

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ipcscope::win {

/// The IP helper tables keep a port in network order in the low 16 bits of a DWORD
/// (MIB_TCPROW_OWNER_PID.dwLocalPort): the DWORD read as little-endian has the bytes swapped.
[[nodiscard]] std::uint16_t portFromTableDword(std::uint32_t value) noexcept;

/// "127.0.0.1" from the four address bytes in network order (as stored in memory).
[[nodiscard]] std::string formatIpv4(const std::array<std::uint8_t, 4>& bytes);

/// RFC 5952 text ("::1", "fe80::1%3") from the 16 bytes and the scope id (0 = none).
[[nodiscard]] std::string formatIpv6(const std::array<std::uint8_t, 16>& bytes, std::uint32_t scope = 0);

/// "127.0.0.1:80" or "[::1]:80".
[[nodiscard]] std::string formatEndpoint(const std::string& address, std::uint16_t port, bool ipv6);

/// MIB_TCP_STATE values (1 closed ... 12 delete-tcb) as lower-case words; "unknown" otherwise.
[[nodiscard]] std::string_view tcpStateName(std::uint32_t state) noexcept;

/// Name of a predefined clipboard format ("CF_UNICODETEXT"), including the private and GDI
/// ranges ("CF_PRIVATEFIRST+3"); nullopt for registered formats (0xC000 and up) and unknown ids.
[[nodiscard]] std::optional<std::string> standardClipboardFormatName(std::uint32_t id);

/// Whether a predefined format's data is a global memory block (so GlobalSize gives its size);
/// false for GDI handles (CF_BITMAP, CF_PALETTE, CF_ENHMETAFILE, ...) and CF_OWNERDISPLAY.
[[nodiscard]] bool clipboardFormatIsGlobalMemory(std::uint32_t id) noexcept;

/// The parts of an RPC string binding: [ObjUuid@]ProtSeq:[NetworkAddr][[Endpoint][,Options]].
struct StringBinding {
    std::string objectUuid;
    std::string protocolSequence;  ///< ncacn_ip_tcp, ncacn_np, ncalrpc, ...
    std::string networkAddress;
    std::string endpoint;
    std::string options;
    friend bool operator==(const StringBinding&, const StringBinding&) = default;
};
[[nodiscard]] core::Result<StringBinding> parseStringBinding(std::string_view text);

/// One endpoint mapper element as a row: named by its string binding, with the interface, the
/// protocol sequence and endpoint split out. A malformed binding is kept as the name, with an error.
[[nodiscard]] core::IpcObject rpcEndpointRow(const std::string& interfaceUuid, std::uint16_t major,
                                             std::uint16_t minor, const std::string& objectUuid,
                                             const std::string& binding, const std::string& annotation);

/// The details of an event, mutex or semaphore from the 8 bytes that NtQueryEvent,
/// NtQueryMutant or NtQuerySemaphore (class 0, ntifs.h, little-endian) wrote:
///   event      {LONG EventType (0 notification = manual reset, 1 synchronization = auto reset), LONG EventState}
///                -> event_type, signaled, state
///   mutex      {LONG CurrentCount (1 free, <= 0 owned, minus the recursion), BOOLEAN OwnedByCaller, BOOLEAN AbandonedState}
///                -> owned, abandoned, state
///   semaphore  {LONG CurrentCount, LONG MaximumCount} -> count, maximum, state
/// Malformed when fewer than 8 bytes; InvalidArgument for another kind.
[[nodiscard]] core::Result<nlohmann::ordered_json> syncStateDetails(core::Kind kind, std::span<const std::uint8_t> info);

/// The thread that owns a mutex, from NtQueryMutant class 1 (MutantOwnerInformation, Windows 10
/// on; Wine 8.0 answers STATUS_INVALID_INFO_CLASS): a CLIENT_ID {UniqueProcess, UniqueThread} of
/// two pointers. Null ids (a free mutex) give nullopt; fewer bytes than two pointers are Malformed.
struct MutexOwner {
    std::uint64_t pid = 0;
    std::uint64_t tid = 0;
};
[[nodiscard]] core::Result<std::optional<MutexOwner>> decodeMutexOwner(std::span<const std::uint8_t> info,
                                                                       unsigned pointerSize = 8);

/// The NT path of an object in a directory: "\RPC Control" + "x" is "\RPC Control\x", "\" + "x" is "\x".
[[nodiscard]] std::u16string ntChildPath(std::u16string_view directory, std::u16string_view name);

/// Holders of named objects by case-folded NT path (foldCase; the object manager ignores case).
using HoldersByPath = std::map<std::u16string, std::vector<core::Holder>>;

/// The alpc-port rows of one object directory's listing: each "ALPC Port" entry named by its NT
/// path, with `directory` in its details and, as "server" holders, the processes whose handle
/// carries that name (a server's connection port is named; the ports of clients are not).
[[nodiscard]] std::vector<core::IpcObject> alpcPortRows(std::u16string_view directory,
                                                        std::span<const ObjectDirEntry> entries,
                                                        const HoldersByPath& holders);

}  // namespace ipcscope::win
