#pragma once
/// Formatting of snapshots. The CLI table, the CLI JSON and the GUI's "copy as JSON" all come
/// from here, so they are the same bytes.

#include "core/model.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ipcscope::core {

/// The JSON contract: {"host","platform","taken_at","objects":[...],"errors":[...]} plus
/// "elevated", "duration_ms", "denied_processes". Each object: family, kind, name, pids,
/// size (or null), details (holders under details.holders), error (only when set).
[[nodiscard]] nlohmann::ordered_json toJson(const Snapshot& snap);
[[nodiscard]] nlohmann::ordered_json toJson(const IpcObject& obj);
[[nodiscard]] nlohmann::ordered_json toJson(const SnapshotError& err);

/// Pretty JSON text with a trailing newline.
[[nodiscard]] std::string renderJson(const Snapshot& snap);

/// Receives JSON text piece by piece.
using JsonSink = std::function<void(std::string_view)>;
/// The same bytes as renderJson, handed to `sink` in pieces of about 64 KiB as they are
/// written (for output that goes straight to a file or a pipe).
void writeJson(const Snapshot& snap, const JsonSink& sink);

/// One-line summary of an object's scalar details ("instances=2/4 end=server").
[[nodiscard]] std::string detailSummary(const IpcObject& obj);

/// Human size: "4.0 KiB", "3.0 MiB", "-" for none.
[[nodiscard]] std::string humanSize(std::optional<std::uint64_t> size);

/// "1234,5678" (at most `limit` pids, then "+N").
[[nodiscard]] std::string pidList(const std::vector<std::int64_t>& pids, std::size_t limit = 6);

/// Aligned text table: KIND NAME PIDS SIZE DETAILS, then errors and a summary line.
[[nodiscard]] std::string renderTable(const Snapshot& snap);

}  // namespace ipcscope::core
