#pragma once
/// The one way JSON text is written. Names in JSON come from other processes and other
/// hosts and need not be valid UTF-8; nlohmann's strict dump() throws on such bytes (and
/// a thrown type_error aborts the program). These functions never throw: a byte that is
/// not part of valid UTF-8 is written as the text `\xNN` (see escapeInvalidUtf8), so the
/// output is valid JSON and nothing is lost.

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace ipcscope::base {

/// Like j.dump(indent): -1 for one line, N for N spaces per level. No trailing newline.
[[nodiscard]] std::string dumpJson(const nlohmann::json& j, int indent = -1);
[[nodiscard]] std::string dumpJson(const nlohmann::ordered_json& j, int indent = -1);

/// `s` as a JSON string literal, quotes included (the bytes dumpJson writes for it).
[[nodiscard]] std::string jsonString(std::string_view s);

}  // namespace ipcscope::base
