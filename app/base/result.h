#pragma once
/// Typed errors and Result<T>, the base of every layer: no exceptions cross module boundaries.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace ipcscope::base {

/// What went wrong, independent of the OS.
enum class Errc : std::uint8_t {
    NotSupported,      ///< the platform or this system lacks the mechanism
    PermissionDenied,  ///< the OS refused access
    NotFound,          ///< the object or process vanished or never existed
    Timeout,           ///< a blocking query did not answer in time
    InvalidArgument,   ///< the caller passed something unusable
    Malformed,         ///< input bytes or text do not follow the format
    TooLarge,          ///< a size limit was exceeded
    Io,                ///< an OS call failed for another reason
    Internal,          ///< a bug: an invariant did not hold
};

/// Which numbering the native code uses.
enum class NativeKind : std::uint8_t { None, Errno, Win32, NtStatus };

[[nodiscard]] std::string_view errcName(Errc code) noexcept;
[[nodiscard]] std::string_view nativeKindName(NativeKind kind) noexcept;

/// An error with the portable code, the native code and a sentence of context.
struct Error {
    Errc code = Errc::Internal;
    NativeKind nativeKind = NativeKind::None;
    std::int64_t native = 0;
    std::string context;

    /// One human sentence: context, then the native code spelled out.
    [[nodiscard]] std::string message() const;

    [[nodiscard]] static Error fromErrno(int err, std::string context);
    [[nodiscard]] static Error fromWin32(std::uint32_t err, std::string context);
    [[nodiscard]] static Error fromNtStatus(std::uint32_t status, std::string context);
    [[nodiscard]] static Error make(Errc code, std::string context) {
        return Error{code, NativeKind::None, 0, std::move(context)};
    }
};

/// Maps errno values to the portable code (EACCES -> PermissionDenied, ...).
[[nodiscard]] Errc errcFromErrno(int err) noexcept;

/// Either a value or an error (std::expected-like). Every result in the project is one:
/// Result<T> below, wire::Decoded<T> (a DecodeError with its byte offset), and
/// wire::ProbeLineResult.
template <class T, class E>
class [[nodiscard]] Expected {
public:
    Expected(T value) : m_v(std::in_place_index<0>, std::move(value)) {}
    Expected(E error) : m_v(std::in_place_index<1>, std::move(error)) {}

    [[nodiscard]] bool ok() const noexcept { return m_v.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    T& value() & { return std::get<0>(m_v); }
    const T& value() const& { return std::get<0>(m_v); }
    T&& value() && { return std::get<0>(std::move(m_v)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    const E& error() const& { return std::get<1>(m_v); }

    template <class U>
    T valueOr(U&& fallback) const& {
        return ok() ? value() : static_cast<T>(std::forward<U>(fallback));
    }

private:
    std::variant<T, E> m_v;
};

/// A value or an Error.
template <class T>
using Result = Expected<T, Error>;

/// Result of an operation that yields nothing but may fail.
struct Unit {};
using Status = Result<Unit>;
[[nodiscard]] inline Status okStatus() { return Unit{}; }

}  // namespace ipcscope::base
