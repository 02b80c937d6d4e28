// services / rpc: the endpoints registered with the local RPC endpoint mapper
// (RpcMgmtEpEltInqBegin with RPC_C_EP_ALL_ELTS, then RpcMgmtEpEltInqNext until
// RPC_X_NO_MORE_ENTRIES). Wine 8.0 does not implement the inquiry (it fails with
// RPC_S_INVALID_BINDING, 1702): that is reported as "not supported on this system".

#include "platform/windows/families.h"
#include "platform/windows/row_format.h"

#include <windows.h>
#include <rpc.h>

namespace ipcscope::win {
namespace {

constexpr int kMaxEndpoints = 100000;

std::string uuidText(UUID u) {
    RPC_WSTR s = nullptr;
    if (UuidToStringW(&u, &s) != RPC_S_OK || !s) return {};
    std::string out = narrow(reinterpret_cast<const wchar_t*>(s));
    RpcStringFreeW(&s);
    return out;
}

core::Error inquiryError(RPC_STATUS st, const char* what) {
    // 1702 is Wine's answer for an inquiry it does not implement; 1764 and 1717 mean that the
    // endpoint mapper does not offer the management interface here.
    if (st == RPC_S_INVALID_BINDING || st == RPC_S_CANNOT_SUPPORT || st == RPC_S_UNKNOWN_IF) {
        auto e = core::Error::fromWin32(static_cast<std::uint32_t>(st),
                                        std::string(what) + ": the RPC endpoint mapper inquiry is not supported on this system");
        e.code = core::Errc::NotSupported;
        return e;
    }
    return core::Error::fromWin32(static_cast<std::uint32_t>(st), what);
}

}  // namespace

void collectRpc(core::Snapshot& out) {
    RPC_EP_INQ_HANDLE inquiry = nullptr;
    RPC_STATUS st = RpcMgmtEpEltInqBegin(nullptr, RPC_C_EP_ALL_ELTS, nullptr, 0, nullptr, &inquiry);
    if (st != RPC_S_OK) {
        out.errors.push_back({core::Family::Services, core::Kind::RpcEndpoint, inquiryError(st, "RpcMgmtEpEltInqBegin")});
        return;
    }
    for (int i = 0; i < kMaxEndpoints; ++i) {
        RPC_IF_ID ifId{};
        RPC_BINDING_HANDLE binding = nullptr;
        UUID object{};
        RPC_WSTR annotation = nullptr;
        st = RpcMgmtEpEltInqNextW(inquiry, &ifId, &binding, &object, &annotation);
        if (st == RPC_X_NO_MORE_ENTRIES) break;
        if (st != RPC_S_OK) {
            out.errors.push_back({core::Family::Services, core::Kind::RpcEndpoint, inquiryError(st, "RpcMgmtEpEltInqNext")});
            break;
        }
        std::string bindingText;
        RPC_WSTR s = nullptr;
        if (binding && RpcBindingToStringBindingW(binding, &s) == RPC_S_OK && s) {
            bindingText = narrow(reinterpret_cast<const wchar_t*>(s));
            RpcStringFreeW(&s);
        }
        if (binding) RpcBindingFree(&binding);
        const std::string note = annotation ? narrow(reinterpret_cast<const wchar_t*>(annotation)) : std::string();
        if (annotation) RpcStringFreeW(&annotation);
        out.objects.push_back(rpcEndpointRow(uuidText(ifId.Uuid), ifId.VersMajor, ifId.VersMinor, uuidText(object),
                                             bindingText, note));
    }
    RpcMgmtEpEltInqDone(&inquiry);
}

}  // namespace ipcscope::win
