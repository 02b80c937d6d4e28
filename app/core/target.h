#pragma once
/// Message targets: the TARGET argument of `ipcscope send` and `ipcscope listen`, parsed into
/// a typed value, and the target form of a snapshot row (the `target` field of the JSON).
///
/// Grammar (prefixes are case-insensitive):
///   \\HOST\mailslot\NAME          a mailslot (HOST is `.`, `*`, a domain or a host)
///   \\HOST\pipe\NAME              a Windows named pipe (HOST `.` is this machine)
///   fifo:PATH                     a FIFO on a file system
///   unix:PATH | unix:@NAME        a Unix socket, by path or in the abstract namespace
///   tcp:HOST:PORT | udp:HOST:PORT HOST is a name, an IPv4 address or [IPv6]; PORT 0 only for listen
///   clipboard:FORMAT              an X11 target / MIME type, or a Windows clipboard format name
///   copydata:WINDOW               a window class, a title, or a handle 0x...
///   dde:SERVICE|TOPIC[!ITEM]      a DDE conversation, with the item to poke

#include "core/model.h"
#include "core/result.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ipcscope::core {

enum class TargetKind : std::uint8_t { Mailslot, NamedPipe, Fifo, Unix, Tcp, Udp, Clipboard, CopyData, Dde };

/// The short name of a target kind ("fifo", "named-pipe", ...), used in JSON output.
[[nodiscard]] std::string_view targetKindName(TargetKind kind) noexcept;

struct Target {
    TargetKind kind = TargetKind::Fifo;
    std::string host;      ///< mailslot/pipe host, tcp/udp host (without brackets)
    std::uint16_t port = 0;
    std::string name;      ///< path, pipe or mailslot name, clipboard format, window, DDE service
    bool abstract = false; ///< unix: the name is in the abstract namespace (given as @NAME)
    std::string topic;     ///< DDE topic
    std::string item;      ///< DDE item (empty: no item, an execute target)
    std::optional<std::uint64_t> handle;  ///< copydata: the window handle when given as 0x...

    friend bool operator==(const Target&, const Target&) = default;
};

/// Parses a TARGET; InvalidArgument with one sentence that names the accepted forms.
[[nodiscard]] Result<Target> parseTarget(std::string_view text);

/// The canonical text of a target; parseTarget(formatTarget(t)) == t.
[[nodiscard]] std::string formatTarget(const Target& target);

/// The TARGET that sends a message to this row, or nothing when the row cannot take one
/// (an anonymous pipe, a connected TCP socket, a mapping ...).
[[nodiscard]] std::optional<std::string> targetOf(const IpcObject& obj);

}  // namespace ipcscope::core
