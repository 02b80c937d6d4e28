#pragma once
/// Bounds-checked byte reading and writing with explicit endianness. Every read reports
/// failure instead of touching memory past the end of the buffer.

#include "base/text.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ipcscope::wire {

/// Reads fields from a byte span; each call returns false (and reads nothing) when the
/// remaining bytes do not hold the field.
class ByteReader {
public:
    explicit ByteReader(std::span<const std::uint8_t> bytes) noexcept : m_bytes(bytes) {}

    [[nodiscard]] std::size_t offset() const noexcept { return m_pos; }
    [[nodiscard]] std::size_t remaining() const noexcept { return m_bytes.size() - m_pos; }
    [[nodiscard]] std::size_t size() const noexcept { return m_bytes.size(); }

    bool u8(std::uint8_t& v) noexcept {
        if (remaining() < 1) return false;
        v = m_bytes[m_pos++];
        return true;
    }
    bool u16be(std::uint16_t& v) noexcept {
        if (remaining() < 2) return false;
        v = static_cast<std::uint16_t>((m_bytes[m_pos] << 8) | m_bytes[m_pos + 1]);
        m_pos += 2;
        return true;
    }
    bool u16le(std::uint16_t& v) noexcept {
        if (remaining() < 2) return false;
        v = static_cast<std::uint16_t>(m_bytes[m_pos] | (m_bytes[m_pos + 1] << 8));
        m_pos += 2;
        return true;
    }
    bool u32be(std::uint32_t& v) noexcept {
        if (remaining() < 4) return false;
        v = (std::uint32_t{m_bytes[m_pos]} << 24) | (std::uint32_t{m_bytes[m_pos + 1]} << 16) |
            (std::uint32_t{m_bytes[m_pos + 2]} << 8) | std::uint32_t{m_bytes[m_pos + 3]};
        m_pos += 4;
        return true;
    }
    bool u32le(std::uint32_t& v) noexcept {
        if (remaining() < 4) return false;
        v = std::uint32_t{m_bytes[m_pos]} | (std::uint32_t{m_bytes[m_pos + 1]} << 8) |
            (std::uint32_t{m_bytes[m_pos + 2]} << 16) | (std::uint32_t{m_bytes[m_pos + 3]} << 24);
        m_pos += 4;
        return true;
    }
    bool bytes(std::size_t n, std::span<const std::uint8_t>& out) noexcept {
        if (remaining() < n) return false;
        out = m_bytes.subspan(m_pos, n);
        m_pos += n;
        return true;
    }
    bool skip(std::size_t n) noexcept {
        if (remaining() < n) return false;
        m_pos += n;
        return true;
    }
    /// The unread rest of the buffer.
    [[nodiscard]] std::span<const std::uint8_t> rest() const noexcept { return m_bytes.subspan(m_pos); }

private:
    std::span<const std::uint8_t> m_bytes;
    std::size_t m_pos = 0;
};

/// Appends fields to a growing byte vector.
class ByteWriter {
public:
    void u8(std::uint8_t v) { m_out.push_back(v); }
    void u16be(std::uint16_t v) {
        m_out.push_back(static_cast<std::uint8_t>(v >> 8));
        m_out.push_back(static_cast<std::uint8_t>(v));
    }
    void u16le(std::uint16_t v) {
        m_out.push_back(static_cast<std::uint8_t>(v));
        m_out.push_back(static_cast<std::uint8_t>(v >> 8));
    }
    void u32be(std::uint32_t v) {
        for (int s = 24; s >= 0; s -= 8) m_out.push_back(static_cast<std::uint8_t>(v >> s));
    }
    void u32le(std::uint32_t v) {
        for (int s = 0; s <= 24; s += 8) m_out.push_back(static_cast<std::uint8_t>(v >> s));
    }
    void bytes(std::span<const std::uint8_t> b) { m_out.insert(m_out.end(), b.begin(), b.end()); }
    void text(std::string_view s) { m_out.insert(m_out.end(), s.begin(), s.end()); }
    /// Overwrites a big-endian u16 written earlier at `at`.
    void patchU16be(std::size_t at, std::uint16_t v) {
        m_out[at] = static_cast<std::uint8_t>(v >> 8);
        m_out[at + 1] = static_cast<std::uint8_t>(v);
    }
    [[nodiscard]] std::size_t size() const noexcept { return m_out.size(); }
    [[nodiscard]] std::vector<std::uint8_t> take() { return std::move(m_out); }

private:
    std::vector<std::uint8_t> m_out;
};

/// Hex of byte strings (base/text.h), under the names the wire code uses.
using base::fromHex;
using base::toHex;

}  // namespace ipcscope::wire
