// libFuzzer target: the PE header parser (shared sections of DLLs) on arbitrary bytes. The
// images come from any file a process loaded; header fields must not lead reads out of the
// buffer, and what parses must render as JSON.

#include "platform/windows/pe_sections.h"

#include "base/json.h"

#include <cstddef>
#include <cstdint>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ipcscope;
    const std::span<const std::uint8_t> bytes(data, size);
    auto need = win::peHeaderBytesNeeded(bytes);
    auto image = win::parsePeHeaders(bytes);
    if (image) {
        // The parser reads only the headers: it cannot succeed on fewer bytes than it asked for.
        if (need && *need > size) __builtin_trap();
        for (const auto& s : image->sections) (void)base::jsonString(s.name);
    }
    return 0;
}
