// libFuzzer target: the /proc text parsers on arbitrary bytes. Paths, socket names and
// mapping names in these files are chosen by any process on the machine; every parser must
// stay in its view, and every name it yields must render as JSON.

#include "platform/linux/proc_text.h"

#include "base/json.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ipcscope;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    std::size_t bad = 0;
    (void)base::jsonString(lnx::parseFdLink(text).text);
    for (const auto& e : lnx::parseProcNetUnix(text, &bad)) (void)base::jsonString(e.path);
    (void)lnx::parseFdinfoMode(text);
    for (bool sharedOnly : {false, true})
        for (const auto& m : lnx::parseMaps(text, sharedOnly, &bad)) (void)base::jsonString(m.path);
    for (const auto& s : lnx::parseSysvShm(text, &bad)) (void)lnx::formatSysvKey(s.key);
    (void)lnx::parseProcNetInet(text, &bad);
    for (auto f : lnx::splitFields(text)) (void)lnx::parseUnsigned(f, 16);
    (void)lnx::parseUnsigned(text);
    return 0;
}
