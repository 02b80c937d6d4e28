// libFuzzer target: the Windows NT buffer parsers on arbitrary bytes (they are plain C++ and
// build on Linux). Directory records, handle tables of both classes and pointer sizes, object
// directory buffers and UTF-16 names come from the kernel of a machine whose processes
// choose the names; no length or offset in them may lead a read out of the buffer.

#include "platform/windows/nt_dir_parse.h"
#include "platform/windows/nt_parse.h"

#include "base/json.h"
#include "base/text.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ipcscope;
    const std::span<const std::uint8_t> bytes(data, size);

    if (auto dir = win::walkFileDirectoryInfo(bytes))
        for (const auto& e : *dir) {
            const auto parts = win::splitDeviceName(e.name);
            (void)parts;
            (void)base::jsonString(win::toUtf8(win::foldCase(e.name)));
        }
    for (auto cls : {win::HandleInfoClass::Extended, win::HandleInfoClass::Legacy})
        for (std::size_t ptr : {std::size_t{4}, std::size_t{8}})
            if (auto table = win::decodeHandleTable(bytes, cls, ptr); table && !table->empty())
                (void)win::learnTypeIndex(*table, table->front().pid, table->front().handle);
    // The base address the kernel reports comes first; the buffer follows.
    if (size >= 8) {
        std::uint64_t baseAddress = 0;
        for (int i = 0; i < 8; ++i) baseAddress |= static_cast<std::uint64_t>(data[i]) << (8 * i);
        for (unsigned ptr : {4u, 8u})
            if (auto entries = win::parseObjectDirectoryBuffer(bytes.subspan(8), baseAddress, ptr))
                for (const auto& e : *entries) (void)base::jsonString(e.name + e.typeName);
    }
    (void)base::jsonString(base::utf16leToUtf8(bytes));
    return 0;
}
