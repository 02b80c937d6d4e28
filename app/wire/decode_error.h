#pragma once
/// Typed decode failures of the wire code: one code per kind of malformation, with the byte
/// offset where it was found.

#include "base/result.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ipcscope::wire {

/// Each kind of malformation the decoders recognise.
enum class DecodeErrc : std::uint8_t {
    Truncated,          ///< the buffer ends inside a fixed field
    BadMessageType,     ///< NetBIOS datagram type outside 0x10..0x16
    LengthMismatch,     ///< DGM_LENGTH disagrees with the bytes present
    BadNameLength,      ///< first label of a NetBIOS name is not 32 half-ASCII characters
    BadNameEncoding,    ///< a half-ASCII character outside 'A'..'P'
    BadScope,           ///< scope label too long, a compression pointer, or a name over 255 bytes
    Fragmented,         ///< MORE flag or a non-zero offset: a fragment, not reassembled
    NotSmb,             ///< user data does not start with FF 'S' 'M' 'B'
    NotTransaction,     ///< SMB command is not SMB_COM_TRANSACTION (0x25)
    BadWordCount,       ///< word count does not match 14 + setup count
    BadSetup,           ///< setup count is not 3 or opcode is not 1 (write mailslot)
    BadDataRange,       ///< data offset/count point outside the SMB message
    BadByteCount,       ///< byte count runs past the message
    UnterminatedName,   ///< the transaction name has no terminating zero
    NotMailslot,        ///< the transaction name does not start with \MAILSLOT\ .
    BadBrowserFrame,    ///< a browser announcement shorter than its fixed part
};

[[nodiscard]] std::string_view decodeErrcName(DecodeErrc code) noexcept;

/// What was wrong and where.
struct DecodeError {
    DecodeErrc code = DecodeErrc::Truncated;
    std::size_t offset = 0;  ///< byte offset into the decoded buffer
    std::string detail;      ///< one short phrase with the numbers involved

    /// "malformed NetBIOS datagram: truncated at byte 12 (...)".
    [[nodiscard]] std::string message() const;
    /// As a portable error (Errc::Malformed).
    [[nodiscard]] base::Error toError() const;
};

/// A decoded value or the DecodeError that stopped the decoder.
template <class T>
using Decoded = base::Expected<T, DecodeError>;

}  // namespace ipcscope::wire
