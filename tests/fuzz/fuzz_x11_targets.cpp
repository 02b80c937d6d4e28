// libFuzzer target: the X11 clipboard's untrusted input. Any X client can own a selection and
// answer TARGETS with any property, and name its targets with any bytes: the list must decode
// within the buffer and each name must render as a clipboard row in JSON and in the table.

#include "platform/linux/x11_targets.h"

#include "core/render.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ipcscope;
    if (size == 0) return 0;
    const int format = data[0] % 3 == 0 ? 8 : data[0] % 3 == 1 ? 16 : 32;
    const std::span<const unsigned char> reply(data + 1, size - 1);
    const auto atoms = lnx::decodeTargetList(reply, format, 64);
    if (format != 32 && !atoms.empty()) __builtin_trap();
    if (atoms.size() > 64 || atoms.size() * sizeof(long) > reply.size()) __builtin_trap();

    // The same bytes as target names, split at NUL (as atom names arrive from XGetAtomName).
    core::Snapshot snap;
    snap.families = {core::Family::Clipboard};
    std::string name;
    auto row = [&] {
        if (name.empty() || lnx::isMetaTarget(name)) return;
        core::IpcObject o;
        o.kind = core::Kind::ClipboardFormat;
        o.name = "CLIPBOARD " + name;
        o.details["selection"] = "CLIPBOARD";
        o.details["target"] = name;
        snap.objects.push_back(std::move(o));
    };
    for (unsigned char c : reply) {
        if (c == 0) {
            row();
            name.clear();
        } else {
            name.push_back(static_cast<char>(c));
        }
    }
    row();
    (void)core::renderJson(snap);
    (void)core::renderTable(snap);
    return 0;
}
