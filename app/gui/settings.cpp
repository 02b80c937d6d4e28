#include "gui/settings.h"

#include <imgui.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <system_error>

namespace ipcscope::gui {

std::string Settings::directory() {
    namespace fs = std::filesystem;
    fs::path dir;
    if (const char* own = std::getenv("IPCSCOPE_CONFIG_DIR"); own && *own) {
        dir = own;
    } else {
#ifdef _WIN32
        const char* appdata = std::getenv("APPDATA");
        if (!appdata || !*appdata) return {};
        dir = fs::path(appdata) / "ipcscope";
#else
        if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg) dir = fs::path(xdg) / "ipcscope";
        else if (const char* home = std::getenv("HOME"); home && *home) dir = fs::path(home) / ".config" / "ipcscope";
        else return {};
#endif
    }
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) {
        spdlog::warn("settings: cannot create {}: {}", dir.string(), ec.message());
        return {};
    }
    return dir.string();
}

Settings Settings::load(const std::string& dir) {
    Settings s;
    if (dir.empty()) return s;
    std::ifstream in(std::filesystem::path(dir) / "settings.ini");
    for (std::string line; std::getline(in, line);) {
        const auto eq = line.find('=');
        if (eq == std::string::npos || line[0] == '#') continue;
        const std::string key = line.substr(0, eq), value = line.substr(eq + 1);
        if (key == "font_scale") {
            const float f = std::strtof(value.c_str(), nullptr);
            if (f >= 0.5f && f <= 3.0f) s.fontScale = f;
        } else if (key == "theme" && (value == "dark" || value == "light" || value == "classic")) {
            s.theme = value;
        }
    }
    return s;
}

bool Settings::save(const std::string& dir) const {
    if (dir.empty()) return false;
    const auto path = std::filesystem::path(dir) / "settings.ini";
    const auto tmp = std::filesystem::path(dir) / "settings.ini.tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << "# ipcscope monitor settings\n"
            << "font_scale=" << fontScale << '\n'
            << "theme=" << theme << '\n';
        if (!out) {
            spdlog::warn("settings: cannot write {}", tmp.string());
            return false;
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) spdlog::warn("settings: cannot replace {}: {}", path.string(), ec.message());
    return !ec;
}

void applyTheme(const std::string& theme) {
    if (theme == "light") ImGui::StyleColorsLight();
    else if (theme == "classic") ImGui::StyleColorsClassic();
    else ImGui::StyleColorsDark();
}

}  // namespace ipcscope::gui
