// Field formats several Linux collectors share: modes, user names, times.

#include "platform/linux/collectors.h"

#include <fmt/format.h>
#include <pwd.h>
#include <unordered_map>

namespace ipcscope::lnx {

std::string octalMode(unsigned mode) { return fmt::format("{:04o}", mode & 07777); }

std::string userName(std::uint32_t uid) {
    thread_local std::unordered_map<std::uint32_t, std::string> cache;  // the sampler and a CLI run each have their own
    if (auto it = cache.find(uid); it != cache.end()) return it->second;
    passwd pw{};
    passwd* res = nullptr;
    char buf[4096];
    std::string name = ::getpwuid_r(uid, &pw, buf, sizeof buf, &res) == 0 && res ? res->pw_name : std::to_string(uid);
    return cache.emplace(uid, std::move(name)).first->second;
}

nlohmann::ordered_json epochOrNull(std::int64_t t) {
    if (t <= 0) return nullptr;
    return core::isoUtc(std::chrono::system_clock::time_point{std::chrono::seconds(t)});
}

}  // namespace ipcscope::lnx
