#pragma once
// The X11 clipboard's untrusted input as plain bytes, without Xlib: the TARGETS reply a
// selection owner (any X client) writes into our property, and the target names it offers.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace ipcscope::lnx {

/// The atoms of a TARGETS reply. Xlib returns format-32 property data as an array of C longs
/// whatever the platform's long size (ICCCM, Xlib XGetWindowProperty), so `data` holds
/// sizeof(long) bytes per atom; a trailing partial item is ignored, and at most `maxTargets`
/// atoms are taken. Anything other than format 32 is not a list of atoms: empty.
[[nodiscard]] std::vector<std::uint64_t> decodeTargetList(std::span<const unsigned char> data, int format,
                                                          std::size_t maxTargets);

/// Targets that are requests with side effects or bookkeeping rather than data (ICCCM 2.6.2).
[[nodiscard]] bool isMetaTarget(std::string_view target) noexcept;

}  // namespace ipcscope::lnx
