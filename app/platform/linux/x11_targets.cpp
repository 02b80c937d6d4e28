#include "platform/linux/x11_targets.h"

#include <cstring>

namespace ipcscope::lnx {

std::vector<std::uint64_t> decodeTargetList(std::span<const unsigned char> data, int format, std::size_t maxTargets) {
    std::vector<std::uint64_t> out;
    if (format != 32) return out;
    for (std::size_t i = 0; i + sizeof(long) <= data.size() && out.size() < maxTargets; i += sizeof(long)) {
        unsigned long v;
        std::memcpy(&v, data.data() + i, sizeof v);
        out.push_back(v);
    }
    return out;
}

bool isMetaTarget(std::string_view t) noexcept {
    return t == "TARGETS" || t == "MULTIPLE" || t == "DELETE" || t == "INSERT_SELECTION" || t == "INSERT_PROPERTY" ||
           t == "SAVE_TARGETS" || t == "TIMESTAMP";
}

}  // namespace ipcscope::lnx
