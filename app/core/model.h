#pragma once
/// The portable model of an IPC snapshot: families, kinds, objects, the snapshot itself,
/// and the capability table that says which kind exists on which platform.

#include "core/result.h"

#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ipcscope::core {

/// Broad groups, one GUI tab each.
enum class Family : std::uint8_t { Pipes, Mailslots, Mappings, Queues, Sync, Clipboard, Sockets, Windows, Services };
inline constexpr std::array kAllFamilies{Family::Pipes,   Family::Mailslots, Family::Mappings,
                                         Family::Queues,  Family::Sync,      Family::Clipboard,
                                         Family::Sockets, Family::Windows,   Family::Services};

/// Precise kinds of object; each belongs to exactly one family.
enum class Kind : std::uint8_t {
    NamedPipe,          ///< Windows \Device\NamedPipe entry
    Fifo,               ///< POSIX named pipe on a file system
    AnonPipe,           ///< pipe() / CreatePipe
    UnixSocket,         ///< AF_UNIX socket, path or abstract name
    Mailslot,           ///< Windows \Device\Mailslot entry
    Section,            ///< Windows named section (file mapping / shared memory)
    PosixShm,           ///< object in /dev/shm
    SysvShm,            ///< System V shared memory segment
    Memfd,              ///< memfd_create object
    SharedFileMapping,  ///< MAP_SHARED mapping of a regular file
    SharedDll,          ///< DLL with a shared PE section (IMAGE_SCN_MEM_SHARED)
    ClipboardFormat,    ///< one format or target offered on a clipboard
    TcpSocket,
    UdpSocket,
    Window,       ///< a window that can receive WM_COPYDATA and similar messages
    DdeServer,    ///< DDE service/topic pair
    RotEntry,     ///< COM running object table entry
    RpcEndpoint,  ///< RPC endpoint mapper entry
    SysvMsg,      ///< System V message queue
    PosixMq,      ///< POSIX message queue (mq_open)
    AlpcPort,     ///< Windows ALPC port (\RPC Control and other object directories)
    SysvSem,      ///< System V semaphore set
    Event,        ///< Windows named event
    Mutex,        ///< Windows named mutex (mutant)
    Semaphore,    ///< Windows named semaphore
    DbusName,     ///< a unique or well-known name on a D-Bus bus
};
inline constexpr std::array kAllKinds{
    Kind::NamedPipe, Kind::Fifo,          Kind::AnonPipe,          Kind::UnixSocket,
    Kind::Mailslot,  Kind::Section,       Kind::PosixShm,          Kind::SysvShm,
    Kind::Memfd,     Kind::SharedFileMapping, Kind::SharedDll,     Kind::ClipboardFormat,
    Kind::TcpSocket, Kind::UdpSocket,     Kind::Window,            Kind::DdeServer,
    Kind::RotEntry,  Kind::RpcEndpoint,   Kind::SysvMsg,           Kind::PosixMq,
    Kind::AlpcPort,  Kind::SysvSem,       Kind::Event,             Kind::Mutex,
    Kind::Semaphore, Kind::DbusName};

enum class Platform : std::uint8_t { Linux, Windows, Unsupported };

[[nodiscard]] std::string_view familyName(Family f) noexcept;
[[nodiscard]] std::string_view kindName(Kind k) noexcept;
[[nodiscard]] std::string_view platformName(Platform p) noexcept;
[[nodiscard]] Family familyOf(Kind k) noexcept;
[[nodiscard]] std::optional<Family> parseFamily(std::string_view name) noexcept;
[[nodiscard]] std::optional<Kind> parseKind(std::string_view name) noexcept;

/// The capability table: does this kind exist on this platform at all?
[[nodiscard]] bool kindSupported(Kind k, Platform p) noexcept;
/// A family is supported when at least one of its kinds is.
[[nodiscard]] bool familySupported(Family f, Platform p) noexcept;
/// Kinds of a family that exist on the platform, in table order.
[[nodiscard]] std::vector<Kind> kindsOf(Family f, Platform p);

/// A process holding an object, with how it holds it (fd, handle, role).
struct Holder {
    std::int64_t pid = 0;
    std::string command;  ///< short process name, may be empty if unreadable
    std::string how;      ///< "fd 3 r", "handle 0x1c server", ...
    friend bool operator==(const Holder&, const Holder&) = default;
};

/// One row: an IPC object as seen at snapshot time.
struct IpcObject {
    Kind kind{};
    std::string name;
    std::vector<std::int64_t> pids;   ///< sorted, unique
    std::optional<std::uint64_t> size;
    std::vector<Holder> holders;      ///< rendered into details.holders
    nlohmann::ordered_json details = nlohmann::ordered_json::object();
    std::optional<std::string> error;  ///< a failure on this object alone

    [[nodiscard]] Family family() const noexcept { return familyOf(kind); }
    /// Adds a holder and keeps pids sorted and unique.
    void addHolder(Holder h);
};

/// A failure that is not tied to one object (a whole source failed, access was denied ...).
struct SnapshotError {
    std::optional<Family> family;
    std::optional<Kind> kind;
    Error error;
};

/// Everything the tool saw at one moment. Immutable once published.
struct Snapshot {
    std::string host;
    Platform platform = Platform::Unsupported;
    std::chrono::system_clock::time_point takenAt{};
    std::chrono::microseconds duration{0};
    bool elevated = false;
    std::uint32_t deniedProcesses = 0;  ///< processes whose handles or fds could not be read
    std::uint32_t unexaminedHandles = 0;  ///< handles whose queries gave no answer (Windows)
    std::string unexaminedWhy;            ///< ... and why, one sentence (also in errors)
    std::vector<Family> families;       ///< what was asked for
    bool deep = false;                  ///< a deep look was asked for (backends may connect)
    std::string deepMatch;              ///< ... only at objects whose name contains this (any case)
    std::vector<std::string> dbusAddresses;  ///< D-Bus buses asked for besides the system and session buses
    bool deepConnect = false;           ///< ... and may connect where it cannot read without doing so

    /// True when a backend may take a deep look at the object with this name.
    [[nodiscard]] bool wantsDeepLook(std::string_view name) const;
    std::vector<IpcObject> objects;
    std::vector<SnapshotError> errors;

    /// Sorts objects by family, kind, name for stable output.
    void sort();
};

/// Formats a time point as ISO 8601 UTC with milliseconds ("2026-11-26T10:00:00.123Z").
[[nodiscard]] std::string isoUtc(std::chrono::system_clock::time_point t);

}  // namespace ipcscope::core
