#pragma once
// Parsers for /proc text. They take text, not paths, so tests feed them fixture text and
// the collectors can run against any proc root.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ipcscope::lnx {

/// What a /proc/PID/fd/N link points at.
struct FdTarget {
    enum class Type : std::uint8_t { Path, Pipe, Socket, AnonInode, Memfd, Other };
    Type type = Type::Other;
    std::uint64_t inode = 0;  ///< for Pipe and Socket
    std::string text;         ///< path, memfd name or anon_inode name
    bool deleted = false;     ///< the link ends in " (deleted)"
};
[[nodiscard]] FdTarget parseFdLink(std::string_view link);

/// One line of /proc/net/unix.
struct UnixEntry {
    std::uint64_t inode = 0;
    std::uint32_t refCount = 0;
    std::uint32_t flags = 0;  ///< 0x10000 = __SO_ACCEPTCON: listening
    std::uint32_t type = 0;   ///< 1 stream, 2 dgram, 5 seqpacket
    std::uint32_t state = 0;  ///< 1 unconnected, 2 connecting, 3 connected, 4 disconnecting
    std::string path;         ///< empty when unnamed; abstract names start with '@'
};
/// Parses the whole file; malformed lines are skipped and counted in *bad when given.
[[nodiscard]] std::vector<UnixEntry> parseProcNetUnix(std::string_view text, std::size_t* bad = nullptr);

[[nodiscard]] std::string_view unixTypeName(std::uint32_t type) noexcept;
[[nodiscard]] std::string_view unixStateName(std::uint32_t state, bool listening) noexcept;

/// The access mode from /proc/PID/fdinfo/N text ("flags:\t0100001" -> 'w'); 'r', 'w', 'u' (rw).
[[nodiscard]] std::optional<char> parseFdinfoMode(std::string_view text);

/// Splits a line into whitespace-separated fields.
[[nodiscard]] std::vector<std::string_view> splitFields(std::string_view line, std::size_t maxFields = 64);

/// Parses an unsigned number in the given base; nullopt on any stray character or overflow.
[[nodiscard]] std::optional<std::uint64_t> parseUnsigned(std::string_view s, int base = 10);

}  // namespace ipcscope::lnx
