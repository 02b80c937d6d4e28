#pragma once
/// Formatting of sent and received test messages: one JSON object or one text line per
/// message, the same for `ipcscope send`, `ipcscope listen` and the GUI log.

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ipcscope::core {

/// One message `send` delivered.
struct SentRecord {
    std::string target;
    std::size_t seq = 1;       ///< 1-based, counts --repeat
    std::size_t written = 0;
    std::chrono::microseconds elapsed{0};
    std::string via;
    std::optional<std::vector<std::uint8_t>> reply;
};

/// One message `listen` received.
struct ReceivedRecord {
    std::string endpoint;
    std::size_t seq = 1;
    std::chrono::system_clock::time_point time{};
    std::string from;
    std::vector<std::uint8_t> bytes;
    bool echoed = false;
};

/// The bytes as text: printable ASCII as is, everything else as \xNN (backslash as \\).
[[nodiscard]] std::string escapedText(std::span<const std::uint8_t> bytes);

/// {"target","seq","bytes_written","elapsed_ms","via","reply":null|{"size","hex","text"}}
[[nodiscard]] nlohmann::ordered_json toJson(const SentRecord& r);
/// "sent 5 bytes to fifo:/tmp/f in 0.21 ms (stream)" and, with a reply, "; reply 5 bytes: hello (68656c6c6f)".
[[nodiscard]] std::string renderLine(const SentRecord& r);

/// {"time","endpoint","seq","from","size","hex","text","echoed"}
[[nodiscard]] nlohmann::ordered_json toJson(const ReceivedRecord& r);
/// "10:00:00.123 #1 5 bytes from 127.0.0.1:4000: hello (68656c6c6f)".
[[nodiscard]] std::string renderLine(const ReceivedRecord& r);

}  // namespace ipcscope::core
