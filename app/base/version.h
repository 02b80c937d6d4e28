#pragma once
/// The version of ipcscope, as `--version`, the About box, the packages and the Windows version
/// resource show it: the CMake project version, plus a git suffix when built from a checkout
/// ("0.1.0+git312.g1a2b3c4d5e6f"). Defined in the generated ipcscope_version library.

#include <string_view>

namespace ipcscope::base {

[[nodiscard]] std::string_view version() noexcept;

}  // namespace ipcscope::base
