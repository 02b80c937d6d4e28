#pragma once
/// Text helpers shared by every layer: ASCII case-insensitive comparison.

#include <string_view>

namespace ipcscope::base {

/// Case-insensitive substring test (ASCII); an empty needle matches everything.
[[nodiscard]] bool containsNoCase(std::string_view hay, std::string_view needle);

}  // namespace ipcscope::base
