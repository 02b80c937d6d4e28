#include "core/message.h"

#include "core/model.h"
#include "wire/bytes.h"

#include <fmt/format.h>

namespace ipcscope::core {
namespace {

nlohmann::ordered_json bytesJson(std::span<const std::uint8_t> bytes) {
    return {{"size", bytes.size()}, {"hex", wire::toHex(bytes)}, {"text", escapedText(bytes)}};
}

std::string bytesText(std::span<const std::uint8_t> bytes) {
    return escapedText(bytes) + " (" + wire::toHex(bytes) + ")";
}

std::string millis(std::chrono::microseconds us) {
    return fmt::format("{:.2f}", static_cast<double>(us.count()) / 1000.0);
}

}  // namespace

std::string escapedText(std::span<const std::uint8_t> bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size());
    for (std::uint8_t b : bytes) {
        if (b == '\\') {
            out += "\\\\";
        } else if (b >= 0x20 && b < 0x7f) {
            out += static_cast<char>(b);
        } else {
            out += "\\x";
            out += kHex[b >> 4];
            out += kHex[b & 15];
        }
    }
    return out;
}

nlohmann::ordered_json toJson(const SentRecord& r) {
    nlohmann::ordered_json j;
    j["target"] = r.target;
    j["seq"] = r.seq;
    j["bytes_written"] = r.written;
    j["elapsed_ms"] = static_cast<double>(r.elapsed.count()) / 1000.0;
    j["via"] = r.via;
    j["reply"] = r.reply ? bytesJson(*r.reply) : nlohmann::ordered_json(nullptr);
    return j;
}

std::string renderLine(const SentRecord& r) {
    std::string out = "sent " + std::to_string(r.written) + " bytes to " + r.target + " in " + millis(r.elapsed) + " ms";
    if (!r.via.empty()) out += " (" + r.via + ")";
    if (r.reply) out += "; reply " + std::to_string(r.reply->size()) + " bytes: " + bytesText(*r.reply);
    return out;
}

nlohmann::ordered_json toJson(const ReceivedRecord& r) {
    nlohmann::ordered_json j;
    j["time"] = isoUtc(r.time);
    j["endpoint"] = r.endpoint;
    j["seq"] = r.seq;
    j["from"] = r.from.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(r.from);
    j["size"] = r.bytes.size();
    j["hex"] = wire::toHex(r.bytes);
    j["text"] = escapedText(r.bytes);
    j["echoed"] = r.echoed;
    return j;
}

std::string renderLine(const ReceivedRecord& r) {
    const std::string iso = isoUtc(r.time);
    // "2026-11-26T10:00:00.123Z" -> "10:00:00.123"
    std::string out = iso.size() >= 23 ? iso.substr(11, 12) : iso;
    out += " #" + std::to_string(r.seq) + " " + std::to_string(r.bytes.size()) + " bytes";
    if (!r.from.empty()) out += " from " + r.from;
    out += ": " + bytesText(r.bytes);
    if (r.echoed) out += " [echoed]";
    return out;
}

}  // namespace ipcscope::core
