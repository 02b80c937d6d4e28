#pragma once
// What the monitor remembers between runs: a small key=value file next to Dear ImGui's own ini
// (window layout, column widths and order) in the user's config directory:
// $IPCSCOPE_CONFIG_DIR, else %APPDATA%\ipcscope on Windows, $XDG_CONFIG_HOME/ipcscope or
// ~/.config/ipcscope elsewhere.

#include <string>

namespace ipcscope::gui {

struct Settings {
    float fontScale = 1.0f;         ///< on top of the display's DPI scale
    std::string theme = "dark";     ///< dark, light, classic

    /// The config directory, created if missing; empty when there is none (no HOME).
    [[nodiscard]] static std::string directory();
    /// Reads `dir`/settings.ini; missing file or unknown keys leave the defaults.
    [[nodiscard]] static Settings load(const std::string& dir);
    /// Writes `dir`/settings.ini (through a temporary file, so a crash keeps the old one).
    bool save(const std::string& dir) const;
};

/// Applies the theme and the font scale to Dear ImGui's style.
void applyTheme(const std::string& theme);

}  // namespace ipcscope::gui
