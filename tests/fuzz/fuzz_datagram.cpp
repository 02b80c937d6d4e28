// libFuzzer target: every decoder of the wire code, and the JSON rendering of what they
// decode, on arbitrary bytes. Decoders must never read past the buffer or crash.

#include "base/json.h"
#include "core/datagram_render.h"
#include "wire/browser.h"
#include "wire/inspect.h"
#include "wire/mailslot.h"
#include "wire/netbios.h"

#include <cstddef>
#include <cstdint>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ipcscope;
    const std::span<const std::uint8_t> bytes(data, size);

    auto received = core::makeReceived({}, "10.0.0.1", 138, std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
    (void)base::dumpJson(core::toJson(received));
    (void)core::renderLine(received);

    // A datagram that decodes must encode back to a datagram that decodes the same way.
    if (received.inspection.datagram && received.inspection.datagram->type <= wire::DatagramType::Broadcast) {
        const auto& d = *received.inspection.datagram;
        auto again = wire::encodeDatagram(d);
        if (again) {
            auto back = wire::decodeDatagram(*again);
            if (!back || back->userData != d.userData || !(back->source == d.source) || !(back->destination == d.destination))
                __builtin_trap();
        }
    }

    (void)wire::decodeMailslotWrite(bytes);
    (void)wire::decodeBrowser(bytes);
    (void)wire::decodeNameResponse(bytes);
    std::size_t off = 0;
    (void)wire::decodeName(bytes, off);
    if (off > size) __builtin_trap();
    return 0;
}
