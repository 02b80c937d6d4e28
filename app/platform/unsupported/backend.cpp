// The backend of a platform ipcscope does not know: every family reports "not supported".

#include "base/code_page.h"
#include "core/platform.h"

namespace ipcscope::platform {

core::Platform current() noexcept { return core::Platform::Unsupported; }
std::string hostName() { return "localhost"; }
bool isElevated() { return false; }
unsigned oemCodePage() { return base::kDefaultOemCodePage; }

void prepareOneShotHeap() {}

void collect(std::span<const core::Family>, core::Snapshot&) {}
core::Result<std::vector<std::uint8_t>> peekSharedMemory(const core::IpcObject&, std::size_t) {
    return core::Error::make(core::Errc::NotSupported, "shared memory cannot be read on this platform");
}

}  // namespace ipcscope::platform
