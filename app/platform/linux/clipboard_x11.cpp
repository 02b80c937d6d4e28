#include "linux/collectors.h"
namespace ipcscope::lnx {
void collectClipboard(const ProcScan&, core::Snapshot& out) {
    out.errors.push_back({core::Family::Clipboard, std::nullopt, core::Error::make(core::Errc::NotSupported, "clipboard: todo")});
}
}
